import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StackDiagnostic } from '../../server/src/stack';
import { checkStack } from '../../server/src/stack/check';
import { parseStack } from '../../server/src/stack/model';
import { diagnose, spanOf, stack } from './util';

function found(text: string, codes = ['WF050', 'WF051', 'WF052', 'WF053']): StackDiagnostic[] {
  return diagnose(text).filter((d) => codes.includes(d.code));
}

function apiVersionFindings(text: string, kubernetesVersion?: string): [string, string, unknown, string][] {
  return checkStack(parseStack(text), { kubernetesVersion })
    .filter((d) => ['WF052', 'WF120', 'WF121', 'WF122'].includes(d.code))
    .map((d) => [d.code, d.severity, d.span, d.message]);
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

  it('WF052: a kind its built-in apiVersion does not have, with a suggestion; custom resources are left alone', () => {
    const text = kubernetes('  apiVersion: v1\n  kind: ConfigMpa\n  metadata:\n    name: cfg');
    const [d] = found(text);
    assert.deepEqual([d.code, d.severity, d.span], ['WF052', 'error', spanOf(text, 'ConfigMpa')]);
    assert.match(d.message, /^`v1` has no kind ConfigMpa; did you mean 'ConfigMap'\?/);
    const custom = kubernetes('  apiVersion: example.com/v1\n  kind: Widget\n  metadata:\n    name: w');
    assert.deepEqual(found(custom), []);
    const aggregated = kubernetes(
      '  apiVersion: apiregistration.k8s.io/v1\n  kind: APIService\n  metadata:\n    name: v1.x.example.com',
    );
    assert.deepEqual(found(aggregated), []);
  });

  it('WF052: a built-in kind under an apiVersion that does not serve it names the right one', () => {
    const text = kubernetes('  apiVersion: v1\n  kind: Deployment\n  metadata:\n    name: web');
    assert.deepEqual(apiVersionFindings(text), [
      ['WF052', 'error', spanOf(text, 'v1', { after: 'apiVersion:' }), '`v1` does not serve Deployment: use `apps/v1`'],
    ]);
    // A cluster newer than the schemas may serve it: a warning, not an error.
    assert.equal(apiVersionFindings(text, '1.33')[0]?.[1], 'warning');
  });

  it('WF120: an apiVersion removed by the configured cluster version is an error naming the replacement', () => {
    const text = kubernetes('  apiVersion: extensions/v1beta1\n  kind: Deployment\n  metadata:\n    name: web');
    assert.deepEqual(apiVersionFindings(text), [
      [
        'WF120',
        'error',
        spanOf(text, 'extensions/v1beta1'),
        'Kubernetes 1.16 removed `extensions/v1beta1` Deployment (the cluster version is 1.30): use `apps/v1`',
      ],
    ]);
    const pdb = kubernetes('  apiVersion: policy/v1beta1\n  kind: PodDisruptionBudget\n  metadata:\n    name: web');
    assert.match(apiVersionFindings(pdb)[0]![3], /removed `policy\/v1beta1` PodDisruptionBudget .*use `policy\/v1`/);
    const psp = kubernetes('  apiVersion: policy/v1beta1\n  kind: PodSecurityPolicy\n  metadata:\n    name: strict');
    assert.match(apiVersionFindings(psp)[0]![3], /use nothing: Pod Security Admission/);
  });

  it('WF121: a deprecated apiVersion still served by the cluster version is a warning; older clusters follow the setting', () => {
    const cronJob = kubernetes('  apiVersion: batch/v1beta1\n  kind: CronJob\n  metadata:\n    name: nightly');
    assert.deepEqual(apiVersionFindings(cronJob, '1.23'), [
      [
        'WF121',
        'warning',
        spanOf(cronJob, 'batch/v1beta1'),
        '`batch/v1beta1` CronJob is deprecated since Kubernetes 1.21 and removed in 1.25: use `batch/v1`',
      ],
    ]);
    assert.deepEqual(apiVersionFindings(cronJob, 'v1.20.4'), []);
    assert.equal(apiVersionFindings(cronJob, '1.25')[0]?.[0], 'WF120');
    const flowSchema = kubernetes(
      '  apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\n  kind: FlowSchema\n  metadata:\n    name: f',
    );
    assert.equal(apiVersionFindings(flowSchema)[0]?.[0], 'WF121');
  });

  it('WF122: an apiVersion newer than the configured cluster version names the one that cluster serves', () => {
    const text = kubernetes('  apiVersion: networking.k8s.io/v1\n  kind: Ingress\n  metadata:\n    name: web');
    assert.deepEqual(
      apiVersionFindings(text, '1.18').map(([code, severity, span, message]) => [code, severity, span, message]),
      [
        [
          'WF122',
          'error',
          spanOf(text, 'networking.k8s.io/v1'),
          'Kubernetes 1.19 introduced `networking.k8s.io/v1` Ingress: a 1.18 cluster does not serve it (it serves `extensions/v1beta1` or `networking.k8s.io/v1beta1`)',
        ],
      ],
    );
    assert.deepEqual(apiVersionFindings(text, '1.19'), []);
    assert.deepEqual(apiVersionFindings(text), []);
  });

  it('WF120: every item of a kind: List is checked', () => {
    const text = kubernetes(
      [
        '  apiVersion: v1',
        '  kind: List',
        '  items:',
        '    - apiVersion: networking.k8s.io/v1beta1',
        '      kind: Ingress',
        '      metadata:',
        '        name: web',
        '    - apiVersion: autoscaling/v2beta2',
        '      kind: HorizontalPodAutoscaler',
        '      metadata:',
        '        name: web',
      ].join('\n'),
    );
    assert.deepEqual(
      apiVersionFindings(text).map(([code, , span]) => [code, span]),
      [
        ['WF120', spanOf(text, 'networking.k8s.io/v1beta1')],
        ['WF120', spanOf(text, 'autoscaling/v2beta2')],
      ],
    );
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

  it('PersistentVolume, StorageClass, ReplicationController and APIService are built-in kinds: no warning', () => {
    const text = kubernetes(
      [
        '  apiVersion: v1',
        '  kind: List',
        '  items:',
        '    - { apiVersion: v1, kind: PersistentVolume, metadata: { name: data, namespace: ignored } }',
        '    - { apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: { name: fast } }',
        '    - { apiVersion: v1, kind: ReplicationController, metadata: { name: legacy } }',
        '    - { apiVersion: apiregistration.k8s.io/v1, kind: APIService, metadata: { name: v1beta1.metrics.k8s.io } }',
      ].join('\n'),
    );
    assert.deepEqual(
      found(text).map((d) => [d.code, d.severity, d.span]),
      [['WF053', 'information', spanOf(text, 'ignored')]],
    );
  });

  it('a clean Kubernetes stack has no error or warning at all', () => {
    const text = readFileSync(path.join(__dirname, '../fixtures/stacks/kubernetes-clean.yaml'), 'utf8');
    const problems = diagnose(text).filter((d) => d.severity === 'error' || d.severity === 'warning');
    assert.deepEqual(problems, []);
  });
});
