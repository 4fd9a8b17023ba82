/**
 * `target_type: docker_swarm` against the real engine in swarm mode: names and labels as `docker stack deploy` gives
 * them (checked with the docker CLI itself), convergence with health checks, rolling updates that leave unchanged
 * services alone, Swarm's rollback of a failed update, tasks that cannot start, stop/start and remove. Ports are
 * published in host mode: the ingress routing mesh needs iptables, which the test engine runs without.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { DockerTarget } from '../../client/src/targets/docker/dockerTarget';
import { DeployError, DeployProgress, LogLine } from '../../client/src/targets/target';
import {
  docker,
  engineTarget,
  freePort,
  httpGet,
  isSwarmManager,
  renderFixture,
  resourcesOf,
  SOCKET,
  uniqueName,
} from './dockerEngineSupport';

const FIXTURE = 'deploy-swarm.yaml';
const SECRET = 's3cret-swarm-value';
const run = promisify(execFile);

async function service(name: string): Promise<Docker.Service> {
  return (await docker.getService(name).inspect()) as Docker.Service;
}

function containerSpec(info: Docker.Service): Docker.ContainerSpec {
  return (info.Spec?.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec as Docker.ContainerSpec;
}

async function dockerCli(...args: string[]): Promise<string[]> {
  const { stdout } = await run('docker', args);
  return stdout.split('\n').filter((line) => line !== '');
}

describe('Docker target: docker_swarm stacks on the real engine', function () {
  this.timeout(180_000);
  const target = engineTarget();
  before(async function () {
    if (await isSwarmManager()) return;
    const reason = 'the Docker engine is not a swarm manager; .ci/run turns swarm mode on';
    if (process.env.CI === 'true') throw new Error(reason);
    console.warn(`      skipped: ${reason}`);
    this.skip();
  });

  const stack = uniqueName('swarm');
  let port = 0;
  const deploy = async (sets: string[] = [], progress: DeployProgress[] = []) =>
    target.deploy(await renderFixture(FIXTURE, stack, [`api_port=${port}`, ...sets]), {
      onProgress: (step) => progress.push(step),
    });

  it('deploys a two-service stack named as `docker stack deploy` names it, and waits until it converged', async () => {
    port = await freePort();
    const progress: DeployProgress[] = [];
    const result = await deploy([], progress);
    assert.deepEqual(result.created.sort(), [
      `config ${stack}_app_conf`,
      `network ${stack}_back`,
      `secret ${stack}_db_password`,
      `service ${stack}_api`,
      `service ${stack}_worker`,
    ]);
    assert.equal(result.replaced, false);
    const messages = progress.map((step) => step.message);
    assert.ok(messages.includes('service api: Swarm skips container_name'), messages.join('\n'));
    assert.equal(messages.at(-1), 'api 1/1 running, worker 2/2 running');
    assert.ok(!messages.some((message) => message.includes(SECRET)));

    const api = await service(`${stack}_api`);
    assert.equal(api.Spec?.Labels?.['com.docker.stack.namespace'], stack);
    assert.equal(api.Spec?.Labels?.['com.docker.stack.image'], 'local/busybox:1');
    assert.equal(api.Spec?.Labels?.['windflow.managed'], 'true');
    assert.equal(api.Spec?.Labels?.['windflow.deployment'], stack);
    assert.equal(api.Spec?.Labels?.['windflow.stack'], 'deploy-test-swarm');
    assert.equal(containerSpec(api).Labels?.['com.docker.stack.namespace'], stack);
    assert.deepEqual(
      containerSpec(api).Configs?.map((c) => [c.ConfigName, c.File?.Name]),
      [[`${stack}_app_conf`, '/etc/app.conf']],
    );
    assert.deepEqual(
      containerSpec(api).Secrets?.map((s) => [s.SecretName, s.File?.Name]),
      [[`${stack}_db_password`, 'db_password']],
    );
    assert.deepEqual(api.Spec?.Mode, { Replicated: { Replicas: 1 } }, 'replicas "1" became a number');
    const network = (await docker.getNetwork(`${stack}_back`).inspect()) as Docker.NetworkInspectInfo;
    assert.deepEqual([network.Driver, network.Scope, network.Attachable], ['overlay', 'swarm', true]);
    assert.equal(network.Labels?.['com.docker.stack.namespace'], stack);
    const secret = (await docker.getSecret(`${stack}_db_password`).inspect()) as Docker.Secret;
    assert.equal(secret.Spec?.Labels?.['com.docker.stack.namespace'], stack);
    assert.equal((await httpGet(port)).status, 404, 'busybox httpd answers on the host-mode port');

    const status = await target.status(stack);
    assert.equal(status.state, 'running');
    assert.deepEqual(
      status.units.map((unit) => [unit.name, unit.service, unit.kind, unit.state, unit.restarts]),
      [
        ['api.1', 'api', 'task', 'running', 0],
        ['worker.1', 'worker', 'task', 'running', 0],
        ['worker.2', 'worker', 'task', 'running', 0],
      ],
    );
    assert.deepEqual(status.units[0].ports, [`0.0.0.0:${port}->${port}/tcp`]);
    assert.ok(status.units.every((unit) => unit.node));
    assert.deepEqual(status.workloads, [
      { kind: 'service', name: 'api', desired: 1, ready: 1 },
      { kind: 'service', name: 'worker', desired: 2, ready: 2 },
    ]);
    const listed = (await target.list()).find((summary) => summary.deploymentName === stack);
    assert.deepEqual(listed, {
      deploymentName: stack,
      stackName: 'deploy-test-swarm',
      targetType: 'docker_swarm',
      state: 'running',
      unitCount: 3,
    });

    const lines: LogLine[] = [];
    await target.logs(stack, { timestamps: true }, (line) => lines.push(line));
    assert.deepEqual(lines.map((line) => `${line.unit} ${line.text}`).sort(), [
      'api.1 api up',
      'api.1 greeting=hello',
      'worker.1 worker up',
      'worker.2 worker up',
    ]);
    assert.ok(lines.every((line) => /^\d{4}-\d\d-\d\dT/.test(line.timestamp ?? '')));
    const worker: LogLine[] = [];
    await target.logs(stack, { service: 'worker', tail: 1 }, (line) => worker.push(line));
    assert.deepEqual(worker.map((line) => `${line.unit} ${line.text} ${line.timestamp}`).sort(), [
      'worker.1 worker up undefined',
      'worker.2 worker up undefined',
    ]);
    await assert.rejects(
      target.logs(stack, { service: 'wrker' }, () => undefined),
      /has no service 'wrker'; did you mean 'worker'\? \(services: api, worker\)/,
    );

    // Docker's own tools see the deployment.
    assert.ok((await dockerCli('stack', 'ls', '--format', '{{.Name}} {{.Services}}')).includes(`${stack} 2`));
    assert.deepEqual((await dockerCli('stack', 'services', stack, '--format', '{{.Name}} {{.Replicas}}')).sort(), [
      `${stack}_api 1/1`,
      `${stack}_worker 2/2`,
    ]);
    assert.deepEqual(
      (await dockerCli('stack', 'ps', stack, '--filter', 'desired-state=running', '--format', '{{.Name}}')).sort(),
      [`${stack}_api.1`, `${stack}_worker.1`, `${stack}_worker.2`],
    );
  });

  it('redeploys as a rolling update: an unchanged service keeps its version, a changed config gets a new name', async () => {
    const apiVersion = (await service(`${stack}_api`)).Version?.Index;
    const changed = await deploy(['worker_command=echo worker v2; trap "exit 0" TERM; sleep 3600 & wait']);
    assert.deepEqual(changed, {
      deploymentName: stack,
      created: [],
      updated: [`service ${stack}_worker`],
      replaced: true,
    });
    assert.equal((await service(`${stack}_api`)).Version?.Index, apiVersion, 'api was not touched');

    const workerVersion = (await service(`${stack}_worker`)).Version?.Index;
    const newConfig = await deploy([
      'worker_command=echo worker v2; trap "exit 0" TERM; sleep 3600 & wait',
      'greeting=bonjour',
    ]);
    assert.deepEqual(newConfig.created, [`config ${stack}_app_conf_v2`]);
    assert.deepEqual(newConfig.updated, [`service ${stack}_api`]);
    assert.equal((await service(`${stack}_worker`)).Version?.Index, workerVersion, 'worker was not touched');
    assert.deepEqual(
      (await docker.listConfigs({ filters: { label: [`windflow.deployment=${stack}`] } })).map((c) => c.Spec?.Name),
      [`${stack}_app_conf_v2`],
      'the old config version went once no service used it',
    );
    const lines: LogLine[] = [];
    await target.logs(stack, { service: 'api', since: '1m' }, (line) => lines.push(line));
    assert.ok(lines.some((line) => line.text === 'greeting=bonjour'));
  });

  it('a failed update is rolled back by Swarm to the previous spec, and the error says so', async () => {
    const before = await service(`${stack}_worker`);
    const apiVersion = (await service(`${stack}_api`)).Version?.Index;
    const error = await deploy(['worker_command=echo broken; exit 1', 'greeting=bonjour']).catch(
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof DeployError, String(error));
    assert.equal(error.step, 'converge');
    assert.match(error.message, /^service worker: .*task: non-zero exit \(1\)/);
    assert.match(error.message, new RegExp(`Swarm rolled ${stack}_worker back to the previous spec`));
    const after = await service(`${stack}_worker`);
    assert.deepEqual(containerSpec(after).Args, containerSpec(before).Args);
    assert.equal(after.UpdateStatus?.State, 'rollback_completed');
    assert.equal((await service(`${stack}_api`)).Version?.Index, apiVersion);
    assert.equal((await target.status(stack)).state, 'running');
  });

  it('stop scales every service to 0 and remembers the replicas; start restores them', async () => {
    await target.stop(stack);
    const stopped = await target.status(stack);
    assert.equal(stopped.state, 'stopped');
    assert.deepEqual(
      stopped.workloads?.map((w) => [w.name, w.desired, w.ready]),
      [
        ['api', 0, 0],
        ['worker', 0, 0],
      ],
    );
    assert.equal((await service(`${stack}_worker`)).Spec?.Labels?.['windflow.stopped-replicas'], '2');
    await target.start(stack);
    assert.deepEqual((await service(`${stack}_worker`)).Spec?.Mode, { Replicated: { Replicas: 2 } });
    assert.equal((await service(`${stack}_worker`)).Spec?.Labels?.['windflow.stopped-replicas'], undefined);
  });

  it('remove takes services, networks, configs and secrets away; volumes only with delete-data', async () => {
    const removed = await target.remove(stack);
    assert.deepEqual(removed.removed.sort(), [
      `config ${stack}_app_conf_v2`,
      `network ${stack}_back`,
      `secret ${stack}_db_password`,
      `service ${stack}_api`,
      `service ${stack}_worker`,
    ]);
    assert.deepEqual(removed.kept, [`volume ${stack}_data (kept; --delete-data removes it)`]);
    assert.deepEqual(await resourcesOf(stack), [`volume ${stack}_data`]);
    await target.remove(stack, { deleteData: true });
    assert.deepEqual(await resourcesOf(stack), []);
  });

  it('a first deploy whose tasks cannot start fails with their error and leaves nothing behind', async () => {
    for (const [sets, cause] of [
      [['worker_image=local/missing:1'], /^service worker: .*No such image: local\/missing:1/],
      [['worker_command=echo no; exit 1'], /^service worker: .*task: non-zero exit \(1\)/],
      [['api_health=false'], /^service api: .*unhealthy; last check said/],
    ] as const) {
      const name = uniqueName('fail');
      const stackFile = await renderFixture(FIXTURE, name, [`api_port=${await freePort()}`, ...sets]);
      const error = await target.deploy(stackFile).catch((failure: unknown) => failure);
      assert.ok(error instanceof DeployError, String(error));
      assert.equal(error.step, 'converge');
      assert.match(error.message, cause);
      assert.match(error.message, /\(rolled back: removed .*service .*_worker/);
      assert.doesNotMatch(error.message, /left:/);
      assert.deepEqual(await resourcesOf(name), [], sets.join(' '));
    }
  });

  it('a cancelled deploy is still rolled back: nothing is left', async () => {
    const name = uniqueName('cancel');
    const controller = new AbortController();
    const error = await target
      .deploy(await renderFixture(FIXTURE, name, [`api_port=${await freePort()}`]), {
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.step === 'converge') controller.abort();
        },
      })
      .catch((failure: unknown) => failure);
    assert.ok(error instanceof DeployError, String(error));
    assert.match(error.message, /^the deploy was cancelled \(rolled back: removed .*service .*_api/);
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('deploys a docker_compose stack as a Swarm stack on a target set to `swarm: true`', async () => {
    const swarmTarget = new DockerTarget({ name: 'manager', kind: 'docker', host: `unix://${SOCKET}`, swarm: true });
    const name = uniqueName('compose');
    try {
      const rendered = await renderFixture(FIXTURE, name, [`api_port=${await freePort()}`]);
      const result = await swarmTarget.deploy({ ...rendered, targetType: 'docker_compose' });
      assert.ok(result.created.includes(`service ${name}_api`), result.created.join(', '));
      const api = await service(`${name}_api`);
      assert.equal(api.Spec?.Labels?.['windflow.target-type'], 'docker_compose');
      assert.equal((await swarmTarget.status(name)).state, 'running');
      await swarmTarget.remove(name, { deleteData: true });
      assert.deepEqual(await resourcesOf(name), []);
    } finally {
      swarmTarget.dispose();
    }
  });

  it('names and labels what it deploys the way the docker CLI`s `docker stack deploy` does', async () => {
    const ours = uniqueName('ours');
    const theirs = uniqueName('cli');
    const folder = await mkdtemp(path.join(os.tmpdir(), 'windflow-swarm-'));
    try {
      await target.deploy(await renderFixture(FIXTURE, ours, [`api_port=${await freePort()}`]));
      await writeFile(path.join(folder, 'app.conf'), 'greeting=hello');
      await writeFile(path.join(folder, 'db_password'), SECRET);
      await writeFile(
        path.join(folder, 'stack.yaml'),
        [
          'version: "3.9"',
          'services:',
          '  api:',
          '    image: local/busybox:1',
          '    command: ["sleep", "3600"]',
          '    networks: [back]',
          '    configs: [{source: app_conf, target: /etc/app.conf}]',
          '    secrets: [db_password]',
          '  worker:',
          '    image: local/busybox:1',
          '    command: ["sleep", "3600"]',
          '    networks: [back]',
          '    volumes: ["data:/data"]',
          '    deploy: {replicas: 2}',
          'networks:',
          '  back: {driver: overlay, attachable: true}',
          'volumes:',
          '  data: {}',
          'configs:',
          '  app_conf: {file: ./app.conf}',
          'secrets:',
          '  db_password: {file: ./db_password}',
          '',
        ].join('\n'),
      );
      await run('docker', ['stack', 'deploy', '--detach=true', '-c', path.join(folder, 'stack.yaml'), theirs]);
      const shape = async (namespace: string) => {
        const services = await docker.listServices({ filters: { label: [`com.docker.stack.namespace=${namespace}`] } });
        const networks = await docker.listNetworks({ filters: { label: [`com.docker.stack.namespace=${namespace}`] } });
        const configs = await docker.listConfigs({ filters: { label: [`com.docker.stack.namespace=${namespace}`] } });
        const secrets = await docker.listSecrets({ filters: { label: [`com.docker.stack.namespace=${namespace}`] } });
        const generic = (name = '') => name.replace(namespace, 'NS');
        return {
          services: services
            .map((s) => ({
              name: generic(s.Spec?.Name),
              namespace: generic(s.Spec?.Labels?.['com.docker.stack.namespace']),
              image: s.Spec?.Labels?.['com.docker.stack.image'],
              taskNamespace: generic(containerSpec(s).Labels?.['com.docker.stack.namespace']),
              aliases: (s.Spec?.TaskTemplate as Docker.ContainerTaskSpec).Networks?.map((n) => n.Aliases),
              mounts: containerSpec(s).Mounts?.map((m) => [
                m.Type,
                generic(m.Source),
                m.Target,
                generic(m.VolumeOptions?.Labels?.['com.docker.stack.namespace']),
              ]),
              configs: containerSpec(s).Configs?.map((c) => [generic(c.ConfigName), c.File?.Name, c.File?.Mode]),
              secrets: containerSpec(s).Secrets?.map((c) => [generic(c.SecretName), c.File?.Name, c.File?.Mode]),
            }))
            .sort((a, b) => a.name.localeCompare(b.name)),
          networks: networks.map((n) => [generic(n.Name), n.Driver, n.Scope, n.Attachable]),
          configs: configs.map((c) => generic(c.Spec?.Name)),
          secrets: secrets.map((s) => generic(s.Spec?.Name)),
        };
      };
      assert.deepEqual(await shape(ours), await shape(theirs));
      assert.ok((await dockerCli('stack', 'ls', '--format', '{{.Name}}')).includes(ours));
    } finally {
      await run('docker', ['stack', 'rm', theirs]).catch(() => undefined);
      // The CLI leaves the volume its tasks made; it goes once their containers are gone (`docker stack rm` returns
      // before that).
      for (let attempt = 0; attempt < 300; attempt++) {
        const gone = await docker
          .getVolume(`${theirs}_data`)
          .remove()
          .then(() => true)
          .catch((error: { statusCode?: number }) => error.statusCode === 404);
        if (gone) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await target.remove(ours, { deleteData: true }).catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    }
  });
});
