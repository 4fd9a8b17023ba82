/**
 * `target_type: docker` against the real engine: deploy, observe, log, remove, redeploy, and each fault produced
 * for real and rolled back with nothing of the deployment left.
 */
import assert from 'node:assert/strict';
import { DockerTarget } from '../../client/src/targets/docker/dockerTarget';
import { DeployError, DeployProgress, LogLine } from '../../client/src/targets/target';
import {
  docker,
  engineTarget,
  freePort,
  httpGet,
  IMAGE,
  occupyPort,
  renderFixture,
  resourcesOf,
  uniqueName,
} from './dockerEngineSupport';

const FIXTURE = 'deploy-container.yaml';

async function deployFails(target: DockerTarget, name: string, sets: string[]): Promise<DeployError> {
  const stack = await renderFixture(FIXTURE, name, sets);
  const error = await target.deploy(stack).then(
    () => assert.fail('the deploy should have failed'),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof DeployError, `expected a DeployError, got ${String(error)}`);
  return error;
}

describe('Docker target: docker stacks on the real engine', function () {
  this.timeout(60_000);
  const target = engineTarget();

  it('deploys one container with labels, port, volume, network and health, then shows, logs and removes it', async () => {
    const name = uniqueName('web');
    const port = await freePort();
    const progress: DeployProgress[] = [];
    const stack = await renderFixture(FIXTURE, name, [`port=${port}`, 'greeting=hi-there']);
    const result = await target.deploy(stack, { onProgress: (p) => progress.push(p) });

    assert.deepEqual(result, {
      deploymentName: name,
      created: [`network ${name}_net`, `volume ${name}_data`, `container ${name}`],
      updated: [],
      replaced: false,
    });
    assert.ok(progress.some((p) => p.step === 'wait for health'));
    assert.deepEqual(await httpGet(port), { status: 200, body: 'hi-there\n' });

    const info = await docker.getContainer(name).inspect();
    assert.equal(info.Config.Labels['windflow.managed'], 'true');
    assert.equal(info.Config.Labels['windflow.stack'], 'deploy-test-container');
    assert.equal(info.Config.Labels['windflow.deployment'], name);
    assert.equal(info.Config.Labels['windflow.data-volumes'], JSON.stringify([`${name}_data`]));
    assert.equal(info.Config.Labels.purpose, 'deploy-test');
    assert.ok(info.Config.Env.includes('GREETING=hi-there'));
    assert.deepEqual(info.Config.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 1e9, Timeout: 1e9, Retries: 2 });
    assert.deepEqual(info.HostConfig.RestartPolicy, { Name: '', MaximumRetryCount: 0 });
    const network = await docker.getNetwork(`${name}_net`).inspect();
    assert.equal(network.Labels?.['windflow.deployment'], name);

    const status = await target.status(name);
    assert.equal(status.state, 'running');
    assert.equal(status.stackName, 'deploy-test-container');
    assert.equal(status.targetType, 'docker');
    assert.equal(status.units.length, 1);
    assert.equal(status.units[0].name, name);
    assert.equal(status.units[0].state, 'running');
    assert.equal(status.units[0].health, 'healthy');
    assert.equal(status.units[0].restarts, 0);
    assert.deepEqual(status.units[0].ports, [`127.0.0.1:${port}->80/tcp`]);

    const listed = (await target.list()).find((summary) => summary.deploymentName === name);
    assert.deepEqual(listed, {
      deploymentName: name,
      stackName: 'deploy-test-container',
      targetType: 'docker',
      state: 'running',
      unitCount: 1,
    });

    const lines: LogLine[] = [];
    await target.logs(name, {}, (line) => lines.push(line));
    // The engine timestamps stdout and stderr separately, so their relative order is not fixed.
    assert.deepEqual(lines.map((line) => `${line.unit} ${line.stream} ${line.text}`).sort(), [
      `${name} stderr problem on stderr`,
      `${name} stdout hello hi-there`,
    ]);
    const stamped: LogLine[] = [];
    await target.logs(name, { tail: 1, timestamps: true }, (line) => stamped.push(line));
    assert.equal(stamped.length, 1);
    assert.match(stamped[0].timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);

    const removed = await target.remove(name);
    assert.deepEqual(removed, {
      removed: [`container ${name}`, `network ${name}_net`],
      kept: [`volume ${name}_data (kept; --delete-data removes it)`],
    });
    assert.deepEqual(await resourcesOf(name), [`volume ${name}_data`]);
    const deleted = await target.remove(name, { deleteData: true });
    assert.deepEqual(deleted, { removed: [`volume ${name}_data`], kept: [] });
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('replaces a deployment of the same name, and keeps it when the new image is missing', async () => {
    const name = uniqueName('redeploy');
    const port = await freePort();
    await target.deploy(await renderFixture(FIXTURE, name, [`port=${port}`, 'greeting=first']));
    const firstId = (await docker.getContainer(name).inspect()).Id;

    const failure = await deployFails(target, name, [`port=${port}`, 'image=local/no-such-image:1']);
    assert.equal(failure.step, 'pull image');
    assert.equal((await docker.getContainer(name).inspect()).Id, firstId, 'the running deployment stays');

    const second = await target.deploy(await renderFixture(FIXTURE, name, [`port=${port}`, 'greeting=second']));
    assert.equal(second.replaced, true);
    assert.deepEqual(second.created, [`container ${name}`]);
    assert.notEqual((await docker.getContainer(name).inspect()).Id, firstId);
    assert.deepEqual(await httpGet(port), { status: 200, body: 'second\n' });
    await target.remove(name, { deleteData: true });
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('image missing: the pull fails, the step and cause are named, nothing is left', async () => {
    const name = uniqueName('noimage');
    const failure = await deployFails(target, name, ['image=local/no-such-image:1', `port=${await freePort()}`]);
    assert.equal(failure.step, 'pull image');
    assert.match(
      failure.message,
      /^image missing: local\/no-such-image:1 is not on the engine and pulling it failed: /,
    );
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('port already allocated: the start fails and the container, network and volume are removed again', async () => {
    const name = uniqueName('port');
    const occupied = await occupyPort();
    try {
      const failure = await deployFails(target, name, [`port=${occupied.port}`]);
      assert.equal(failure.step, 'start container');
      assert.match(failure.message, /^port already allocated: .*127\.0\.0\.1:\d+/);
      assert.match(
        failure.message,
        new RegExp(`rolled back: removed network ${name}_net, volume ${name}_data, container ${name}\\)$`),
      );
    } finally {
      await occupied.close();
    }
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('health check never passed: the deploy fails after the retries and rolls back', async () => {
    const name = uniqueName('unhealthy');
    const failure = await deployFails(target, name, ['health_command=false', `port=${await freePort()}`]);
    assert.equal(failure.step, 'wait for health');
    assert.equal(failure.message.startsWith(`health check never passed: ${name} is unhealthy`), true, failure.message);
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('name in use by a container that is not ours: fails, and the foreign container is untouched', async () => {
    const name = uniqueName('taken');
    const foreign = await docker.createContainer({
      name,
      Image: IMAGE,
      Cmd: ['sleep', '60'],
      Labels: { owner: 'someone-else' },
    });
    try {
      const failure = await deployFails(target, name, [`port=${await freePort()}`]);
      assert.equal(failure.step, 'create container');
      assert.match(failure.message, /^name in use: .*already in use/);
      const still = await docker.getContainer(name).inspect();
      assert.equal(still.Id, foreign.id);
      assert.deepEqual(still.Config.Labels, { owner: 'someone-else' });
      assert.deepEqual(await resourcesOf(name), []);
      await assert.rejects(target.remove(name), /no deployment named/);
      assert.equal((await docker.getContainer(name).inspect()).Id, foreign.id, 'remove never touches it either');
    } finally {
      await foreign.remove({ force: true });
    }
  });

  it('uses an existing foreign volume but never deletes it, even with --delete-data', async () => {
    const name = uniqueName('foreignvol');
    await docker.createVolume({ Name: `${name}_data`, Labels: { owner: 'someone-else' } });
    try {
      const progress: string[] = [];
      const result = await target.deploy(await renderFixture(FIXTURE, name, [`port=${await freePort()}`]), {
        onProgress: (p) => progress.push(p.message),
      });
      assert.deepEqual(result.created, [`network ${name}_net`, `container ${name}`]);
      assert.ok(progress.includes(`using the existing volume ${name}_data, which this deployment did not create`));
      const removed = await target.remove(name, { deleteData: true });
      assert.deepEqual(removed, {
        removed: [`container ${name}`, `network ${name}_net`],
        kept: [`volume ${name}_data (not created by WindFlow, left alone)`],
      });
      assert.deepEqual((await docker.getVolume(`${name}_data`).inspect()).Labels, { owner: 'someone-else' });
    } finally {
      await docker.getVolume(`${name}_data`).remove();
    }
  });

  it('engine unreachable: a bad socket path fails at connect with a plain cause', async () => {
    const unreachable = new DockerTarget({ name: 'gone', kind: 'docker', host: 'unix:///tmp/windflow-no-engine.sock' });
    const name = uniqueName('unreachable');
    const failure = await deployFails(unreachable, name, []);
    assert.equal(failure.step, 'connect');
    assert.equal(
      failure.message,
      'engine unreachable: the Docker socket /tmp/windflow-no-engine.sock does not exist: is the Docker engine running?',
    );
    await assert.rejects(unreachable.ping(), { name: 'TargetError', target: 'gone' });
    await assert.rejects(unreachable.list(), /does not exist/);
  });

  it('refuses a deployment name Docker cannot use before creating anything', async () => {
    const stack = { ...(await renderFixture(FIXTURE, uniqueName('ok'))), deploymentName: 'bad name!' };
    await assert.rejects(target.deploy(stack), { name: 'DeployError', step: 'prepare' });
    assert.deepEqual(await resourcesOf('bad name!'), []);
  });

  it('reports an unknown deployment by name', async () => {
    await assert.rejects(target.status(uniqueName('absent')), /^TargetError: no deployment named '.*' on local$/);
  });

  it('watch reports a change when one of our containers starts', async () => {
    const name = uniqueName('watched');
    let changes = 0;
    const watching = target.watch(() => changes++);
    try {
      // Give the events stream a moment to subscribe before the change happens.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await target.deploy(await renderFixture(FIXTURE, name, [`port=${await freePort()}`]));
      for (let i = 0; i < 40 && changes === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(changes > 0, 'a change was reported');
    } finally {
      watching.dispose();
      await target.remove(name, { deleteData: true });
    }
  });
});
