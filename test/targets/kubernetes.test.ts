import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverKubernetesTargets } from '../../client/src/targets/kubernetes/discover';
import { KubernetesDeployError, KubernetesTarget } from '../../client/src/targets/kubernetes/kubernetesTarget';
import {
  DeployError,
  KubernetesTargetConfig,
  LogLine,
  RenderedStack,
  TargetError,
} from '../../client/src/targets/target';
import { LoopbackKubernetesApiServer } from '../fixtures/kubeApiServer';
import { selfSignedCertificate } from '../fixtures/selfSignedCertificate';

const TOKEN = 'test-token-8f2c';

function kubeconfigText(
  server: string,
  contexts: { name: string; token: string; namespace?: string; server?: string }[],
) {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  contexts.forEach((context) =>
    lines.push(
      `- name: ${context.name}`,
      `  cluster: {server: "${context.server ?? server}", insecure-skip-tls-verify: true}`,
    ),
  );
  lines.push('users:');
  contexts.forEach((context) => lines.push(`- name: ${context.name}-user`, `  user: {token: ${context.token}}`));
  lines.push('contexts:');
  contexts.forEach((context) =>
    lines.push(
      `- name: ${context.name}`,
      `  context: {cluster: ${context.name}, user: ${context.name}-user${context.namespace ? `, namespace: ${context.namespace}` : ''}}`,
    ),
  );
  lines.push(`current-context: ${contexts[0].name}`);
  return lines.join('\n');
}

function stack(template: unknown, deploymentName = 'web-prod', secrets: string[] = []): RenderedStack {
  return { stackName: 'Shop Stack', targetType: 'kubernetes', deploymentName, template, secrets };
}

function deployment(name: string, namespace?: string, replicas = 2) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'app', image: 'local/shop:1', ports: [{ containerPort: 8080 }] },
            { name: 'sidecar', image: 'local/proxy:1' },
          ],
        },
      },
    },
  };
}

const SHOP_LIST = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    },
    deployment('web', 'shop'),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace: 'shop' },
      data: { mode: 'prod' },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      stringData: { password: 's3cr3t-pw' },
    },
  ],
};

/** Polls a condition the server or the target reaches asynchronously; fails with `what` if it never does. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`never happened: ${what}`);
}

describe('Kubernetes target against the loopback Kubernetes API server', () => {
  let server: LoopbackKubernetesApiServer;
  let dir: string;
  let configs: KubernetesTargetConfig[];
  const targets: KubernetesTarget[] = [];

  function target(name: string, options = {}): KubernetesTarget {
    const config = configs.find((candidate) => candidate.name === name);
    assert.ok(config, `context ${name} discovered`);
    const created = new KubernetesTarget(config, options);
    targets.push(created);
    return created;
  }

  beforeEach(async () => {
    server = new LoopbackKubernetesApiServer({ token: TOKEN });
    const url = await server.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-kube-'));
    const main = path.join(dir, 'config');
    const extra = path.join(dir, 'extra-config');
    fs.writeFileSync(
      main,
      kubeconfigText(url, [
        { name: 'loopback', token: TOKEN },
        { name: 'expired', token: 'revoked-token' },
      ]),
    );
    fs.writeFileSync(
      extra,
      kubeconfigText(url, [
        { name: 'team', token: TOKEN, namespace: 'team-a' },
        { name: 'unreachable', token: TOKEN, server: 'http://127.0.0.1:1' },
      ]),
    );
    configs = discoverKubernetesTargets({ KUBECONFIG: [main, extra].join(path.delimiter) }, dir);
  });

  afterEach(async () => {
    targets.splice(0).forEach((created) => created.dispose());
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('discovers the contexts of both kubeconfig files', () => {
    assert.deepEqual(
      configs.map((config) => [config.name, config.namespace]),
      [
        ['loopback', 'default'],
        ['expired', 'default'],
        ['team', 'team-a'],
        ['unreachable', 'default'],
      ],
    );
    assert.equal(target('loopback').supports('kubernetes'), true);
    assert.equal(target('loopback').supports('docker_compose'), false);
  });

  it('pings a reachable cluster and explains 401 and an unreachable cluster', async () => {
    await target('loopback').ping();
    await assert.rejects(target('expired').ping(), (error: unknown) => {
      assert.ok(error instanceof TargetError);
      assert.match(
        error.message,
        /^Kubernetes target "expired": cannot reach the cluster: credentials expired or invalid for http:\/\/127\.0\.0\.1:\d+ \(401 Unauthorized\)$/,
      );
      return true;
    });
    await assert.rejects(target('unreachable').ping(), {
      name: 'TargetError',
      message:
        'Kubernetes target "unreachable": cannot reach the cluster: cluster unreachable at http://127.0.0.1:1 (ECONNREFUSED)',
    });
  });

  it('explains a context that is not in the kubeconfig and a kubeconfig that is not YAML', async () => {
    const kubeconfig = configs[0].kubeconfig;
    const ghost = new KubernetesTarget({ name: 'ghost', kind: 'kubernetes', context: 'ghost', kubeconfig });
    await assert.rejects(ghost.ping(), {
      name: 'TargetError',
      message: `Context "ghost" is not in the kubeconfig (${kubeconfig?.split(path.delimiter).join(', ')})`,
    });
    const broken = path.join(dir, 'broken-config');
    fs.writeFileSync(broken, 'clusters: [\n');
    const brokenTarget = new KubernetesTarget({ name: 'b', kind: 'kubernetes', context: 'b', kubeconfig: broken });
    await assert.rejects(brokenTarget.ping(), (error: unknown) => {
      assert.ok(error instanceof TargetError);
      assert.ok(error.message.startsWith(`Kubeconfig ${broken}: `), error.message);
      return true;
    });
  });

  it('reports a TLS failure against a server whose certificate the kubeconfig does not trust', async () => {
    const { key, cert } = selfSignedCertificate(dir);
    const tlsServer = new LoopbackKubernetesApiServer({ token: TOKEN, tls: { key, cert } });
    const url = await tlsServer.start();
    try {
      const file = path.join(dir, 'tls-config');
      fs.writeFileSync(
        file,
        kubeconfigText(url, [{ name: 'tls', token: TOKEN }]).replace(', insecure-skip-tls-verify: true', ''),
      );
      const tlsTarget = new KubernetesTarget({ name: 'tls', kind: 'kubernetes', context: 'tls', kubeconfig: file });
      await assert.rejects(tlsTarget.ping(), {
        name: 'TargetError',
        message: `Kubernetes target "tls": cannot reach the cluster: TLS problem talking to ${url}: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT); check the cluster's certificate-authority in the kubeconfig`,
      });
    } finally {
      await tlsServer.stop();
    }
  });

  it('deploys a List in apply order with windflow labels and field manager', async () => {
    const progress: string[] = [];
    const result = await target('loopback').deploy(stack(SHOP_LIST, 'web-prod', ['s3cr3t-pw']), {
      onProgress: (event) => progress.push(event.message),
    });
    assert.deepEqual(result, {
      deploymentName: 'web-prod',
      created: [
        'Namespace shop',
        'Secret shop/db',
        'ConfigMap shop/web-config',
        'Service shop/web',
        'Deployment shop/web',
      ],
      updated: [],
      replaced: false,
    });
    assert.deepEqual(
      server.requests.filter((request) => request.verb === 'apply').map((request) => request.resource),
      ['namespaces', 'secrets', 'configmaps', 'services', 'deployments.apps', 'secrets'],
      'the objects, then the record of what was applied',
    );
    assert.equal(progress[0], 'Created Namespace shop');
    const stored = server.get('Deployment', 'shop', 'web');
    assert.ok(stored);
    const metadata = stored.metadata as {
      labels: Record<string, string>;
      managedFields: { manager: string; operation: string }[];
    };
    assert.deepEqual(metadata.labels, {
      'app.kubernetes.io/managed-by': 'windflow',
      'windflow.io/stack': 'Shop-Stack',
      'windflow.io/deployment': 'web-prod',
    });
    assert.deepEqual(
      metadata.managedFields.map((entry) => [entry.manager, entry.operation]),
      [['windflow', 'Apply']],
    );
    assert.deepEqual(server.names('Pod').length, 2);
  });

  it('shows status with workloads and pods, including a failing pod reason', async () => {
    await target('loopback').deploy(
      stack({
        apiVersion: 'v1',
        kind: 'List',
        items: [deployment('web', undefined, 2), deployment('worker', undefined, 1)],
      }),
    );
    // The worker's image goes away after the deploy: its pods fail once restarted.
    server.setPodFault('worker', { reason: 'ImagePullBackOff' });
    await target('loopback').stop('web-prod');
    await target('loopback').start('web-prod');
    const status = await target('loopback').status('web-prod');
    assert.equal(status.state, 'partial');
    assert.equal(status.stackName, 'Shop-Stack');
    assert.deepEqual(status.workloads, [
      { kind: 'Deployment', name: 'web', desired: 2, ready: 2 },
      { kind: 'Deployment', name: 'worker', desired: 1, ready: 0 },
    ]);
    assert.deepEqual(
      status.units.map((unit) => [
        unit.service,
        unit.kind,
        unit.state,
        unit.reason,
        unit.restarts,
        unit.ports,
        unit.image,
      ]),
      [
        ['web', 'pod', 'running', undefined, 0, ['8080/TCP'], 'local/shop:1'],
        ['web', 'pod', 'running', undefined, 0, ['8080/TCP'], 'local/shop:1'],
        ['worker', 'pod', 'failed', 'ImagePullBackOff', 0, ['8080/TCP'], 'local/shop:1'],
      ],
    );
    assert.ok(status.units.every((unit) => unit.createdAt instanceof Date && /^(web|worker)-/.test(unit.name)));
    await assert.rejects(target('loopback').status('nope'), {
      name: 'TargetError',
      message: 'No deployment "nope" on Kubernetes target "loopback"',
    });
    assert.deepEqual(await target('loopback').list(), [
      { deploymentName: 'web-prod', stackName: 'Shop-Stack', targetType: 'kubernetes', state: 'partial', unitCount: 3 },
    ]);
  });

  it('reads logs of every container or one, with tail and timestamps, and follows until aborted', async () => {
    await target('loopback').deploy(stack(deployment('web', undefined, 1)));
    const [podName] = server.names('Pod').map((name) => name.split('/')[1]);
    const lines: LogLine[] = [];
    await target('loopback').logs('web-prod', {}, (line) => lines.push(line));
    assert.deepEqual(
      lines.map((line) => [line.unit, line.service, line.text]),
      [
        [podName, 'app', 'app starting'],
        [podName, 'app', 'app listening'],
        [podName, 'app', 'app ready'],
        [podName, 'sidecar', 'sidecar starting'],
        [podName, 'sidecar', 'sidecar listening'],
        [podName, 'sidecar', 'sidecar ready'],
      ],
    );
    lines.length = 0;
    await target('loopback').logs('web-prod', { service: 'sidecar', tail: 1, timestamps: true }, (line) =>
      lines.push(line),
    );
    assert.equal(lines.length, 1);
    assert.equal(lines[0].text, 'sidecar ready');
    assert.match(lines[0].timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await assert.rejects(
      target('loopback').logs('web-prod', { service: 'db' }, () => undefined),
      {
        message: 'No container "db" in the pods of "web-prod"; containers: app, sidecar',
      },
    );
    lines.length = 0;
    const inAnHour = String(Math.floor(Date.now() / 1000) + 3600);
    await target('loopback').logs('web-prod', { since: inAnHour }, (line) => lines.push(line));
    assert.equal(lines.length, 0, 'nothing was logged after a time in the future');
    await assert.rejects(
      target('loopback').logs('web-prod', { since: 'yesterday' }, () => undefined),
      {
        message: '"yesterday" is not a time: use Unix seconds, a duration like 10m or 2h, or an RFC 3339 time',
      },
    );

    lines.length = 0;
    const controller = new AbortController();
    const following = target('loopback').logs(
      'web-prod',
      { service: 'app', follow: true, since: '10m', signal: controller.signal },
      (line) => lines.push(line),
    );
    await until(() => lines.length === 3, 'the existing lines arrive');
    server.appendLog('default', podName, 'app', 'GET /health 200');
    await until(() => lines.length === 4, 'the appended line arrives');
    controller.abort();
    await following;
    assert.equal(lines[3].text, 'GET /health 200');
  });

  it('fails a followed log whose connection breaks instead of hanging', async () => {
    await target('loopback').deploy(stack(deployment('web', undefined, 1)));
    const lines: LogLine[] = [];
    const following = target('loopback').logs('web-prod', { follow: true }, (line) => lines.push(line));
    await until(() => lines.length === 6, 'both containers’ lines arrive');
    server.dropLogStreams();
    await assert.rejects(following, (error: unknown) => {
      assert.ok(error instanceof TargetError);
      assert.match(
        error.message,
        /^Kubernetes target "loopback": cannot read the logs of web-[0-9a-f]{10}-[0-9a-f]{5}\/(app|sidecar): the API server closed the log stream$/,
      );
      return true;
    });
  });

  it('removes in reverse apply order and keeps volume claims unless asked to delete data', async () => {
    const template = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        deployment('web'),
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, data: { a: '1' } },
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    };
    await target('loopback').deploy(stack(template));
    const first = await target('loopback').remove('web-prod');
    assert.deepEqual(first, {
      removed: ['Deployment default/web', 'ConfigMap default/web-config'],
      kept: ['PersistentVolumeClaim default/data'],
    });
    assert.deepEqual(server.names('Pod'), [], 'the pods went with their Deployment');
    assert.deepEqual(server.names('PersistentVolumeClaim'), ['default/data']);
    const second = await target('loopback').remove('web-prod', { deleteData: true });
    assert.deepEqual(second, { removed: ['PersistentVolumeClaim default/data'], kept: [] });
    await target('loopback').deploy(stack(template));
    server.forbid('delete', 'configmaps');
    await assert.rejects(target('loopback').remove('web-prod', { deleteData: true }), {
      name: 'TargetError',
      message:
        'Kubernetes target "loopback": cannot delete ConfigMap default/web-config (already removed: Deployment default/web, PersistentVolumeClaim default/data): forbidden (403): configmaps "web-config" is forbidden: User "windflow-test" cannot delete resource "configmaps" in API group "" in the namespace "default"',
    });
    await assert.rejects(target('loopback').remove('nothing-here'), {
      message: 'No deployment "nothing-here" on Kubernetes target "loopback"',
    });
  });

  it('refuses to take over an object it did not create, before applying anything', async () => {
    server.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace: 'shop' },
      data: { mode: 'dev' },
    });
    await assert.rejects(target('loopback').deploy(stack(SHOP_LIST)), {
      name: 'KubernetesDeployError',
      message:
        'Deploy of "web-prod" failed at inspect: ConfigMap shop/web-config already exists and was not created by WindFlow. Rename it in the template or remove it from the cluster. Nothing was applied.',
    });
    assert.deepEqual(
      server.requests.filter((request) => request.verb === 'apply'),
      [],
    );
    assert.deepEqual((server.get('ConfigMap', 'shop', 'web-config') as { data: unknown }).data, { mode: 'dev' });
  });

  it('restores what a failed redeploy updated to the previous deploy and deletes what it created', async () => {
    const configMap = (mode: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace: 'shop' },
      data: { mode },
    });
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    await target('loopback').deploy(stack({ apiVersion: 'v1', kind: 'List', items: [namespace, configMap('prod')] }));
    server.rejectApply('Service', 'web', 'spec.ports: Required value');
    await assert.rejects(target('loopback').deploy(stack(SHOP_LIST, 'web-prod', ['s3cr3t-pw'])), (error: unknown) => {
      assert.ok(error instanceof KubernetesDeployError);
      assert.equal(error.step, 'apply');
      assert.deepEqual(error.rolledBack, ['Secret shop/db', 'Namespace shop', 'ConfigMap shop/web-config']);
      assert.deepEqual(error.leftover, []);
      assert.equal(
        error.message,
        'Deploy of "web-prod" failed at apply: Service shop/web was refused: the API server answered 422 Invalid: Service "web" is invalid: spec.ports: Required value. Deleted again: Secret shop/db. Restored as the previous deploy left it: Namespace shop, ConfigMap shop/web-config.',
      );
      return true;
    });
    assert.deepEqual(server.names('Secret'), ['default/windflow-applied-web-prod']);
    assert.deepEqual(server.names('Deployment'), []);
    assert.deepEqual((server.get('ConfigMap', 'shop', 'web-config') as { data: unknown }).data, { mode: 'prod' });
  });

  it('keeps secret values out of the error when the API server echoes them', async () => {
    server.rejectApply('Secret', 'db', 'stringData.password: Invalid value: "s3cr3t-pw": too short');
    await assert.rejects(target('loopback').deploy(stack(SHOP_LIST, 'web-prod', ['s3cr3t-pw'])), {
      message:
        'Deploy of "web-prod" failed at apply: Secret shop/db was refused: the API server answered 422 Invalid: Secret "db" is invalid: stringData.password: Invalid value: "***": too short. Deleted again: Namespace shop.',
    });
  });

  it('cancels a deploy whose signal aborted and removes what it had created', async () => {
    const controller = new AbortController();
    const cancelAfterNamespace = (event: { message: string }) => {
      if (event.message === 'Created Namespace team-a') controller.abort();
    };
    const deploying = target('team').deploy(stack(deployment('web')), {
      signal: controller.signal,
      onProgress: cancelAfterNamespace,
    });
    await assert.rejects(deploying, {
      name: 'KubernetesDeployError',
      message: 'Deploy of "web-prod" failed at apply: the deploy was cancelled. Deleted again: Namespace team-a.',
    });
    assert.deepEqual(server.names('Deployment'), []);
    assert.deepEqual(server.names('Namespace'), ['default', 'kube-system']);
  });

  it('explains a forbidden verb and deletes the namespace it had created', async () => {
    server.forbid('patch', 'deployments');
    await assert.rejects(target('team').deploy(stack(deployment('web'))), (error: unknown) => {
      assert.ok(error instanceof DeployError);
      assert.equal(
        error.message,
        'Deploy of "web-prod" failed at apply: Deployment team-a/web was refused: forbidden (403): deployments.apps "web" is forbidden: User "windflow-test" cannot patch resource "deployments" in API group "apps" in the namespace "team-a". Deleted again: Namespace team-a.',
      );
      return true;
    });
    assert.deepEqual(server.names('Namespace'), ['default', 'kube-system']);
  });

  it('creates a missing namespace outside the deployment, and replaces the previous deploy on redeploy', async () => {
    const first = await target('team').deploy(
      stack({
        apiVersion: 'v1',
        kind: 'List',
        items: [deployment('web'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old-config' }, data: {} }],
      }),
    );
    assert.deepEqual(first.created, ['Namespace team-a', 'ConfigMap team-a/old-config', 'Deployment team-a/web']);
    const namespaceLabels = (server.get('Namespace', undefined, 'team-a')?.metadata as { labels: object }).labels;
    assert.deepEqual(namespaceLabels, { 'app.kubernetes.io/managed-by': 'windflow' });

    const second = await target('team').deploy(stack(deployment('web', undefined, 3)));
    assert.deepEqual(second, {
      deploymentName: 'web-prod',
      created: [],
      updated: ['Deployment team-a/web'],
      replaced: true,
    });
    assert.deepEqual(server.names('ConfigMap'), []);
    assert.equal(server.names('Pod').length, 3);
    assert.deepEqual(server.names('Namespace'), ['default', 'kube-system', 'team-a']);
  });

  it('rejects an invalid template before touching the cluster', async () => {
    await assert.rejects(
      target('loopback').deploy(stack({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad Name' } })),
      {
        name: 'DeployError',
        message:
          "Invalid template: template (ConfigMap Bad Name): metadata.name \"Bad Name\" is not a valid DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit",
      },
    );
    assert.deepEqual(server.requests, []);
  });

  it('falls back to the target namespace when listing and watching cluster-wide is forbidden', async () => {
    await target('loopback').deploy(stack(deployment('web', undefined, 1)));
    for (const verb of ['list', 'watch']) {
      for (const resource of ['pods', 'deployments', 'statefulsets', 'daemonsets', 'jobs']) {
        server.forbid(verb, resource, 'cluster-wide');
      }
    }
    const status = await target('loopback').status('web-prod');
    assert.deepEqual(status.workloads, [{ kind: 'Deployment', name: 'web', desired: 1, ready: 1 }]);
    assert.equal(status.units.length, 1);
    const watcher = target('loopback', { retryDelayMs: 5 }).watch(() => undefined);
    await until(() => server.openWatchCount() === 2, 'both namespaced watches open');
    assert.deepEqual(
      server.requests
        .filter((request) => request.verb === 'watch')
        .map((request) => `${request.resource} ${request.namespace ?? '(cluster)'}`)
        .sort(),
      ['deployments.apps (cluster)', 'deployments.apps default', 'pods (cluster)', 'pods default'],
    );
    watcher.dispose();
  });

  it('keeps watching pods and deployments, restarting the watches after errors, until disposed', async () => {
    await target('loopback').deploy(stack(deployment('web', undefined, 1)));
    let changes = 0;
    const watcher = target('loopback', { retryDelayMs: 5, maxRetryDelayMs: 20 }).watch(() => (changes += 1));
    await until(() => server.openWatchCount() === 2, 'both watches open');
    await until(() => changes >= 2, 'the initial ADDED events arrive');
    server.failNextWatches(4);
    server.dropWatches();
    await until(() => server.openWatchCount() === 2, 'both watches reopen after the failures');
    const watchRequests = server.requests.filter((request) => request.verb === 'watch');
    assert.equal(watchRequests.length, 8, '2 first watches, 4 refused with 500, 2 that succeed');
    assert.deepEqual([...new Set(watchRequests.map((request) => request.resource))].sort(), [
      'deployments.apps',
      'pods',
    ]);
    const before = changes;
    await target('loopback').deploy(stack(deployment('web', undefined, 2)));
    await until(() => changes > before, 'a change after the restart is seen');
    watcher.dispose();
    await until(() => server.openWatchCount() === 0, 'the watches close');
  });
});
