import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CompletionRequest,
  DidChangeTextDocumentNotification,
  HoverRequest,
  InlayHintRequest,
  PrepareRenameRequest,
  RenameRequest,
  SemanticTokensRequest,
  CodeActionRequest,
  DidChangeConfigurationNotification,
} from 'vscode-languageserver-protocol';
import type { CompletionItem, CompletionList, MarkupContent } from 'vscode-languageserver-protocol';
import { RenderRequest, VariablesRequest } from '../../server/src/protocol';
import { range } from '../helpers/cursor';
import { DOCS_URL, startInProcessServer, TestClient } from './testClient';

const SAMPLE = readFileSync(
  path.resolve(__dirname, '..', '..', '..', 'shared', 'samples', 'upstream-postgresql.yaml'),
  'utf8',
);
const URI = 'file:///work/stacks/postgresql.stack.yaml';

const itemsOf = (result: CompletionItem[] | CompletionList | null) =>
  Array.isArray(result) ? result : (result?.items ?? []);

describe('language server in process (LSP over streams)', () => {
  let client: TestClient;
  before(async () => {
    client = await startInProcessServer();
  });
  after(async () => {
    await client.close();
  });

  it('publishes diagnostics on open: the sample uses {{ shared_buffers }} without its group (WF021)', async () => {
    client.open(URI, SAMPLE, 1);
    const published = await client.diagnostics(URI, 1);
    const outsideGroup = published.diagnostics.filter((diagnostic) => diagnostic.code === 'WF021');
    assert.deepEqual(
      outsideGroup.map((diagnostic) => diagnostic.range),
      [range(348, 23, 348, 37), range(349, 24, 349, 39), range(350, 20, 350, 28)],
    );
    const [first] = outsideGroup;
    assert.equal(first.source, 'windflow');
    assert.equal(first.severity, 1);
    assert.equal(
      first.message,
      "'shared_buffers' is a member of group 'performance': use {{ performance.shared_buffers }}",
    );
    assert.deepEqual(first.codeDescription, { href: `${DOCS_URL}#wf021` });
    assert.deepEqual(first.data, { replacement: 'performance.shared_buffers' });
  });

  it('re-checks after an incremental change', async () => {
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 2 },
      contentChanges: [{ range: range(348, 23, 348, 37), text: 'performance.shared_buffers' }],
    });
    const published = await client.diagnostics(URI, 2);
    assert.deepEqual(
      published.diagnostics.filter((diagnostic) => diagnostic.code === 'WF021').map((diagnostic) => diagnostic.range),
      [range(349, 24, 349, 39), range(350, 20, 350, 28)],
    );
  });

  it('completes variables inside {{ }}', async () => {
    const result = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: URI },
      position: { line: 282, character: 66 },
    });
    const labels = itemsOf(result).map((item) => item.label);
    assert.deepEqual(labels.slice(0, 9), [
      'postgres_version', 'container_name', 'database_name', 'postgres_user', 'postgres_password', 'locale', 'host_port', 'volume_name', 'performance',
    ]); // prettier-ignore
    assert.ok(labels.includes('deployment_name'));
    assert.ok(labels.includes('generate_password'));
  });

  it('hovers a reference with the masked password default', async () => {
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: URI },
      position: { line: 73, character: 30 },
    });
    assert.deepEqual(hover?.range, range(73, 27, 73, 44));
    assert.equal(
      (hover?.contents as MarkupContent).value,
      '**Mot de passe PostgreSQL** `postgres_password`: password\n\nDefault: `********`\n\nMot de passe du superadmin (généré automatiquement si vide)\n\nUn mot de passe fort de 24 caractères sera généré automatiquement',
    );
  });

  it('renames a variable everywhere and refuses a taken name with a clear error', async () => {
    const position = { line: 282, character: 68 }; // inside `host_port` in the notes
    const prepared = await client.connection.sendRequest(PrepareRenameRequest.type, {
      textDocument: { uri: URI },
      position,
    });
    assert.deepEqual(prepared, { range: range(282, 66, 282, 75), placeholder: 'host_port' });
    const edit = await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri: URI },
      position,
      newName: 'public_port',
    });
    const edits = edit?.changes?.[URI] ?? [];
    assert.equal(edits.length, 7);
    assert.deepEqual(edits[0], { range: range(202, 2, 202, 11), newText: 'public_port' });
    await assert.rejects(
      client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: URI }, position, newName: 'locale' }),
      (error: Error & { code?: number }) =>
        error.code === -32600 && error.message === "'locale' is already a variable of this stack.",
    );
  });

  it('offers the group.member quick fix for the remaining WF021', async () => {
    const diagnostic = {
      range: range(349, 24, 349, 39),
      message: "'max_connections' is a member of group 'performance'",
      code: 'WF021',
      source: 'windflow',
      data: { replacement: 'performance.max_connections' },
    };
    const actions = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: URI },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    assert.deepEqual(
      actions?.map((action) => ('edit' in action ? [action.title, action.edit?.changes?.[URI]] : [])),
      [["Use 'performance.max_connections'", [{ range: diagnostic.range, newText: 'performance.max_connections' }]]],
    );
  });

  it('answers windflow/render with the template as YAML and secrets masked in a preview', async () => {
    const result = await client.connection.sendRequest(RenderRequest, {
      uri: URI,
      purpose: 'preview',
      values: { postgres_password: 'S3cret-value-123' },
      deploymentName: 'pg-test',
    });
    assert.equal(result.stackName, 'PostgreSQL Database Server');
    assert.equal(result.targetType, 'docker');
    assert.equal(result.deploymentName, 'pg-test');
    assert.match(result.yaml, /^image: postgres:16$/m);
    assert.match(result.yaml, /^container_name: pg-test$/m);
    assert.ok(!JSON.stringify(result).includes('S3cret-value-123'), 'the password must not reach a preview');
    assert.deepEqual(result.secrets, []);
    const deploy = await client.connection.sendRequest(RenderRequest, {
      uri: URI,
      purpose: 'deploy',
      values: { postgres_password: 'S3cret-value-123' },
    });
    assert.ok(deploy.secrets.includes('S3cret-value-123'));
    assert.match(deploy.yaml, /POSTGRES_PASSWORD: S3cret-value-123/);
  });

  it('answers windflow/variables with resolved defaults', async () => {
    const result = await client.connection.sendRequest(VariablesRequest, { uri: URI });
    const byName = new Map(result.variables.map((variable) => [variable.qualifiedName, variable]));
    assert.equal(byName.get('postgres_version')?.default, '16');
    assert.equal(byName.get('postgres_version')?.generated, false);
    const password = byName.get('postgres_password');
    assert.equal(password?.generated, true);
    assert.equal(typeof password?.default, 'string');
    assert.equal((password?.default as string).length, 24);
    assert.equal(byName.get('container_name')?.visible, false);
    assert.match(result.defaultDeploymentName, /^postgres-[a-z]+-[a-z]+$/);
    assert.equal(result.defaultDeploymentName, byName.get('container_name')?.default);
    assert.deepEqual(
      byName.get('performance')?.children?.map((child) => [child.qualifiedName, child.default]),
      [
        ['performance.shared_buffers', '256MB'],
        ['performance.max_connections', 100],
        ['performance.work_mem', '4MB'],
      ],
    );
  });

  it('gives semantic tokens and turns inlay hints off through the setting', async () => {
    const tokens = await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri: URI } });
    assert.ok((tokens?.data.length ?? 0) > 0 && tokens!.data.length % 5 === 0);
    const lines = { start: { line: 85, character: 0 }, end: { line: 86, character: 0 } };
    const hints = await client.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri: URI },
      range: lines,
    });
    assert.deepEqual(
      hints?.map((hint) => hint.label),
      ['= {{get_valid_port(5432)}}'],
    );
    client.settings = { inlayHints: { enabled: false } };
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    assert.deepEqual(
      await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri: URI }, range: lines }),
      [],
    );
  });
});
