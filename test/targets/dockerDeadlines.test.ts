/**
 * Every request of a Docker client has a deadline and follows the cancellation of its operation: checked against a
 * loopback server that accepts connections and never answers.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import Docker from 'dockerode';
import { applyDeadlines } from '../../client/src/targets/docker/deadlines';
import { cancellable, CancelledError, DeadlineError, uncancellable } from '../../client/src/targets/deadline';

describe('Docker request deadlines', () => {
  let server: net.Server;
  let docker: Docker;
  const sockets = new Set<net.Socket>();

  before(async () => {
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    docker = new Docker({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, protocol: 'http' });
    applyDeadlines(docker, { callMs: 300, what: 'the silent engine' });
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  async function elapsed(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
    const started = Date.now();
    try {
      await work();
    } catch (error) {
      return { error, ms: Date.now() - started };
    }
    throw new Error('the request succeeded against a server that never answers');
  }

  it('ends a request at its deadline with "did not answer within"', async () => {
    const { error, ms } = await elapsed(() => docker.listContainers());
    assert.ok(error instanceof DeadlineError, String(error));
    assert.equal(error.message, 'the silent engine did not answer within 0.3 s');
    assert.ok(ms >= 250 && ms < 2_000, `${ms} ms`);
  });

  it('gives a stop its own timeout on top of the deadline', async () => {
    const { error, ms } = await elapsed(() => docker.getContainer('x').stop({ t: 1 }));
    assert.ok(error instanceof DeadlineError);
    assert.ok(ms >= 1_250, `${ms} ms`);
  });

  it('cancels every request of a cancelled operation at once, but not those outside it', async () => {
    const controller = new AbortController();
    const pending = elapsed(() => cancellable(controller.signal, () => docker.listImages()));
    setTimeout(() => controller.abort(), 50);
    const { error, ms } = await pending;
    assert.ok(error instanceof CancelledError, String(error));
    assert.ok(ms < 250, `${ms} ms`);
    // Rollback runs outside the cancellation: it still gets its full deadline.
    const rollback = await elapsed(() =>
      cancellable(controller.signal, () => uncancellable(() => docker.listNetworks())),
    );
    assert.ok(rollback.error instanceof DeadlineError, String(rollback.error));
  });
});
