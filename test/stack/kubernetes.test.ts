import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StackDiagnostic } from '../../server/src/stack';
import { KUBERNETES_APPLY_ORDER } from '../../server/src/stack/checks/kubernetes';
import { diagnose, spanOf, stack } from './util';

function found(text: string, codes = ['WF050', 'WF051', 'WF052', 'WF053']): StackDiagnostic[] {
  return diagnose(text).filter((d) => codes.includes(d.code));
}

function kubernetes(template: string): string {
  return stack({ targetType: 'kubernetes', template, variables: '  {}' });
}

describe('kubernetes template checks', () => {
  it('WF050: an object without apiVersion, kind or metadata.name', () => {
    const text = kubernetes('  spec: {}');
    assert.deepEqual(
      found(text).map((d) => [d.severity, d.span, d.message]),
      [
        ['error', spanOf(text, 'template'), 'a Kubernetes object needs `apiVersion`'],
        ['error', spanOf(text, 'template'), 'a Kubernetes object needs `kind`'],
        ['error', spanOf(text, 'template'), 'a Kubernetes object needs `metadata` with a `name`'],
      ],
    );
    const noName = kubernetes('  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    labels: {}');
    assert.deepEqual(
      found(noName).map((d) => [d.severity, d.span]),
      [['error', spanOf(noName, 'metadata', { after: 'kind:' })]],
    );
  });

  it('WF050: a kind: List whose items are not objects, each item checked', () => {
    const text = kubernetes(
      '  apiVersion: v1\n  kind: List\n  items:\n    - just a string\n    - kind: ConfigMap\n      metadata:\n        name: cfg',
    );
    assert.deepEqual(
      found(text).map((d) => [d.severity, d.span, d.message]),
      [
        [
          'error',
          spanOf(text, 'just a string'),
          'List item 1 is not a Kubernetes object (a mapping with apiVersion, kind and metadata)',
        ],
        ['error', spanOf(text, 'kind', { after: '- just' }), 'a Kubernetes object needs `apiVersion`'],
      ],
    );
    const noItems = kubernetes('  apiVersion: v1\n  kind: List');
    assert.deepEqual(
      found(noItems).map((d) => [d.severity, d.span]),
      [['error', spanOf(noItems, 'List')]],
    );
  });

  it('WF051: literal names and namespaces that are not valid DNS names, by kind', () => {
    const text = kubernetes(
      [
        '  apiVersion: v1',
        '  kind: List',
        '  items:',
        '    - apiVersion: v1',
        '      kind: ConfigMap',
        '      metadata:',
        '        name: My_Config',
        '        namespace: team.a',
        '    - apiVersion: v1',
        '      kind: Service',
        '      metadata:',
        '        name: 1web',
        '    - apiVersion: rbac.authorization.k8s.io/v1',
        '      kind: Role',
        '      metadata:',
        '        name: "system:reader"',
        '    - apiVersion: apps/v1',
        '      kind: Deployment',
        '      metadata:',
        '        name: "{{ deployment_name }}"',
      ].join('\n'),
    );
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.span]),
      [
        ['WF051', 'error', spanOf(text, 'My_Config')],
        ['WF051', 'error', spanOf(text, 'team.a')],
        ['WF051', 'error', spanOf(text, '1web')],
      ],
    );
    assert.match(diagnostics[0].message, /'My_Config' is not a valid ConfigMap name: it must be a DNS-1123 subdomain/);
    assert.match(diagnostics[2].message, /DNS-1035 label/);
  });

  it('WF052: a kind the deployer does not order, with a suggestion', () => {
    const text = kubernetes('  apiVersion: v1\n  kind: ConfigMpa\n  metadata:\n    name: cfg');
    const [d] = found(text);
    assert.deepEqual([d.code, d.severity, d.span], ['WF052', 'warning', spanOf(text, 'ConfigMpa')]);
    assert.match(d.message, /did you mean 'ConfigMap'\?/);
  });

  it('WF053: the same object twice in a List, and a namespace on a cluster-scoped kind', () => {
    const item = '    - apiVersion: v1\n      kind: ConfigMap\n      metadata:\n        name: cfg';
    const text = kubernetes(
      `  apiVersion: v1\n  kind: List\n  items:\n${item}\n${item}\n    - apiVersion: v1\n      kind: Namespace\n      metadata:\n        name: team\n        namespace: other`,
    );
    assert.deepEqual(
      found(text).map((d) => [d.code, d.severity, d.span]),
      [
        ['WF053', 'warning', spanOf(text, 'cfg', { nth: 1 })],
        ['WF053', 'information', spanOf(text, 'other')],
      ],
    );
  });

  it('WF044: kubernetes is deployed by this extension only (information on target_type)', () => {
    const text = kubernetes('  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cfg');
    const [d] = found(text, ['WF044']);
    assert.deepEqual([d.severity, d.span], ['information', spanOf(text, 'kubernetes')]);
  });

  it('exports the apply order the deployer uses, namespaces first', () => {
    assert.equal(KUBERNETES_APPLY_ORDER[0], 'Namespace');
    assert.ok(KUBERNETES_APPLY_ORDER.indexOf('ConfigMap') < KUBERNETES_APPLY_ORDER.indexOf('Deployment'));
    assert.ok(KUBERNETES_APPLY_ORDER.indexOf('PersistentVolumeClaim') < KUBERNETES_APPLY_ORDER.indexOf('StatefulSet'));
    assert.equal(KUBERNETES_APPLY_ORDER.length, 23);
  });

  it('a clean Kubernetes stack has no error or warning at all', () => {
    const text = readFileSync(path.join(__dirname, '../fixtures/stacks/kubernetes-clean.yaml'), 'utf8');
    const problems = diagnose(text).filter((d) => d.severity === 'error' || d.severity === 'warning');
    assert.deepEqual(problems, []);
  });
});
