/**
 * Kubernetes stop and start against the loopback API server: workloads scaled to zero remembering their replicas in
 * an annotation (JSON merge patches, field manager windflow), CronJobs suspended, and everything restored by start.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubernetesTarget } from '../../client/src/targets/kubernetes/kubernetesTarget';
import { REPLICAS_BEFORE_STOP, SUSPENDED_BY_STOP } from '../../client/src/targets/kubernetes/stopping';
import { RenderedStack, TargetError } from '../../client/src/targets/target';
import { LoopbackKubernetesApiServer } from '../fixtures/kubeApiServer';

const TOKEN = 'stop-test-token';

function workload(kind: 'Deployment' | 'StatefulSet', name: string, replicas?: number) {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'local/app:1' }] } },
    },
  };
}

function cronJob(name: string, suspend?: boolean) {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '*/5 * * * *',
      ...(suspend === undefined ? {} : { suspend }),
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image: 'local/job:1' }] } } } },
    },
  };
}

function stack(items: unknown[]): RenderedStack {
  return {
    stackName: 'Shop',
    targetType: 'kubernetes',
    deploymentName: 'shop',
    template: { apiVersion: 'v1', kind: 'List', items },
    secrets: [],
  };
}

const SHOP = [
  workload('Deployment', 'web', 3),
  workload('StatefulSet', 'db'),
  cronJob('report'),
  cronJob('archive', true),
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'prod' } },
];

interface Stored {
  metadata: { annotations?: Record<string, string>; managedFields?: { manager: string; operation: string }[] };
  spec: { replicas?: number; suspend?: boolean };
}

describe('Kubernetes target: stop and start against the loopback API server', () => {
  let server: LoopbackKubernetesApiServer;
  let url: string;
  let dir: string;
  let target: KubernetesTarget;

  const stored = (kind: string, name: string) => server.get(kind, 'default', name) as unknown as Stored;
  const patchCount = () => server.requests.filter((request) => request.verb === 'patch').length;

  beforeEach(async () => {
    server = new LoopbackKubernetesApiServer({ token: TOKEN });
    url = await server.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-kube-stop-'));
    const kubeconfig = path.join(dir, 'config');
    fs.writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- {name: loopback, cluster: {server: "${url}", insecure-skip-tls-verify: true}}`,
        'users:',
        `- {name: tester, user: {token: ${TOKEN}}}`,
        'contexts:',
        '- {name: loopback, context: {cluster: loopback, user: tester, namespace: default}}',
        'current-context: loopback',
      ].join('\n'),
    );
    target = new KubernetesTarget({ name: 'loopback', kind: 'kubernetes', context: 'loopback', kubeconfig });
  });

  afterEach(async () => {
    target.dispose();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stop scales workloads to zero remembering their replicas and suspends CronJobs; start restores them', async () => {
    await target.deploy(stack(SHOP));
    assert.equal(server.names('Pod').length, 4);

    await target.stop('shop');
    assert.deepEqual(stored('Deployment', 'web').spec.replicas, 0);
    assert.deepEqual(stored('Deployment', 'web').metadata.annotations, { [REPLICAS_BEFORE_STOP]: '3' });
    assert.deepEqual(stored('StatefulSet', 'db').spec.replicas, 0);
    assert.deepEqual(stored('StatefulSet', 'db').metadata.annotations, { [REPLICAS_BEFORE_STOP]: '1' });
    assert.equal(stored('CronJob', 'report').spec.suspend, true);
    assert.deepEqual(stored('CronJob', 'report').metadata.annotations, { [SUSPENDED_BY_STOP]: 'true' });
    assert.equal(stored('CronJob', 'archive').metadata.annotations, undefined, 'already suspended: left alone');
    assert.deepEqual(server.names('Pod'), []);
    assert.deepEqual(
      stored('Deployment', 'web').metadata.managedFields?.map((entry) => `${entry.manager}/${entry.operation}`),
      ['windflow/Apply', 'windflow/Update'],
    );
    assert.equal(patchCount(), 3);

    const status = await target.status('shop');
    assert.equal(status.state, 'stopped');
    assert.deepEqual(status.units, []);
    assert.deepEqual(status.workloads, [
      { kind: 'Deployment', name: 'web', desired: 0, ready: 0 },
      { kind: 'StatefulSet', name: 'db', desired: 0, ready: 0 },
    ]);
    assert.deepEqual(await target.list(), [
      { deploymentName: 'shop', stackName: 'Shop', targetType: 'kubernetes', state: 'stopped', unitCount: 0 },
    ]);

    await target.stop('shop');
    assert.equal(patchCount(), 3, 'a second stop finds nothing to change');
    assert.deepEqual(stored('Deployment', 'web').metadata.annotations, { [REPLICAS_BEFORE_STOP]: '3' });

    await target.start('shop');
    assert.equal(stored('Deployment', 'web').spec.replicas, 3);
    assert.deepEqual(stored('Deployment', 'web').metadata.annotations, undefined);
    assert.equal(stored('StatefulSet', 'db').spec.replicas, 1);
    assert.equal(stored('CronJob', 'report').spec.suspend, false);
    assert.deepEqual(stored('CronJob', 'report').metadata.annotations, undefined);
    assert.equal(stored('CronJob', 'archive').spec.suspend, true, 'suspended by its template: stays suspended');
    assert.equal(server.names('Pod').length, 4);
    assert.equal((await target.status('shop')).state, 'running');
    assert.equal(patchCount(), 6);
  });

  it('a deployment with only a CronJob reports stopped while it is suspended', async () => {
    await target.deploy(stack([cronJob('nightly')]));
    assert.equal((await target.status('shop')).state, 'running');
    await target.stop('shop');
    assert.equal((await target.status('shop')).state, 'stopped');
    await target.start('shop');
    assert.equal(stored('CronJob', 'nightly').spec.suspend, false);
    assert.equal((await target.status('shop')).state, 'running');
  });

  it('start after a redeploy only drops the leftover annotation', async () => {
    await target.deploy(stack([workload('Deployment', 'web', 2)]));
    await target.stop('shop');
    await target.deploy(stack([workload('Deployment', 'web', 4)]));
    assert.equal(stored('Deployment', 'web').spec.replicas, 4);
    assert.equal((await target.status('shop')).state, 'running', 'the template runs pods again: not stopped');

    await target.start('shop');
    assert.equal(stored('Deployment', 'web').spec.replicas, 4);
    assert.equal(stored('Deployment', 'web').metadata.annotations, undefined);
  });

  it('says which deployment is missing, which object was refused, and which annotation is unusable', async () => {
    await assert.rejects(
      target.stop('nope'),
      (error: unknown) =>
        error instanceof TargetError && error.message === 'No deployment "nope" on Kubernetes target "loopback"',
    );
    await assert.rejects(
      target.start('nope'),
      (error: unknown) =>
        error instanceof TargetError && error.message === 'No deployment "nope" on Kubernetes target "loopback"',
    );

    await target.deploy(stack([workload('Deployment', 'web', 2)]));
    server.forbid('patch', 'deployments');
    await assert.rejects(target.stop('shop'), (error: unknown) => {
      assert.ok(error instanceof TargetError);
      assert.match(
        error.message,
        /^Kubernetes target "loopback": cannot stop Deployment default\/web: forbidden \(403\)/,
      );
      return true;
    });
    assert.equal(stored('Deployment', 'web').spec.replicas, 2);
  });

  it('refuses to start from an annotation that is not a replica count', async () => {
    await target.deploy(stack([workload('Deployment', 'web', 2)]));
    await target.stop('shop');
    const response = await fetch(`${url}/apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubectl-edit`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { annotations: { [REPLICAS_BEFORE_STOP]: 'many' } } }),
    });
    assert.equal(response.status, 200);
    await assert.rejects(target.start('shop'), (error: unknown) => {
      assert.ok(error instanceof TargetError);
      assert.equal(
        error.message,
        `cannot start "shop": Deployment web: annotation ${REPLICAS_BEFORE_STOP} is "many", not a replica count; set spec.replicas by hand or deploy again`,
      );
      return true;
    });
    assert.equal(stored('Deployment', 'web').spec.replicas, 0);
  });

  it('the loopback server answers other patch types with 415, as a server without them would', async () => {
    await target.deploy(stack([workload('Deployment', 'web', 2)]));
    const response = await fetch(`${url}/apis/apps/v1/namespaces/default/deployments/web`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({ spec: { replicas: 0 } }),
    });
    assert.equal(response.status, 415);
    assert.equal(((await response.json()) as { reason: string }).reason, 'UnsupportedMediaType');
    assert.equal(stored('Deployment', 'web').spec.replicas, 2);
  });
});
