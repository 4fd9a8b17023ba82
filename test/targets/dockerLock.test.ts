/**
 * The deployment lock held on the real engine: exactly one of many concurrent acquirers wins, the others are told
 * who holds it; a lock whose holder stopped renewing it is taken over; a second deploy of the same name fails at
 * once and touches nothing of the first.
 */
import assert from 'node:assert/strict';
import { DockerLockStore, lockContainerName } from '../../client/src/targets/docker/engineLock';
import { acquireLock, LockBusyError, withLock } from '../../client/src/targets/lock';
import { DeployError } from '../../client/src/targets/target';
import { docker, engineTarget, renderFixture, resourcesOf, uniqueName, freePort } from './dockerEngineSupport';

async function lockExists(deploymentName: string): Promise<boolean> {
  try {
    await docker.getContainer(lockContainerName(deploymentName)).inspect();
    return true;
  } catch {
    return false;
  }
}

describe('deployment lock on the real Docker engine', function () {
  this.timeout(60_000);
  const target = engineTarget();

  it('lets exactly one of eight concurrent acquirers win; the others are told who holds it', async () => {
    const name = uniqueName('lock');
    // Separate stores (separate clients), as separate processes would have.
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        acquireLock(new DockerLockStore(docker), { deploymentName: name, operation: 'deploy' }),
      ),
    );
    const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
    const lost = attempts.filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 7);
    for (const attempt of lost) {
      assert.ok(attempt.reason instanceof LockBusyError, String(attempt.reason));
      assert.match(
        (attempt.reason as Error).message,
        new RegExp(
          `^a deploy of ${name} is already running \\(started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z by .+@.+ \\(pid ${process.pid}\\)\\)`,
        ),
      );
    }
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
    assert.equal(await lockExists(name), false);
  });

  it('takes over a lock whose holder stopped renewing it, and never one that is renewed', async () => {
    const name = uniqueName('lock');
    const store = new DockerLockStore(docker);
    // A holder killed mid-deploy: its lock was created, then never renewed nor released.
    const now = Date.now();
    const abandoned = await store.create({
      deploymentName: name,
      operation: 'deploy',
      holder: 'gone@elsewhere (pid 1)',
      startedAt: new Date(now - 120_000),
      expiresAt: new Date(now - 60_000),
    });
    assert.ok(abandoned.created);
    const taken = await acquireLock(store, { deploymentName: name, operation: 'remove', leaseMs: 1_500 });
    // Renewed every 500 ms: well past its first expiry, it still holds.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await assert.rejects(
      acquireLock(store, { deploymentName: name, operation: 'deploy' }),
      /a remove of .* is already running/,
    );
    await taken.release();
    await withLock(store, { deploymentName: name, operation: 'deploy' }, async () => {
      assert.equal(await lockExists(name), true);
    });
    assert.equal(await lockExists(name), false);
  });

  it('fails a second deploy of the same name at once and leaves the first one whole', async () => {
    const name = uniqueName('lock');
    const port = await freePort();
    const stack = await renderFixture('deploy-container.yaml', name, [`port=${port}`]);
    const first = target.deploy(stack);
    // Wait until the first deploy holds the lock, then start the second.
    while (!(await lockExists(name))) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await assert.rejects(
      target.deploy(stack),
      (error: unknown) =>
        error instanceof DeployError &&
        error.step === 'lock' &&
        new RegExp(`^a deploy of ${name} is already running`).test(error.message),
    );
    assert.ok(Date.now() - started < 5_000);
    await first;
    const status = await target.status(name);
    assert.equal(status.state, 'running');
    assert.deepEqual(await resourcesOf(name), [`container ${name}`, `network ${name}_net`, `volume ${name}_data`]);
    // stop / remove take the same lock, and release it.
    await target.remove(name, { deleteData: true });
    assert.equal(await lockExists(name), false);
  });
});
