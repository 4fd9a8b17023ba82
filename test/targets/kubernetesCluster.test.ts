/**
 * The Kubernetes target against the real cluster of ../shared/tools/real-kube (Kubernetes 1.20: API server, scheduler,
 * controllers and a kubelet running pods on the local Docker engine). Each test deploys into a namespace of its own
 * and deletes it afterwards. The tier skips when the cluster is not there and cannot be built here (no binaries in
 * /var/cache/real-kube/bin), and fails under CI=true when it should be there.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node' with {
  'resolution-mode': 'import',
};
import { loadKubernetesClient } from '../../client/src/targets/kubernetes/connection';
import { KubernetesDeployError, KubernetesTarget } from '../../client/src/targets/kubernetes/kubernetesTarget';
import { DeployProgress, LogLine, RenderedStack } from '../../client/src/targets/target';
import { runInProcess } from '../cli/inProcess';

const CLUSTER_DIR = process.env.REAL_KUBE_DIR ?? '/var/cache/real-kube';
const KUBECONFIG = process.env.REAL_KUBE_KUBECONFIG ?? path.join(CLUSTER_DIR, 'kubeconfig');
const CONTEXT = 'real-kube';
const IMAGE = 'local/busybox:1';
const RUN = `wfk${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

/** The cluster can be there when its binaries are built; then CI must have started it. */
function clusterExpected(): boolean {
  return process.env.CI === 'true' && fs.existsSync(path.join(CLUSTER_DIR, 'bin', 'kube-apiserver'));
}

function container(name: string, script: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    image: IMAGE,
    imagePullPolicy: 'Never',
    command: ['sh', '-c', script],
    ...extra,
  };
}

function deployment(name: string, replicas: number, containers: unknown[], podExtra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 0, containers, ...podExtra },
      },
    },
  };
}

function list(...items: unknown[]) {
  return { apiVersion: 'v1', kind: 'List', items };
}

function stack(deploymentName: string, template: unknown, secrets: string[] = []): RenderedStack {
  return { stackName: 'Real Kube', targetType: 'kubernetes', deploymentName, template, secrets };
}

/** Polls until `check` returns a value, or fails after `seconds` saying what never happened. */
async function eventually<T>(what: string, seconds: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.fail(`never happened within ${seconds} s: ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

describe('Kubernetes target on a real cluster (real-kube, Kubernetes 1.20)', function () {
  this.timeout(120_000);
  let kubeConfig: KubeConfig;
  let core: CoreV1Api;
  let rbac: RbacAuthorizationV1Api;
  const namespaces: string[] = [];
  const clusterRoles: string[] = [];
  const targets: KubernetesTarget[] = [];
  let scratch: string;

  before(async function () {
    const k8s = await loadKubernetesClient();
    kubeConfig = new k8s.KubeConfig();
    try {
      kubeConfig.loadFromFile(KUBECONFIG);
      kubeConfig.setCurrentContext(CONTEXT);
      core = kubeConfig.makeApiClient(k8s.CoreV1Api);
      rbac = kubeConfig.makeApiClient(k8s.RbacAuthorizationV1Api);
      await core.listNamespace({ limit: 1 });
    } catch (error) {
      const reason = `the real cluster (${KUBECONFIG}, context ${CONTEXT}) is not up: ${(error as Error).message.split('\n')[0]}; build and start it with ../shared/tools/real-kube/build.sh and up.sh`;
      if (clusterExpected()) throw new Error(reason, { cause: error });
      console.warn(`      skipped: ${reason}`);
      this.skip();
    }
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-real-kube-'));
  });

  after(async () => {
    targets.forEach((target) => target.dispose());
    // Namespace deletion takes the pods with it; waiting for it would only slow the tier down.
    await Promise.all(namespaces.map((name) => core?.deleteNamespace({ name }).catch(() => undefined)));
    for (const name of clusterRoles) {
      await rbac.deleteClusterRoleBinding({ name }).catch(() => undefined);
      await rbac.deleteClusterRole({ name }).catch(() => undefined);
    }
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** A namespace of this test's own; created now unless `create` is false (a deploy then has to create it). */
  async function namespace(label: string, create = true): Promise<string> {
    const name = `${RUN}-${label}`;
    namespaces.push(name);
    if (create) await core.createNamespace({ body: { metadata: { name } } });
    return name;
  }

  function target(namespaceName: string, rolloutTimeoutMs = 60_000, kubeconfig = KUBECONFIG, context = CONTEXT) {
    const created = new KubernetesTarget(
      { name: context, kind: 'kubernetes', context, kubeconfig, namespace: namespaceName },
      { rolloutTimeoutMs, pollIntervalMs: 500 },
    );
    targets.push(created);
    return created;
  }

  /** What carries the deployment's label in the namespace, as "Kind name", sorted (the lock included). */
  async function leftovers(namespaceName: string, deploymentName: string): Promise<string[]> {
    const k8s = await loadKubernetesClient();
    const objects = k8s.KubernetesObjectApi.makeApiClient(kubeConfig);
    const selector = `windflow.io/deployment=${deploymentName}`;
    const found: string[] = [];
    for (const [apiVersion, kind] of [
      ['v1', 'ConfigMap'],
      ['v1', 'Secret'],
      ['v1', 'Service'],
      ['apps/v1', 'Deployment'],
      ['apps/v1', 'ReplicaSet'],
      ['batch/v1', 'Job'],
    ]) {
      const items = (
        await objects.list(apiVersion, kind, namespaceName, undefined, undefined, undefined, undefined, selector)
      ).items;
      found.push(...items.map((item) => `${kind} ${item.metadata?.name}`));
    }
    const leases = await objects.list('coordination.k8s.io/v1', 'Lease', namespaceName);
    found.push(...leases.items.map((item) => `Lease ${item.metadata?.name}`));
    return found.sort();
  }

  /** Waits until nothing of the deployment is left (the garbage collector deletes ReplicaSets after their owner). */
  async function nothingLeft(namespaceName: string, deploymentName: string): Promise<void> {
    let last: string[] = [];
    await eventually(`nothing of ${deploymentName} left`, 30, async () => {
      last = await leftovers(namespaceName, deploymentName);
      return last.length === 0 ? true : undefined;
    }).catch((error: Error) => assert.fail(`${error.message}: ${last.join(', ')}`));
  }

  /** Pods of the deployment not being deleted. */
  async function livePods(namespaceName: string, deploymentName: string) {
    const pods = await core.listNamespacedPod({
      namespace: namespaceName,
      labelSelector: `windflow.io/deployment=${deploymentName}`,
    });
    return pods.items.filter((pod) => !pod.metadata?.deletionTimestamp);
  }

  it('discovers the version and refuses a kind the cluster does not serve before applying anything', async () => {
    const ns = await namespace('version');
    const real = target(ns);
    assert.deepEqual(await real.serverVersion(), { major: 1, minor: 20, version: '1.20', gitVersion: 'v1.20.2' });
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: { template: { spec: { restartPolicy: 'Never', containers: [container('job', 'true')] } } },
        },
      },
    };
    const settings = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } };
    await assert.rejects(real.deploy(stack('cron', list(settings, cronJob))), {
      name: 'DeployError',
      step: 'discover',
      message:
        'Deploy of "cron" failed at discover: CronJob (batch/v1) is not served by this cluster (v1.20.2); it serves CronJob as batch/v1beta1. Nothing was applied.',
    });
    await nothingLeft(ns, 'cron');
  });

  it('deploys, waits for the rollout, shows status and logs, stops, starts, redeploys and removes', async () => {
    const ns = await namespace('life');
    const real = target(ns);
    const web = (greeting: string) =>
      list(
        // No protocol on the Service port: Kubernetes 1.20 refuses that in server-side apply unless it is filled in.
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web' },
          spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
        },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, data: { greeting } },
        deployment('web', 2, [
          container(
            'app',
            'mkdir -p /www && echo "$GREETING from $HOSTNAME" > /www/index.html && echo "started $GREETING" && httpd -p 8080 -h /www && i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done',
            {
              ports: [{ containerPort: 8080 }],
              env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'greeting' } } }],
              readinessProbe: { exec: { command: ['cat', '/www/index.html'] }, periodSeconds: 1 },
            },
          ),
        ]),
      );
    const progress: DeployProgress[] = [];
    const result = await real.deploy(stack('life', web('hello')), { onProgress: (event) => progress.push(event) });
    assert.deepEqual(result, {
      deploymentName: 'life',
      created: [`ConfigMap ${ns}/web-config`, `Service ${ns}/web`, `Deployment ${ns}/web`],
      updated: [],
      replaced: false,
    });
    assert.ok(
      progress.some(
        (event) => event.step === 'rollout' && event.message === `Deployment ${ns}/web: 2 of 2 replicas available`,
      ),
      `rollout progress reported: ${JSON.stringify(progress)}`,
    );
    const service = await core.readNamespacedService({ name: 'web', namespace: ns });
    assert.equal(service.spec?.ports?.[0].protocol, 'TCP');

    const status = await real.status('life');
    assert.equal(status.state, 'running');
    assert.equal(status.units.length, 2);
    assert.ok(status.units.every((unit) => unit.state === 'running' && unit.service === 'web'));
    assert.ok(
      (status.events ?? []).some((event) => /Pod .*: Scheduled: Successfully assigned/.test(event.message)),
      `status events: ${JSON.stringify(status.events)}`,
    );

    const lines: LogLine[] = [];
    await real.logs('life', { tail: 50 }, (line) => lines.push(line));
    const podNames = status.units.map((unit) => unit.name).sort();
    assert.deepEqual([...new Set(lines.map((line) => line.unit))].sort(), podNames, 'lines of both replicas');
    assert.ok(lines.every((line) => line.service === 'app'));
    assert.ok(lines.some((line) => line.text === 'started hello'));

    const followed: LogLine[] = [];
    const stopFollowing = new AbortController();
    const following = real.logs('life', { tail: 0, follow: true, signal: stopFollowing.signal }, (line) =>
      followed.push(line),
    );
    await eventually('followed ticks from both pods', 20, async () =>
      new Set(followed.filter((line) => /^tick \d+$/.test(line.text)).map((line) => line.unit)).size === 2
        ? true
        : undefined,
    );
    stopFollowing.abort();
    await following;

    // Describe, port forward and exec on one pod, as the editor's pod actions do.
    const [podName] = podNames;
    const description = await real.describePod('life', podName);
    assert.match(description, new RegExp(`^Name: +${podName}$`, 'm'));
    assert.match(description, /^ {4}State: +running since /m);
    assert.match(description, /Scheduled: Successfully assigned/);
    const forward = await real.forwardPort('life', podName, 8080);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: forward.localPort, path: '/' }, (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      assert.equal(body, `hello from ${podName}\n`);
    } finally {
      await forward.close();
    }
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const session = await real.exec('life', podName, {
      command: ['sh', '-c', 'echo "in $HOSTNAME"; exit 3'],
      stdout: output,
    });
    assert.equal(await session.exited, 3);
    assert.equal(printed, `in ${podName}\n`);
    await assert.rejects(real.describePod('life', 'kube-apiserver'), {
      name: 'TargetError',
      message: /No pod "kube-apiserver" in deployment "life"/,
    });

    // Redeploy with a new greeting, then stop and start: exactly two pods of the newest ReplicaSet come back.
    const redeployed = await real.deploy(stack('life', web('bonjour')));
    assert.equal(redeployed.replaced, true);
    assert.deepEqual(redeployed.created, []);
    await real.stop('life');
    assert.equal((await real.status('life')).state, 'stopped');
    await eventually('no live pods after stop', 60, async () =>
      (await livePods(ns, 'life')).length === 0 ? true : undefined,
    );
    await real.start('life');
    const deploymentObject = await kubeConfig
      .makeApiClient((await loadKubernetesClient()).AppsV1Api)
      .readNamespacedDeployment({ name: 'web', namespace: ns });
    assert.equal(deploymentObject.spec?.replicas, 2);
    await eventually('running again after start', 60, async () =>
      (await real.status('life')).state === 'running' ? true : undefined,
    );
    const pods = await livePods(ns, 'life');
    assert.equal(pods.length, 2, 'two pods, not four');
    assert.equal(new Set(pods.map((pod) => pod.metadata?.labels?.['pod-template-hash'])).size, 1, 'of one ReplicaSet');
    const newest: LogLine[] = [];
    await real.logs('life', { tail: 100 }, (line) => newest.push(line));
    assert.ok(newest.some((line) => line.text === 'started bonjour'));
    assert.ok(!newest.some((line) => line.text === 'started hello'), 'no pod of the first deploy is left');

    const removed = await real.remove('life');
    assert.deepEqual(removed.removed.sort(), [
      `ConfigMap ${ns}/web-config`,
      `Deployment ${ns}/web`,
      `Service ${ns}/web`,
    ]);
    await nothingLeft(ns, 'life');
  });

  it('fails an unpullable image with the pull error and removes everything, the namespace it created included', async () => {
    const ns = await namespace('pull', false);
    const real = target(ns);
    const started = Date.now();
    await assert.rejects(
      real.deploy(
        stack(
          'pull',
          list(
            { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } },
            deployment('web', 1, [{ name: 'app', image: 'local/not-built-here:1', imagePullPolicy: 'IfNotPresent' }]),
          ),
        ),
      ),
      (error: unknown) => {
        assert.ok(error instanceof KubernetesDeployError);
        assert.equal(error.step, 'rollout');
        assert.match(
          error.message,
          new RegExp(
            `^Deploy of "pull" failed at rollout: Deployment ${ns}/web cannot roll out: 0 of 1 replicas available`,
          ),
        );
        assert.match(error.message, /container app: (ImagePullBackOff|ErrImagePull): .*local\/not-built-here:1/);
        assert.match(
          error.message,
          new RegExp(`Deleted again: Deployment ${ns}/web, ConfigMap ${ns}/settings, Namespace ${ns}\\.$`),
        );
        return true;
      },
    );
    assert.ok(Date.now() - started < 50_000, 'an image pull that cannot succeed fails without waiting for the timeout');
    const gone = await core.readNamespace({ name: ns }).then(
      (found) => found.status?.phase === 'Terminating',
      () => true,
    );
    assert.ok(gone, 'the namespace the deploy created is deleted');
  });

  it('fails a crash-looping container at the timeout with its last log lines, and removes what it created', async () => {
    const ns = await namespace('crash');
    const real = target(ns, 20_000);
    await assert.rejects(
      real.deploy(
        stack(
          'crash',
          deployment('worker', 1, [
            container('main', 'echo "loading config"; echo "fatal: no database at db:5432" >&2; exit 3'),
          ]),
        ),
      ),
      (error: unknown) => {
        assert.ok(error instanceof KubernetesDeployError);
        assert.equal(error.step, 'rollout');
        assert.match(
          error.message,
          new RegExp(`Deployment ${ns}/worker did not converge within \\d+(\\.\\d)? s: 0 of 1 replicas available`),
        );
        assert.match(error.message, /container main: (CrashLoopBackOff|exited with code 3)/);
        assert.match(error.message, /last exit code 3|exited with code 3/);
        // stdout and stderr lines written in the same millisecond may come back in either order.
        const logLines = /last log lines of worker-[a-z0-9]+-[a-z0-9]+\/main:\n((?: {4}.*\n)+)/.exec(error.message);
        assert.ok(logLines, error.message);
        assert.deepEqual(logLines[1].trim().split(/\n\s*/).sort(), ['fatal: no database at db:5432', 'loading config']);
        assert.match(error.message, new RegExp(`\\nDeleted again: Deployment ${ns}/worker\\.$`));
        return true;
      },
    );
    await nothingLeft(ns, 'crash');
  });

  it('fails a pod whose readiness probe never passes, naming the probe', async () => {
    const ns = await namespace('ready');
    const real = target(ns, 12_000);
    await assert.rejects(
      real.deploy(
        stack(
          'ready',
          deployment('api', 1, [
            container('api', 'sleep 3600', {
              readinessProbe: { exec: { command: ['sh', '-c', 'echo not listening yet; exit 1'] }, periodSeconds: 1 },
            }),
          ]),
        ),
      ),
      (error: unknown) => {
        assert.ok(error instanceof KubernetesDeployError);
        assert.match(error.message, new RegExp(`Deployment ${ns}/api did not converge within`));
        assert.match(error.message, /pod api-[a-z0-9-]+ is running but not ready \(container api\)/);
        assert.match(error.message, /event: Pod api-[a-z0-9-]+: Unhealthy: Readiness probe failed: not listening yet/);
        return true;
      },
    );
    await nothingLeft(ns, 'ready');
  });

  it('fails when a ResourceQuota refuses the pods, with the quota in the message', async () => {
    const ns = await namespace('quota');
    await core.createNamespacedResourceQuota({
      namespace: ns,
      body: { metadata: { name: 'tiny' }, spec: { hard: { pods: '1' } } },
    });
    const real = target(ns, 12_000);
    await assert.rejects(
      real.deploy(stack('quota', deployment('web', 2, [container('app', 'sleep 3600')]))),
      (error: unknown) => {
        assert.ok(error instanceof KubernetesDeployError);
        assert.match(
          error.message,
          new RegExp(`Deployment ${ns}/web did not converge within [\\d.]+ s: 1 of 2 replicas (updated|available)`),
        );
        assert.match(
          error.message,
          /event: ReplicaSet web-[a-z0-9]+: FailedCreate: Error creating: pods "web-[a-z0-9-]+" is forbidden: exceeded quota: tiny/,
        );
        return true;
      },
    );
    await nothingLeft(ns, 'quota');
  });

  it('refuses an object that exists and is not ours, applying nothing and leaving it untouched', async () => {
    const ns = await namespace('taken');
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'settings' }, data: { owner: 'someone else' } },
    });
    const real = target(ns);
    await assert.rejects(
      real.deploy(
        stack(
          'taken',
          list(
            { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { owner: 'windflow' } },
            deployment('web', 1, [container('app', 'sleep 3600')]),
          ),
        ),
      ),
      {
        name: 'KubernetesDeployError',
        message: `Deploy of "taken" failed at inspect: ConfigMap ${ns}/settings already exists and was not created by WindFlow. Rename it in the template or remove it from the cluster. Nothing was applied.`,
      },
    );
    const untouched = await core.readNamespacedConfigMap({ name: 'settings', namespace: ns });
    assert.deepEqual(untouched.data, { owner: 'someone else' });
    assert.equal(untouched.metadata?.labels, undefined);
    await nothingLeft(ns, 'taken');
  });

  it('restores the previous deploy when a redeploy fails', async () => {
    const ns = await namespace('restore');
    const real = target(ns, 15_000);
    const app = (image: string, greeting: string) =>
      list(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { greeting } },
        deployment('web', 1, [{ ...container('app', 'sleep 3600'), image, imagePullPolicy: 'IfNotPresent' }]),
      );
    await real.deploy(stack('restore', app(IMAGE, 'v1')));
    await assert.rejects(real.deploy(stack('restore', app('local/not-built-here:2', 'v2'))), (error: unknown) => {
      assert.ok(error instanceof KubernetesDeployError);
      assert.match(
        error.message,
        /Restored as the previous deploy left it: ConfigMap .*\/settings, Deployment .*\/web\.$/,
      );
      return true;
    });
    const settings = await core.readNamespacedConfigMap({ name: 'settings', namespace: ns });
    assert.deepEqual(settings.data, { greeting: 'v1' });
    await eventually('the previous pod running alone again', 60, async () => {
      const pods = await livePods(ns, 'restore');
      return pods.length === 1 && pods[0].spec?.containers[0].image === IMAGE && pods[0].status?.phase === 'Running'
        ? true
        : undefined;
    });
    assert.equal((await real.status('restore')).state, 'running');
  });

  it('through the CLI: deploy waits for a container that crashed once, logs --previous, pod/container prefixes', async () => {
    const ns = await namespace('cli');
    const targetFile = path.join(scratch, 'targets.yaml');
    fs.writeFileSync(
      targetFile,
      `- name: real\n  kind: kubernetes\n  context: ${CONTEXT}\n  kubeconfig: ${KUBECONFIG}\n  namespace: ${ns}\n`,
    );
    const stackFile = path.join(scratch, 'once.stack.yaml');
    const script =
      'if [ -f /state/ran ]; then echo "second run"; exec sleep 3600; fi; touch /state/ran; echo "first run"; exit 1';
    const template = deployment(
      'once',
      1,
      [container('main', script, { volumeMounts: [{ name: 'state', mountPath: '/state' }] })],
      {
        volumes: [{ name: 'state', emptyDir: {} }],
      },
    );
    // Available only after 3 s of running: the first run, which dies at once, never counts.
    Object.assign(template.spec, { minReadySeconds: 3 });
    fs.writeFileSync(
      stackFile,
      [
        'metadata:',
        '  name: once',
        '  version: "1.0.0"',
        '  category: Tests',
        '  author: WindFlow Stacks',
        '  license: MIT',
        '  description: A container that crashes on its first run only.',
        '  target_type: kubernetes',
        `template: ${JSON.stringify(template)}`,
        'variables: {}',
      ].join('\n'),
    );
    const cli = (...args: string[]) => runInProcess([...args, '--target', 'real', '--target-file', targetFile]);
    const deployed = await cli('deploy', stackFile, '--name', 'once', '--timeout', '60');
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stderr, /\[rollout\] Deployment .*\/once: 1 of 1 replicas available/);
    const status = await cli('status', 'once');
    assert.equal(status.code, 0, status.stdout);
    assert.match(status.stdout, /^once-[a-z0-9]+-[a-z0-9]+ +once +running +- +1 /m);
    const logs = await cli('logs', 'once');
    assert.match(logs.stdout, /^once-[a-z0-9]+-[a-z0-9]+\/main \| second run$/m);
    const previous = await cli('logs', 'once', '--previous');
    assert.match(previous.stdout, /^once-[a-z0-9]+-[a-z0-9]+\/main \| first run$/m, previous.stderr);
    assert.doesNotMatch(previous.stdout, /second run/);
    await cli('stop', 'once');
    const stopped = await cli('status', 'once');
    assert.match(stopped.stdout, /^once \(once, kubernetes\): stopped$/m);
    assert.equal((await cli('remove', 'once')).code, 0);
    await nothingLeft(ns, 'once');
  });

  it('explains RBAC refusals of a limited user, and a namespace it may not create', async () => {
    const ns = await namespace('rbac');
    // A ServiceAccount that may manage ConfigMaps, Secrets and Leases in its namespace but not Deployments.
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'limited' } } });
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'limited' },
        rules: [
          {
            apiGroups: [''],
            resources: ['configmaps', 'secrets', 'pods', 'events'],
            verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
          },
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'delete'] },
          { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'limited' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'limited' },
        subjects: [{ kind: 'ServiceAccount', name: 'limited', namespace: ns }],
      },
    });
    // It may read namespaces (to learn that one is missing), not create them.
    await rbac.createClusterRole({
      body: {
        metadata: { name: `${RUN}-namespace-reader` },
        rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }],
      },
    });
    clusterRoles.push(`${RUN}-namespace-reader`);
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: `${RUN}-namespace-reader` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${RUN}-namespace-reader` },
        subjects: [{ kind: 'ServiceAccount', name: 'limited', namespace: ns }],
      },
    });
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'limited-token', annotations: { 'kubernetes.io/service-account.name': 'limited' } },
        type: 'kubernetes.io/service-account-token',
      },
    });
    const token = await eventually('the ServiceAccount token', 30, async () => {
      const secret = await core.readNamespacedSecret({ name: 'limited-token', namespace: ns });
      const encoded = secret.data?.token;
      return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
    });
    const cluster = kubeConfig.getCurrentCluster();
    assert.ok(cluster);
    const file = path.join(scratch, 'limited-kubeconfig');
    const caData = cluster.caData ?? Buffer.from(fs.readFileSync(cluster.caFile ?? '')).toString('base64');
    fs.writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: real, cluster: {server: "${cluster.server}", certificate-authority-data: "${caData}"}}]`,
        `users: [{name: limited, user: {token: "${token}"}}]`,
        `contexts: [{name: limited, context: {cluster: real, user: limited, namespace: ${ns}}}]`,
        'current-context: limited',
      ].join('\n'),
    );
    const limited = target(ns, 30_000, file, 'limited');
    const template = list(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } },
      deployment('web', 1, [container('app', 'sleep 3600')]),
    );
    await assert.rejects(limited.deploy(stack('rbac', template)), (error: unknown) => {
      assert.ok(error instanceof KubernetesDeployError);
      assert.equal(error.step, 'apply');
      assert.equal(
        error.message,
        `Deploy of "rbac" failed at apply: Deployment ${ns}/web was refused: forbidden (403): deployments.apps "web" is forbidden: User "system:serviceaccount:${ns}:limited" cannot patch resource "deployments" in API group "apps" in the namespace "${ns}". Deleted again: ConfigMap ${ns}/settings.`,
      );
      return true;
    });
    await nothingLeft(ns, 'rbac');

    const elsewhere = `${RUN}-nowhere`;
    namespaces.push(elsewhere);
    const outside = list({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: elsewhere },
      data: { a: '1' },
    });
    await assert.rejects(limited.deploy(stack('rbac', outside)), {
      name: 'KubernetesDeployError',
      message: `Deploy of "rbac" failed at namespace: cannot create namespace ${elsewhere}: forbidden (403): namespaces "${elsewhere}" is forbidden: User "system:serviceaccount:${ns}:limited" cannot patch resource "namespaces" in API group "" in the namespace "${elsewhere}".`,
    });
  });
});
