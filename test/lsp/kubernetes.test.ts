import assert from 'node:assert/strict';
import {
  CompletionRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  HoverRequest,
} from 'vscode-languageserver-protocol';
import type { CompletionItem, CompletionList, MarkupContent } from 'vscode-languageserver-protocol';
import { range } from '../helpers/cursor';
import { startInProcessServer, TestClient } from './testClient';

const URI = 'file:///work/stacks/shop.stack.yaml';

const TEXT = [
  'metadata:', // 0
  '  name: shop',
  '  target_type: kubernetes',
  'template:',
  '  apiVersion: v1',
  '  kind: List', // 5
  '  items:',
  '    - apiVersion: apps/v1',
  '      kind: Deployment',
  '      metadata:',
  '        name: web', // 10
  '      spec:',
  '        replicas: "{{ replicas }}"',
  '        selector:',
  '          matchLabels: { app: web }',
  '        template:', // 15
  '          metadata:',
  '            labels: { app: web }',
  '          spec:',
  '            containers:',
  '              - name: web', // 20
  '                image: nginx:1.27',
  '                imagePullPolcy: Always',
  '    - apiVersion: v1',
  '      kind: Service',
  '      metadata:', // 25
  '        name: web',
  '      spec:',
  '        type: LoadBalancr',
  '        ports:',
  '          - port: 80', // 30
  '            targetPort: http',
  '    - apiVersion: batch/v1beta1',
  '      kind: CronJob',
  '      metadata:',
  '        name: nightly', // 35
  'variables:',
  '  replicas:',
  '    type: integer',
  '    label: Replicas',
  '    default: 2', // 40
  '',
].join('\n');

const itemsOf = (result: CompletionItem[] | CompletionList | null) =>
  Array.isArray(result) ? result : (result?.items ?? []);

describe('language server: kubernetes templates over LSP', () => {
  let client: TestClient;
  before(async () => {
    client = await startInProcessServer();
  });
  after(async () => {
    await client.close();
  });

  it('publishes the schema findings of every List item and the removed apiVersion, each on its exact range', async () => {
    client.open(URI, TEXT, 1);
    const published = await client.diagnostics(URI, 1);
    const found = published.diagnostics
      .filter((diagnostic) => String(diagnostic.code).startsWith('WF1'))
      .map((diagnostic) => [diagnostic.code, diagnostic.severity, diagnostic.range]);
    assert.deepEqual(found, [
      ['WF100', 1, range(22, 16, 22, 30)],
      ['WF103', 1, range(28, 14, 28, 25)],
      ['WF120', 1, range(32, 18, 32, 31)],
    ]);
  });

  it('follows windflow.kubernetes.version: on a 1.23 cluster batch/v1beta1 CronJob is only deprecated', async () => {
    client.settings = { kubernetes: { version: '1.23' } };
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 2 },
      contentChanges: [{ range: range(22, 16, 22, 30), text: 'imagePullPolicy' }],
    });
    const published = await client.diagnostics(URI, 2);
    const found = published.diagnostics
      .filter((diagnostic) => String(diagnostic.code).startsWith('WF1'))
      .map((diagnostic) => [diagnostic.code, diagnostic.severity, diagnostic.range]);
    assert.deepEqual(found, [
      ['WF103', 1, range(28, 14, 28, 25)],
      ['WF121', 2, range(32, 18, 32, 31)],
    ]);
  });

  it('completes enum values and hovers with the API reference of the configured version', async () => {
    const completion = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: URI },
      position: { line: 22, character: 33 },
    });
    assert.deepEqual(
      itemsOf(completion).map((item) => item.label),
      ['Always', 'Never', 'IfNotPresent'],
    );
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: URI },
      position: { line: 28, character: 9 },
    });
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /^\*\*type\*\*: type determines how the Service is exposed/);
    assert.match(value, /One of: `ExternalName`, `ClusterIP`, `NodePort`, `LoadBalancer`/);
    assert.match(value, /kubernetes-api\/v1\.23\/#service-v1-core\)$/);
  });
});
