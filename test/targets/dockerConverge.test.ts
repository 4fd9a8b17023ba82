/**
 * "Deployed" means running, on the real engine: a container that crashes (and is restarted by its policy), a
 * Compose service that exits at once, a process that cannot bind its port — each fails the deploy with the
 * container's own exit code and last log lines, and is rolled back. Afterwards, status says what is wrong and
 * `windflow-stack status` exits non-zero for anything but running.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readStackInput } from '../../client/src/cli/stackInput';
import { DeployError, RenderedStack } from '../../client/src/targets/target';
import { runInProcess } from '../cli/inProcess';
import { docker, engineTarget, occupyPort, resourcesOf, SOCKET, uniqueName } from './dockerEngineSupport';

const folder = mkdtempSync(path.join(os.tmpdir(), 'wf-converge-'));

function containerStack(template: string): string {
  return `metadata:
  name: converge-test
  version: "1.0.0"
  category: Tests
  author: WindFlow Stacks
  license: MIT
  description: A container for the convergence tests.
  target_type: docker
template:
${template}
`;
}

function composeStack(services: string): string {
  return `metadata:
  name: converge-compose
  version: "1.0.0"
  category: Tests
  author: WindFlow Stacks
  license: MIT
  description: A Compose project for the convergence tests.
  target_type: docker_compose
template:
  services:
${services}
`;
}

async function render(text: string, deploymentName: string): Promise<RenderedStack> {
  const file = path.join(folder, `${deploymentName}.stack.yaml`);
  writeFileSync(file, text);
  const input = await readStackInput({ file, cwd: folder, sets: [], deploymentName });
  if (!input.ok) throw new Error(input.problems.join('\n'));
  return input.rendered;
}

function failsAt(step: string, message: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof DeployError, String(error));
    assert.equal(error.step, step, error.message);
    assert.match(error.message, message);
    return true;
  };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('Docker deploys converge or fail (real engine)', function () {
  this.timeout(60_000);
  const target = engineTarget();
  const cliEnv = { HOME: folder, PATH: process.env.PATH, DOCKER_HOST: `unix://${SOCKET}` };

  it('fails a container whose command fails under the default restart policy, with its exit code and logs', async () => {
    const name = uniqueName('crash');
    const stack = await render(
      containerStack(`  image: local/busybox:1
  command: ["sh", "-c", "echo cannot open config >&2; exit 3"]`),
      name,
    );
    await assert.rejects(
      target.deploy(stack, { settleMs: 1_500 }),
      failsAt(
        'wait until stable',
        new RegExp(
          `^${name} keeps restarting \\(last exit code 3, restarted \\d+ times\\); its last log lines:\\n    cannot open config`,
        ),
      ),
    );
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('fails a Compose project when one service exits at once, naming it, and removes the project', async () => {
    const name = uniqueName('exit');
    const stack = await render(
      composeStack(`    web:
      image: local/busybox:1
      command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    worker:
      image: local/busybox:1
      command: ["sh", "-c", "echo missing QUEUE_URL; exit 7"]`),
      name,
    );
    await assert.rejects(
      target.deploy(stack, { settleMs: 1_500 }),
      failsAt(
        'wait until stable',
        new RegExp(
          `^${name}-worker-1 exited with code 7; its last log lines:\\n    missing QUEUE_URL \\(rolled back: `,
        ),
      ),
    );
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('fails a one-shot dependency that exits non-zero at "wait for completion", not at start', async () => {
    const name = uniqueName('oneshot');
    const stack = await render(
      composeStack(`    migrate:
      image: local/busybox:1
      command: ["sh", "-c", "echo migration 12 failed; exit 2"]
    web:
      image: local/busybox:1
      command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
      depends_on:
        migrate:
          condition: service_completed_successfully`),
      name,
    );
    await assert.rejects(
      target.deploy(stack, { settleMs: 500 }),
      failsAt(
        'wait for completion',
        new RegExp(`^${name}-migrate-1 exited with code 2; its last log lines:\\n    migration 12 failed`),
      ),
    );
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('says a container that exits while its health is awaited exited, not that it is unhealthy', async () => {
    const name = uniqueName('healthexit');
    const stack = await render(
      containerStack(`  image: local/busybox:1
  command: ["sh", "-c", "sleep 1; echo out of memory; exit 137"]
  restart_policy: "no"
  healthcheck:
    test: ["CMD-SHELL", "false"]
    interval: 5s
    retries: 3`),
      name,
    );
    await assert.rejects(
      target.deploy(stack, { settleMs: 500 }),
      failsAt(
        'wait for health',
        new RegExp(
          `^${name} exited with code 137 before its health check passed; its last log lines:\\n    out of memory`,
        ),
      ),
    );
  });

  it('fails when the port is held by another process (host network: the server cannot bind)', async () => {
    const name = uniqueName('port');
    const held = await occupyPort();
    try {
      const stack = await render(
        containerStack(`  image: local/busybox:1
  network_mode: host
  command: ["httpd", "-f", "-p", "127.0.0.1:${held.port}"]`),
        name,
      );
      await assert.rejects(
        target.deploy(stack, { settleMs: 1_500 }),
        failsAt(
          'wait until stable',
          new RegExp(`^${name} keeps restarting \\(last exit code 1.*\\n    .*[Aa]ddress (already )?in use`, 's'),
        ),
      );
      assert.deepEqual(await resourcesOf(name), []);
    } finally {
      await held.close();
    }
  });

  it('reports restarting, exited (code), unhealthy and partial after the deploy, and status exits 1 for them', async () => {
    const restarting = uniqueName('later-crash');
    await target.deploy(
      await render(
        containerStack(`  image: local/busybox:1
  command: ["sh", "-c", "sleep 2; exit 4"]`),
        restarting,
      ),
      { settleMs: 200 },
    );
    const exited = uniqueName('later-exit');
    await target.deploy(
      await render(
        containerStack(`  image: local/busybox:1
  restart_policy: "no"
  command: ["sh", "-c", "sleep 2; exit 5"]`),
        exited,
      ),
      { settleMs: 200 },
    );
    const unhealthy = uniqueName('later-sick');
    await target.deploy(
      await render(
        containerStack(`  image: local/busybox:1
  command: ["sh", "-c", "touch /tmp/ok; sleep 2; rm /tmp/ok; trap 'exit 0' TERM; sleep 3600 & wait"]
  healthcheck:
    test: ["CMD-SHELL", "test -f /tmp/ok"]
    interval: 1s
    timeout: 1s
    retries: 1`),
        unhealthy,
      ),
      { settleMs: 200 },
    );
    const partial = uniqueName('later-partial');
    await target.deploy(
      await render(
        composeStack(`    web:
      image: local/busybox:1
      command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    worker:
      image: local/busybox:1
      command: ["sh", "-c", "sleep 2; exit 6"]`),
        partial,
      ),
      { settleMs: 200 },
    );
    await until(async () => (await target.status(restarting)).state === 'restarting', `${restarting} restarts`);
    await until(async () => (await target.status(exited)).state === 'exited', `${exited} exits`);
    await until(async () => (await target.status(unhealthy)).state === 'unhealthy', `${unhealthy} turns unhealthy`);
    await until(async () => (await target.status(partial)).state === 'partial', `${partial} loses its worker`);
    assert.equal((await target.status(exited)).exitCode, 5);

    const listed = await target.list();
    const stateOf = (deployment: string) => listed.find((d) => d.deploymentName === deployment);
    assert.equal(stateOf(exited)?.state, 'exited');
    assert.equal(stateOf(exited)?.exitCode, 5);
    assert.equal(stateOf(partial)?.state, 'partial');
    assert.equal(stateOf(unhealthy)?.state, 'unhealthy');

    const shown = await runInProcess(['status', exited], { env: cliEnv });
    assert.equal(shown.code, 1, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^${exited} \\(converge-test, docker\\): exited \\(5\\)\\n`));
    for (const deployment of [restarting, unhealthy, partial])
      assert.equal((await runInProcess(['status', deployment], { env: cliEnv })).code, 1, deployment);
    for (const deployment of [restarting, exited, unhealthy, partial]) await target.remove(deployment);
  });

  it('deploys a project whose one-shot dependency finished with 0, and calls it running', async () => {
    const name = uniqueName('done');
    await target.deploy(
      await render(
        composeStack(`    migrate:
      image: local/busybox:1
      command: ["sh", "-c", "echo migrated"]
    web:
      image: local/busybox:1
      command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
      depends_on:
        migrate:
          condition: service_completed_successfully`),
        name,
      ),
      { settleMs: 500 },
    );
    assert.equal((await target.status(name)).state, 'running');
    assert.equal((await runInProcess(['status', name], { env: cliEnv })).code, 0);
    await target.remove(name);
    assert.equal((await docker.listContainers({ all: true, filters: { name: [name] } })).length, 0);
  });
});
