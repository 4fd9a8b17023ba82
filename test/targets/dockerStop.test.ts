/**
 * Stop and start on the real engine: a Compose project stopped dependents first and started dependencies first, a
 * docker stack whose process dies of the stop signal, containers that only look like ours left alone, and the CLI.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { runCli } from '../../client/src/cli/main';
import { unitState } from '../../client/src/targets/docker/dockerTarget';
import { startLayers } from '../../client/src/targets/docker/lifecycle';
import { TargetError } from '../../client/src/targets/target';
import { docker, engineTarget, FIXTURES, freePort, IMAGE, renderFixture, uniqueName } from './dockerEngineSupport';

/** What the engine says of a container: its state and exit code. */
async function engineState(name: string): Promise<[string, number]> {
  const { State } = await docker.getContainer(name).inspect();
  return [State.Status, State.ExitCode];
}

async function timesOf(name: string): Promise<{ started: number; finished: number }> {
  const { State } = await docker.getContainer(name).inspect();
  return { started: Date.parse(State.StartedAt), finished: Date.parse(State.FinishedAt) };
}

function containerInfo(service: string, dependsOn: string): Docker.ContainerInfo {
  return {
    Id: service,
    Labels: { 'com.docker.compose.service': service, 'com.docker.compose.depends_on': dependsOn },
  } as unknown as Docker.ContainerInfo;
}

describe('Docker target: stop and start', () => {
  it('orders containers by the depends_on label, and falls back to one layer when it cannot', () => {
    const layers = startLayers([
      containerInfo('web', 'db:service_healthy:false,migrate:service_completed_successfully:false'),
      containerInfo('migrate', 'db:service_healthy:false'),
      containerInfo('db', ''),
      containerInfo('cache', 'gone:service_started:false'),
    ]);
    assert.deepEqual(
      layers.map((layer) => layer.map((info) => info.Id)),
      [['db', 'cache'], ['migrate'], ['web']],
    );
    const cycle = startLayers([
      containerInfo('a', 'b:service_started:false'),
      containerInfo('b', 'a:service_started:false'),
    ]);
    assert.deepEqual(
      cycle.map((layer) => layer.map((info) => info.Id)),
      [['a', 'b']],
    );
    assert.deepEqual(startLayers([]), []);
  });

  it('counts a process ended by the stop signal as stopped, and a kill as stopped only without memory exhaustion', () => {
    assert.equal(unitState('exited', 143, undefined), 'stopped');
    assert.equal(unitState('exited', 137, undefined, false), 'stopped');
    assert.equal(unitState('exited', 137, undefined, true), 'failed');
    assert.equal(unitState('exited', 137, undefined), 'failed');
    assert.equal(unitState('exited', 1, undefined, false), 'failed');
    assert.equal(unitState('exited', 0, undefined), 'exited');
  });

  describe('on the real engine', function () {
    this.timeout(30_000);
    const target = engineTarget();

    it('stops a Compose project dependents first and starts it dependencies first, keeping a look-alike running', async () => {
      const project = uniqueName('stopapp');
      await target.deploy(await renderFixture('deploy-compose.yaml', project, [`web_port=${await freePort()}`]));
      // Carries the deployment and Compose project labels but not windflow.managed: not ours.
      const lookAlike = await docker.createContainer({
        name: `${project}-lookalike`,
        Image: IMAGE,
        Cmd: ['sleep', '3600'],
        Labels: { 'windflow.deployment': project, 'com.docker.compose.project': project },
        HostConfig: { NetworkMode: 'none' },
      });
      try {
        await lookAlike.start();
        await target.stop(project);

        const stopped = await target.status(project);
        assert.equal(stopped.state, 'stopped');
        assert.deepEqual(
          stopped.units.map((unit) => [unit.name, unit.state, unit.reason]),
          [
            [`${project}-db-1`, 'exited', 'exited with code 0'],
            [`${project}-migrate-1`, 'exited', 'exited with code 0'],
            [`${project}-web-1`, 'exited', 'exited with code 0'],
          ],
        );
        assert.deepEqual(await engineState(`${project}-web-1`), ['exited', 0]);
        assert.deepEqual(await engineState(`${project}-db-1`), ['exited', 0]);
        assert.ok((await timesOf(`${project}-web-1`)).finished <= (await timesOf(`${project}-db-1`)).finished);
        assert.equal((await lookAlike.inspect()).State.Status, 'running');
        const listed = (await target.list()).find((summary) => summary.deploymentName === project);
        assert.equal(listed?.state, 'stopped');

        await target.stop(project);
        assert.equal((await target.status(project)).state, 'stopped', 'stopping twice changes nothing');

        await target.start(project);
        assert.deepEqual(await engineState(`${project}-db-1`), ['running', 0]);
        assert.deepEqual(await engineState(`${project}-web-1`), ['running', 0]);
        const db = await timesOf(`${project}-db-1`);
        const migrate = await timesOf(`${project}-migrate-1`);
        const web = await timesOf(`${project}-web-1`);
        assert.ok(db.started <= migrate.started && migrate.started <= web.started);
        assert.equal((await target.status(project)).state, 'running');
        assert.equal((await lookAlike.inspect()).State.Status, 'running');
      } finally {
        await lookAlike.remove({ force: true });
      }
    });

    it('stops a docker stack whose process dies of the stop signal, and starts it again', async () => {
      const name = uniqueName('stopone');
      await target.deploy({
        stackName: 'stop-test',
        targetType: 'docker',
        deploymentName: name,
        // With an init process, sleep receives the stop signal and dies of it: exit code 143, not a clean 0.
        template: { image: IMAGE, command: ['sleep', '3600'], init: true, network_mode: 'none', restart_policy: 'no' },
        secrets: [],
      });
      await target.stop(name);
      assert.deepEqual(await engineState(name), ['exited', 143]);
      const stopped = await target.status(name);
      assert.equal(stopped.state, 'stopped');
      assert.deepEqual(
        stopped.units.map((unit) => [unit.name, unit.state, unit.reason]),
        [[name, 'stopped', 'exited with code 143']],
      );

      await target.start(name);
      assert.deepEqual(await engineState(name), ['running', 0]);
      assert.equal((await target.status(name)).state, 'running');
      await target.start(name);
      assert.deepEqual(await engineState(name), ['running', 0], 'starting a running deployment changes nothing');
    });

    it('refuses a deployment that does not exist, naming it and the target', async () => {
      const missing = `${uniqueName('absent')}-zzzz`;
      for (const change of [() => target.stop(missing), () => target.start(missing)]) {
        const error = await change().then(
          () => assert.fail('expected a TargetError'),
          (failure: unknown) => failure,
        );
        assert.ok(error instanceof TargetError);
        assert.equal(error.target, 'local');
        assert.match(error.message, new RegExp(`^no deployment named '${missing}' on local`));
      }
    });

    describe('CLI', () => {
      // A home without targets file or Docker config, so `local` is the default socket whatever the machine has.
      const home = mkdtempSync(path.join(os.tmpdir(), 'windflow-stop-home-'));
      after(() => rmSync(home, { recursive: true, force: true }));

      async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
        const output = { stdout: '', stderr: '' };
        const stream = (key: 'stdout' | 'stderr') =>
          new Writable({
            write(chunk: Buffer | string, _encoding, done) {
              output[key] += chunk.toString();
              done();
            },
          });
        const code = await runCli(argv, {
          stdout: stream('stdout'),
          stderr: stream('stderr'),
          cwd: FIXTURES,
          env: { HOME: home, PATH: process.env.PATH },
          signal: new AbortController().signal,
        });
        return { code, ...output };
      }

      it('stop and start print what they did and exit 0, 1 or 2', async () => {
        const name = uniqueName('stopcli');
        await target.deploy({
          stackName: 'stop-test',
          targetType: 'docker',
          deploymentName: name,
          template: { image: IMAGE, command: ['sleep', '3600'], init: true, network_mode: 'none' },
          secrets: [],
        });
        assert.deepEqual(await cli('stop', name), { code: 0, stdout: `stopped ${name} on local\n`, stderr: '' });
        assert.deepEqual(await engineState(name), ['exited', 143]);
        assert.deepEqual(await cli('start', name, '--target', 'local'), {
          code: 0,
          stdout: `started ${name} on local\n`,
          stderr: '',
        });
        assert.deepEqual(await engineState(name), ['running', 0]);

        const missing = await cli('stop', `${name}-zzzz`);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, new RegExp(`^target local: no deployment named '${name}-zzzz' on local`));
        assert.deepEqual(await cli('start'), {
          code: 2,
          stdout: '',
          stderr:
            'windflow-stack start: name exactly one deployment\nUsage: windflow-stack start DEPLOYMENT [--target NAME] [--target-file FILE]\n',
        });
      });
    });
  });
});
