import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CompletionRequest, HoverRequest } from 'vscode-languageserver-protocol';
import type { CompletionItem, CompletionList } from 'vscode-languageserver-protocol';
import { range } from '../helpers/cursor';
import { BUNDLE, startBundledServer, TestClient } from './testClient';

const ROOT = path.resolve(__dirname, '..', '..');

/** The newest modification time of the server's sources and the schema the bundle embeds. */
function newestSource(directory: string): number {
  return readdirSync(directory, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(directory, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }, 0);
}

describe('language server bundle over stdio', () => {
  let client: TestClient;
  before(async function () {
    this.timeout(120_000);
    const sources = Math.max(newestSource(path.join(ROOT, 'server', 'src')), newestSource(path.join(ROOT, 'schemas')));
    if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < sources)
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    client = await startBundledServer();
  });
  after(async () => {
    await client?.close();
  });

  it('publishes diagnostics, completes and hovers like the in-process server', async () => {
    const uri = 'file:///work/stacks/web.stack.yaml';
    const text =
      'metadata:\n  name: web\n  target_type: docker\ntemplate:\n  image: "nginx:{{ tga }}"\nvariables:\n  tag:\n    type: string\n    label: Tag\n    default: latest\n';
    client.open(uri, text);
    const published = await client.diagnostics(uri, 1);
    const undefinedVariable = published.diagnostics.find((diagnostic) => diagnostic.code === 'WF020');
    assert.deepEqual(undefinedVariable?.range, range(4, 19, 4, 22));
    assert.equal(undefinedVariable?.message, "undefined variable 'tga'; did you mean 'tag'?: it renders empty");
    assert.match(undefinedVariable?.codeDescription?.href ?? '', /^file:\/\/.*\/docs\/diagnostics\.md#wf020$/);

    const completion = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 4, character: 20 },
    });
    const items = Array.isArray(completion) ? completion : (completion as CompletionList).items;
    assert.equal((items as CompletionItem[])[0].label, 'tag');

    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: 6, character: 3 },
    });
    assert.deepEqual(hover?.contents, { kind: 'markdown', value: '**Tag** `tag`: string\n\nDefault: `latest`' });
  });

  it('checks kubernetes templates with the schemas copied next to the bundle', async () => {
    const uri = 'file:///work/stacks/kube.stack.yaml';
    const text = [
      'metadata:',
      '  name: web',
      '  target_type: kubernetes',
      'template:',
      '  apiVersion: v1',
      '  kind: Service',
      '  metadata:',
      '    name: web',
      '  spec:',
      '    type: LoadBalancr',
      '',
    ].join('\n');
    client.open(uri, text);
    const published = await client.diagnostics(uri, 1);
    const notAllowed = published.diagnostics.find((diagnostic) => diagnostic.code === 'WF103');
    assert.deepEqual(notAllowed?.range, range(9, 10, 9, 21));
  });
});
