import assert from 'node:assert/strict';
import type { CompletionItem, Hover } from 'vscode-languageserver-types';
import { complete } from '../../server/src/features/completion';
import { hover } from '../../server/src/features/hover';
import { parseStack } from '../../server/src/stack/model';
import { marked } from '../helpers/cursor';
import { stack } from '../stack/util';

const DEPLOYMENT = [
  '  apiVersion: apps/v1',
  '  kind: Deployment',
  '  metadata:',
  '    name: web',
  '  spec:',
  '    replicas: 2',
  '    selector:',
  '      matchLabels:',
  '        app: web',
  '    template:',
  '      spec:',
  '        containers:',
  '          - name: web',
  '            image: nginx:1.27',
  '            imagePullPolicy: IfNotPresent',
].join('\n');

function kubernetes(template: string): string {
  return stack({ targetType: 'kubernetes', template, variables: '  {}' });
}

function completeAt(source: string): CompletionItem[] {
  const { text, offset } = marked(source);
  return complete(parseStack(text), offset);
}

function hoverAt(source: string, kubernetesVersion?: string): string | undefined {
  const { text, offset } = marked(source);
  const result: Hover | null = hover(parseStack(text), offset, { kubernetesVersion });
  return (result?.contents as { value: string } | undefined)?.value;
}

const labels = (items: CompletionItem[]) => items.map((item) => item.label);

describe('kubernetes templates: completion and hover from the generated schemas', () => {
  it('completes each item of a List from its own kind, and a new item from scratch', () => {
    const list = [
      '  apiVersion: v1',
      '  kind: List',
      '  items:',
      '    - apiVersion: v1',
      '      kind: ConfigMap',
      '      metadata: {name: settings}',
    ];
    const deployment = ['    - apiVersion: apps/v1', '      kind: Deployment'];
    const inSpec = labels(completeAt(kubernetes([...list, ...deployment, '      spec:', '        <|>'].join('\n'))));
    assert.ok(inSpec.includes('replicas') && inSpec.includes('template'), inSpec.join(', '));
    const inItem = labels(completeAt(kubernetes([...list, ...deployment, '      <|>'].join('\n'))));
    assert.ok(inItem.includes('spec') && !inItem.includes('data'), inItem.join(', '));
    const newItem = labels(completeAt(kubernetes([...list, '    - <|>'].join('\n'))));
    for (const key of ['apiVersion', 'kind', 'metadata']) assert.ok(newItem.includes(key), newItem.join(', '));
  });

  it('completes the keys of a container, required first, without those already written', () => {
    const items = completeAt(
      kubernetes(DEPLOYMENT.replace('            imagePullPolicy: IfNotPresent', '            <|>')),
    );
    assert.ok(!labels(items).includes('name'), 'name is written');
    assert.ok(!labels(items).includes('image'), 'image is written');
    for (const key of ['imagePullPolicy', 'ports', 'resources', 'livenessProbe', 'env']) {
      assert.ok(labels(items).includes(key), key);
    }
    const ports = items.find((item) => item.label === 'ports');
    assert.match((ports?.documentation as { value: string }).value, /List of ports to expose from the container/);
  });

  it('completes the keys of a Deployment spec, required first, and of every item of a List', () => {
    const items = completeAt(
      kubernetes('  apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: web\n  spec:\n    <|>'),
    );
    assert.deepEqual(labels(items).slice(0, 3), ['selector', 'template', 'minReadySeconds']);
    assert.deepEqual(
      items.slice(0, 3).map((item) => item.detail),
      ['required · object', 'required · object', 'integer'],
    );
    const list = kubernetes(
      '  apiVersion: v1\n  kind: List\n  items:\n    - apiVersion: v1\n      kind: Service\n      metadata:\n        name: web\n      spec:\n        <|>',
    );
    assert.ok(labels(completeAt(list)).includes('externalTrafficPolicy'));
  });

  it('completes enum values, and apiVersion/kind pairs', () => {
    const pull = completeAt(kubernetes(DEPLOYMENT.replace('imagePullPolicy: IfNotPresent', 'imagePullPolicy: <|>')));
    assert.deepEqual(labels(pull), ['Always', 'Never', 'IfNotPresent']);
    const kinds = completeAt(kubernetes(DEPLOYMENT.replace('kind: Deployment', 'kind: <|>')));
    assert.deepEqual(labels(kinds), ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet']);
    const versions = completeAt(kubernetes(DEPLOYMENT.replace('apiVersion: apps/v1', 'apiVersion: <|>')));
    assert.deepEqual(labels(versions), ['apps/v1']);
    const any = completeAt(kubernetes('  apiVersion: <|>'));
    assert.ok(labels(any).includes('networking.k8s.io/v1') && labels(any).includes('v1'));
  });

  it('hovers a key with its description, type, allowed values and the API reference of the configured version', () => {
    const text = hoverAt(kubernetes(DEPLOYMENT.replace('imagePullPolicy:', 'imagePull<|>Policy:')), '1.29');
    assert.match(text ?? '', /^\*\*imagePullPolicy\*\*: Image pull policy\. One of Always, Never, IfNotPresent/);
    assert.match(text ?? '', /Type: `string`/);
    assert.match(text ?? '', /One of: `Always`, `Never`, `IfNotPresent`/);
    assert.match(
      text ?? '',
      /\[Kubernetes API reference\]\(https:\/\/kubernetes\.io\/docs\/reference\/generated\/kubernetes-api\/v1\.29\/#deployment-v1-apps\)/,
    );
    const replicas = hoverAt(kubernetes(DEPLOYMENT.replace('replicas: 2', 'repl<|>icas: 2')));
    assert.match(replicas ?? '', /Type: `integer`/);
    assert.match(replicas ?? '', /kubernetes-api\/v1\.30\//);
  });

  it('leaves custom resources to the generic object shape', () => {
    const custom = kubernetes(
      '  apiVersion: example.com/v1\n  kind: Widget\n  metadata:\n    name: w\n  spec:\n    <|>',
    );
    assert.deepEqual(labels(completeAt(custom)), []);
  });
});
