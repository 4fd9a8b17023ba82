/** windflow.upstreamCompatibility through LSP: off by default, and turning it on re-checks open documents. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DidChangeConfigurationNotification } from 'vscode-languageserver-protocol';
import { startInProcessServer, type TestClient } from './testClient';

const EXAMPLE = path.resolve(__dirname, '../../examples/hello-busybox.stack.yaml');
const URI = 'file:///workspace/hello-busybox.stack.yaml';

describe('upstreamCompatibility setting (LSP)', () => {
  let client: TestClient;
  before(async () => {
    client = await startInProcessServer();
  });
  after(async () => {
    await client.close();
  });

  it('reports the upstream-only checks only once the setting is on', async () => {
    client.open(URI, readFileSync(EXAMPLE, 'utf8'), 1);
    assert.deepEqual((await client.diagnostics(URI, 1)).diagnostics, []);
    client.settings = { upstreamCompatibility: true };
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const on = await client.diagnostics(URI, 1);
    assert.deepEqual(
      on.diagnostics.map((diagnostic) => `${String(diagnostic.code)} ${String(diagnostic.message).split(' is')[0]}`),
      ['WF041 `network_mode`', 'WF041 `command`'],
    );
  });
});
