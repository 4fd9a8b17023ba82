import assert from 'node:assert/strict';
import {
  DefinitionRequest,
  DocumentHighlightRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  ReferencesRequest,
} from 'vscode-languageserver-protocol';
import type { DocumentSymbol, LocationLink } from 'vscode-languageserver-protocol';
import { startInProcessServer, TestClient } from './testClient';

const URI = 'file:///work/stacks/web.stack.yaml';
const TEXT = [
  'metadata:',
  '  name: web',
  '  version: "1.0.0"',
  '  category: test',
  '  author: me',
  '  license: MIT',
  '  description: navigation over LSP',
  '  target_type: docker_compose',
  'template:',
  '  version: "3.9"',
  '  services:',
  '    app:',
  '      image: "nginx:{{ tag }}"',
  '      environment:',
  '        BUFFERS: "{{ perf.buffers }}"',
  '    cache:',
  '      image: "redis:{{ tag }}"',
  'variables:',
  '  tag:',
  '    type: string',
  '    label: Tag',
  '    default: "1"',
  '  perf:',
  '    type: group',
  '    label: Perf',
  '    variables:',
  '      buffers:',
  '        type: string',
  '        label: Buffers',
  '        default: 1MB',
  'deployment_notes: |',
  '  Tag {{ tag }}.',
  '',
].join('\n');

/** Zero-based position of the nth occurrence of `needle`, plus `shift` characters. */
function at(needle: string, nth = 0, shift = 0): { line: number; character: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = TEXT.indexOf(needle, offset + 1);
  const before = TEXT.slice(0, offset + shift);
  return { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 };
}

/** The range of `length` characters starting `shift` characters into the nth occurrence of `needle`. */
function rangeAt(needle: string, nth: number, shift: number, length: number) {
  return { start: at(needle, nth, shift), end: at(needle, nth, shift + length) };
}

const TAG_DECLARATION = rangeAt('  tag:', 0, 2, 3);
const TAG_USES = [0, 1, 2].map((nth) => rangeAt('{{ tag }}', nth, 3, 3));

describe('navigation over LSP (in process)', () => {
  let client: TestClient;
  before(async () => {
    client = await startInProcessServer();
    client.open(URI, TEXT);
    await client.diagnostics(URI);
  });
  after(async () => {
    await client.close();
  });

  it('goes from a reference to the variable declaration', async () => {
    const result = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: URI },
      position: at('{{ tag }}', 0, 4),
    })) as LocationLink[];
    assert.equal(result.length, 1);
    assert.equal(result[0].targetUri, URI);
    assert.deepEqual(result[0].targetSelectionRange, TAG_DECLARATION);
  });

  it('finds every use of a variable, with and without its declaration', async () => {
    const position = at('{{ tag }}', 1, 4);
    const withDeclaration = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: URI },
      position,
      context: { includeDeclaration: true },
    });
    const byPosition = (a: { start: { line: number } }, b: { start: { line: number } }) => a.start.line - b.start.line;
    assert.deepEqual(
      (withDeclaration ?? []).map((location) => location.range).sort(byPosition),
      [...TAG_USES, TAG_DECLARATION].sort(byPosition),
    );
    const withoutDeclaration = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: URI },
      position,
      context: { includeDeclaration: false },
    });
    assert.deepEqual((withoutDeclaration ?? []).map((location) => location.range).sort(byPosition), TAG_USES);
  });

  it('highlights a group member where it is declared and used', async () => {
    const highlights = await client.connection.sendRequest(DocumentHighlightRequest.type, {
      textDocument: { uri: URI },
      position: at('perf.buffers', 0, 6),
    });
    const ranges = (highlights ?? []).map((h) => h.range).sort((a, b) => a.start.line - b.start.line);
    assert.deepEqual(ranges, [rangeAt('perf.buffers', 0, 5, 7), rangeAt('      buffers:', 0, 6, 7)]);
  });

  it('outlines sections, services and variables', async () => {
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri: URI },
    })) as DocumentSymbol[];
    const names = (list: DocumentSymbol[] | undefined) => (list ?? []).map((symbol) => symbol.name);
    assert.deepEqual(names(symbols), ['metadata', 'template', 'variables', 'deployment_notes']);
    const template = symbols.find((symbol) => symbol.name === 'template');
    const services = template?.children?.find((symbol) => symbol.name === 'services');
    assert.deepEqual(names(services?.children), ['app', 'cache']);
    const variables = symbols.find((symbol) => symbol.name === 'variables');
    assert.deepEqual(names(variables?.children), ['tag', 'perf']);
    assert.deepEqual(names(variables?.children?.find((symbol) => symbol.name === 'perf')?.children), ['buffers']);
  });

  it('folds the sections and blocks', async () => {
    const ranges = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: URI } });
    const folds = (ranges ?? []).map((r) => [r.startLine, r.endLine]);
    assert.ok(
      folds.some(([start, end]) => start === at('metadata:').line && end === at('target_type').line),
      JSON.stringify(folds),
    );
    assert.ok(
      folds.some(([start, end]) => start === at('    app:').line && end === at('BUFFERS').line),
      JSON.stringify(folds),
    );
    assert.ok(
      folds.some(([start, end]) => start === at('variables:').line && end === at('default: 1MB').line),
      JSON.stringify(folds),
    );
  });
});
