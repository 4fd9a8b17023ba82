import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeconfigError, discoverKubernetesTargets } from '../../client/src/targets/kubernetes/discover';
import {
  ManifestError,
  inApplyOrder,
  isClusterScoped,
  manifestsOf,
  sanitiseLabelValue,
  withDeploymentLabels,
} from '../../client/src/targets/kubernetes/objects';

function kubeconfig(contexts: { name: string; namespace?: string }[]): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c1',
    '  cluster: {server: "http://127.0.0.1:1", insecure-skip-tls-verify: true}',
    'users:',
    '- name: u1',
    '  user: {token: abc}',
    'contexts:',
    ...contexts.map(
      (context) =>
        `- name: ${context.name}\n  context: {cluster: c1, user: u1${context.namespace ? `, namespace: ${context.namespace}` : ''}}`,
    ),
  ].join('\n');
}

describe('Kubernetes target discovery', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-kubeconfig-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists every context of every KUBECONFIG file, first definition winning, with its namespace', () => {
    const first = path.join(dir, 'a.yaml');
    const second = path.join(dir, 'b.yaml');
    fs.writeFileSync(first, kubeconfig([{ name: 'dev', namespace: 'shop' }, { name: 'prod' }]));
    fs.writeFileSync(
      second,
      kubeconfig([
        { name: 'prod', namespace: 'ignored' },
        { name: 'staging', namespace: 'qa' },
      ]),
    );
    const joined = [first, path.join(dir, 'missing.yaml'), second].join(path.delimiter);
    const targets = discoverKubernetesTargets({ KUBECONFIG: joined }, '/nonexistent-home');
    const files = [first, path.join(dir, 'missing.yaml'), second].join(path.delimiter);
    assert.deepEqual(targets, [
      { name: 'dev', kind: 'kubernetes', context: 'dev', kubeconfig: files, namespace: 'shop' },
      { name: 'prod', kind: 'kubernetes', context: 'prod', kubeconfig: files, namespace: 'default' },
      { name: 'staging', kind: 'kubernetes', context: 'staging', kubeconfig: files, namespace: 'qa' },
    ]);
  });

  it('falls back to ~/.kube/config, and finds nothing when there is no kubeconfig', () => {
    assert.deepEqual(discoverKubernetesTargets({}, dir), []);
    fs.mkdirSync(path.join(dir, '.kube'));
    fs.writeFileSync(path.join(dir, '.kube', 'config'), kubeconfig([{ name: 'home' }]));
    assert.deepEqual(
      discoverKubernetesTargets({ KUBECONFIG: '' }, dir).map((target) => [target.name, target.namespace]),
      [['home', 'default']],
    );
  });

  it('names the file and the reason for an invalid kubeconfig', () => {
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, 'contexts: [\n');
    assert.throws(
      () => discoverKubernetesTargets({ KUBECONFIG: broken }, dir),
      (error: unknown) =>
        error instanceof KubeconfigError && error.file === broken && /^is not valid YAML: /.test(error.reason),
    );
    fs.writeFileSync(broken, 'contexts:\n- context: {cluster: c1}\n');
    assert.throws(() => discoverKubernetesTargets({ KUBECONFIG: broken }, dir), {
      name: 'KubeconfigError',
      message: `Kubeconfig ${broken}: contexts[0] has no name`,
    });
    fs.writeFileSync(broken, 'contexts: {dev: {}}\n');
    assert.throws(() => discoverKubernetesTargets({ KUBECONFIG: broken }, dir), {
      message: `Kubeconfig ${broken}: "contexts" must be a list`,
    });
  });

  it('reports a kubeconfig that exists but cannot be read (a directory)', () => {
    assert.throws(() => discoverKubernetesTargets({ KUBECONFIG: dir }, dir), {
      message: `Kubeconfig ${dir}: cannot be read (EISDIR)`,
    });
  });
});

describe('Kubernetes template objects', () => {
  it('validates apiVersion, kind and DNS-1123 names, naming the object', () => {
    assert.throws(() => manifestsOf({ kind: 'ConfigMap', metadata: { name: 'a' } }), {
      name: 'ManifestError',
      message: 'template (ConfigMap): apiVersion is missing or not a string',
    });
    assert.throws(
      () =>
        manifestsOf({
          apiVersion: 'v1',
          kind: 'List',
          items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok' } }, 'text'],
        }),
      { message: 'item 2: must be a mapping (a Kubernetes object), got a string' },
    );
    assert.throws(() => manifestsOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'Web_App' } }), {
      message:
        "template (Deployment Web_App): metadata.name \"Web_App\" is not a valid DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit",
    });
    assert.throws(
      () => manifestsOf({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web.v1' } }),
      ManifestError,
    );
    assert.throws(() => manifestsOf({ apiVersion: 'v1', kind: 'List', items: [] }), {
      message: 'template (List): items must be a non-empty list of Kubernetes objects',
    });
  });

  it('orders objects namespaces first, configuration before Services before workloads, unknown kinds last', () => {
    const objects = manifestsOf({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      ],
    });
    assert.deepEqual(
      inApplyOrder(objects).map((object) => `${object.kind}/${object.metadata.name}`),
      ['Namespace/shop', 'ConfigMap/b', 'ConfigMap/a', 'Service/web', 'Deployment/web', 'Widget/w'],
    );
  });

  it('orders every built-in kind the way Helm installs them: storage before claims, APIService last, custom resources after their definition', () => {
    const objects = manifestsOf({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.metrics.example.com' } },
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
        { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy' } },
        { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' } },
        { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'data' } },
        { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' } },
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'widgets.example.com' },
        },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'metrics' } },
      ],
    });
    assert.deepEqual(
      inApplyOrder(objects).map((object) => object.kind),
      [
        'StorageClass',
        'PersistentVolume',
        'PersistentVolumeClaim',
        'CustomResourceDefinition',
        'Service',
        'ReplicationController',
        'APIService',
        'Widget',
      ],
    );
    for (const kind of ['PersistentVolume', 'StorageClass', 'APIService', 'CustomResourceDefinition']) {
      assert.ok(isClusterScoped(kind), kind);
    }
    assert.ok(!isClusterScoped('ReplicationController'));
  });

  it('labels objects and pod templates, and sanitises the stack name into a label value', () => {
    assert.equal(sanitiseLabelValue('My Shop: (prod)!'), 'My-Shop---prod');
    assert.equal(sanitiseLabelValue('x'.repeat(70)), 'x'.repeat(63));
    const [deployment] = manifestsOf({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } },
    });
    const labelled = withDeploymentLabels(deployment, { 'windflow.io/deployment': 'd1' }, 'team');
    assert.deepEqual(labelled.metadata, {
      name: 'web',
      namespace: 'team',
      labels: { app: 'web', 'windflow.io/deployment': 'd1' },
    });
    assert.deepEqual(labelled.spec, {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', 'windflow.io/deployment': 'd1' } } },
    });
    assert.deepEqual(deployment.metadata, { name: 'web', labels: { app: 'web' } }, 'the template is not modified');
  });
});
