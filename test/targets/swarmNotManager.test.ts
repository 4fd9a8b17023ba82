/**
 * A Swarm deploy to a real engine that is not a swarm manager: a second dockerd, started by this test on its own
 * socket, data root and exec root (not in swarm mode), answers every Swarm operation with the same clear error, and
 * nothing is left on it. Needs root and dockerd (as .ci/run provides); skips without them, fails when CI=true.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { DockerTarget } from '../../client/src/targets/docker/dockerTarget';
import { NOT_A_MANAGER } from '../../client/src/targets/docker/swarmEngine';
import { DeployError } from '../../client/src/targets/target';
import { renderFixture, uniqueName } from './dockerEngineSupport';

const DOCKERD = '/usr/sbin/dockerd';

/** Starts a throwaway engine; resolves once it answers on its socket. */
async function startEngine(root: string): Promise<{ process: ChildProcess; socket: string }> {
  const socket = path.join(root, 'docker.sock');
  const engine = spawn(
    DOCKERD,
    [
      '--host',
      `unix://${socket}`,
      '--data-root',
      path.join(root, 'data'),
      '--exec-root',
      path.join(root, 'exec'),
      '--pidfile',
      path.join(root, 'docker.pid'),
      // Like the main test engine: no bridge, no iptables (nothing of the host's network is touched).
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
    ],
    { stdio: 'ignore' },
  );
  const docker = new Docker({ socketPath: socket });
  for (let attempt = 0; attempt < 150; attempt++) {
    if (engine.exitCode !== null) throw new Error(`dockerd exited with ${engine.exitCode}`);
    try {
      await docker.ping();
      return { process: engine, socket };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  engine.kill('SIGKILL');
  throw new Error('the second dockerd did not answer within 30 s');
}

describe('Docker target: Swarm on an engine that is not a swarm manager', function () {
  this.timeout(90_000);
  let root = '';
  let engine: ChildProcess | undefined;
  let docker: Docker;
  let target: DockerTarget;
  let swarmTarget: DockerTarget;

  before(async function () {
    const reason = !existsSync(DOCKERD)
      ? `${DOCKERD} is missing`
      : process.getuid?.() !== 0
        ? 'a second dockerd needs root'
        : undefined;
    if (reason) {
      if (process.env.CI === 'true') throw new Error(reason);
      console.warn(`      skipped: ${reason}`);
      this.skip();
    }
    // Short: a unix socket path must stay under 108 bytes.
    root = mkdtempSync(path.join(os.tmpdir(), 'wfd-'));
    const started = await startEngine(root);
    engine = started.process;
    docker = new Docker({ socketPath: started.socket });
    target = new DockerTarget({ name: 'plain', kind: 'docker', host: `unix://${started.socket}` });
    swarmTarget = new DockerTarget({
      name: 'plain-swarm',
      kind: 'docker',
      host: `unix://${started.socket}`,
      swarm: true,
    });
  });

  after(async () => {
    target?.dispose();
    swarmTarget?.dispose();
    if (engine && engine.exitCode === null) {
      const exited = new Promise((resolve) => engine!.once('exit', resolve));
      engine.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (engine.exitCode === null) engine.kill('SIGKILL');
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function assertRefused(deploy: Promise<unknown>): Promise<void> {
    await assert.rejects(deploy, (error: unknown) => {
      assert.ok(error instanceof DeployError, String(error));
      assert.equal(error.message, NOT_A_MANAGER);
      return true;
    });
  }

  it('refuses a docker_swarm stack with the reason and what to do, leaving nothing behind', async () => {
    const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
    assert.equal(info.Swarm?.LocalNodeState, 'inactive', 'the second engine is not in swarm mode');
    await assertRefused(
      target.deploy(await renderFixture('deploy-swarm.yaml', uniqueName('nomgr'), ['api_port=18999'])),
    );
    assert.deepEqual(await docker.listContainers({ all: true }), [], 'no lock or task container is left');
    assert.deepEqual(
      (await docker.listNetworks()).filter((network) => network.Labels?.['com.docker.stack.namespace']),
      [],
    );
  });

  it('refuses a docker_compose stack on a target set to deploy Compose stacks as Swarm stacks', async () => {
    const rendered = await renderFixture('deploy-compose.yaml', uniqueName('nomgr-compose'));
    assert.equal(rendered.targetType, 'docker_compose');
    await assertRefused(swarmTarget.deploy(rendered));
    assert.deepEqual(await docker.listContainers({ all: true }), []);
  });

  it('still lists, and says a name is unknown, without failing on the Swarm endpoints it cannot use', async () => {
    assert.deepEqual(await target.list(), []);
    const unknown = /no deployment named 'wf-no-such-swarm-stack'/;
    await assert.rejects(target.status('wf-no-such-swarm-stack'), unknown);
    await assert.rejects(target.remove('wf-no-such-swarm-stack'), unknown);
  });
});
