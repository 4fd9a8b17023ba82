import assert from 'node:assert/strict';
import { HoverRequest } from 'vscode-languageserver-protocol';
import { startInProcessServer, TestClient } from './testClient';

const HEADER =
  'metadata:\n  name: x\n  version: "1.0.0"\n  category: c\n  author: a\n  license: MIT\n  description: d\n  target_type: docker\n';

/** Hostile inputs from product.md §7: each must get a diagnostic, and the server must keep answering. */
const HOSTILE: { name: string; text: () => string; code: string }[] = [
  {
    name: 'an alias bomb',
    text: () => {
      const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let level = 1; level < 9; level++) {
        const previous = String.fromCharCode(96 + level);
        const name = String.fromCharCode(97 + level);
        levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
      }
      return `${HEADER}template:\n  image: x\n  labels:\n${levels.map((line) => `    ${line}`).join('\n')}\n`;
    },
    code: 'WF012',
  },
  {
    name: 'a file over the size limit',
    text: () => `${HEADER}template:\n  image: x\ndeployment_notes: "${'x'.repeat(20 * 1024 * 1024)}"\n`,
    code: 'WF012',
  },
  {
    name: '1,000 levels of nesting',
    text: () => `${HEADER}template:\n  image: x\n  labels: ${'['.repeat(1000)}${']'.repeat(1000)}\n`,
    code: 'WF012',
  },
  {
    name: 'a catastrophic pattern',
    text: () =>
      `${HEADER}template:\n  image: "{{ v }}"\nvariables:\n  v:\n    type: string\n    label: V\n    pattern: "^(a+)+$"\n    default: "${'a'.repeat(40)}!"\n`,
    code: 'WF032',
  },
  {
    name: 'text decoded from invalid UTF-8 (U+FFFD)',
    text: () => `${HEADER}template:\n  image: "caf\uFFFD\uFFFD"\n`,
    code: 'WF013',
  },
  {
    name: 'a lone surrogate',
    text: () => `${HEADER}template:\n  image: "x\uD800y"\n`,
    code: 'WF013',
  },
];

describe('language server robustness (LSP)', () => {
  let client: TestClient;
  before(async () => {
    client = await startInProcessServer();
  });
  after(async () => {
    await client.close();
  });

  HOSTILE.forEach(({ name, text, code }, index) => {
    it(`reports ${name} (${code}) and keeps answering`, async () => {
      const uri = `file:///hostile/${index}.stack.yaml`;
      client.open(uri, text());
      const published = await client.diagnostics(uri, 1);
      assert.ok(
        published.diagnostics.some((diagnostic) => diagnostic.code === code),
        `expected ${code}, got ${published.diagnostics.map((diagnostic) => diagnostic.code).join(', ')}`,
      );
      const hover = await client.connection.sendRequest(HoverRequest.type, {
        textDocument: { uri },
        position: { line: 1, character: 3 },
      });
      assert.ok(hover === null || typeof hover === 'object');
    });
  });
});
