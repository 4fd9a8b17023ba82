/**
 * An engine that accepts connections and never answers: `deploy`, `status` and `targets` (the real CLI, in its own
 * process) end with "did not answer within N s" instead of hanging, and Ctrl-C / SIGTERM end them at once.
 */
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'client', 'src', 'cli', 'main.ts');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'stacks');

/** Accepts every connection, reads what is sent, and never writes a byte back. */
async function silentServer(): Promise<{ port: number; connected: () => Promise<void>; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    server.emit('client');
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    connected: () => new Promise((resolve) => server.once('client', () => resolve())),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface Ended {
  code: number | null;
  stderr: string;
  stdout: string;
  ms: number;
}

function startCli(args: string[], home: string): { child: ChildProcess; ended: Promise<Ended> } {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: FIXTURES,
    env: { HOME: home, PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<Ended>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
  return { child, ended };
}

describe('CLI against an engine that never answers', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof silentServer>>;
  let home: string;
  let targetFile: string;

  before(async () => {
    server = await silentServer();
    home = mkdtempSync(path.join(os.tmpdir(), 'wf-silent-'));
    targetFile = path.join(home, 'targets.yaml');
    writeFileSync(targetFile, `- name: silent\n  kind: docker\n  host: tcp://127.0.0.1:${server.port}\n`);
  });
  after(() => server.close());

  for (const args of [
    ['status', '--target', 'silent'],
    ['deploy', 'deploy-container.yaml', '--target', 'silent'],
    ['targets'],
  ]) {
    it(`${args[0]} ends with "did not answer within 10 s"`, async () => {
      const { ended } = startCli([...args, '--target-file', targetFile], home);
      const result = await ended;
      assert.match(result.stderr + result.stdout, /127\.0\.0\.1:\d+ did not answer within 10 s/);
      if (args[0] !== 'targets') assert.equal(result.code, 1);
      assert.ok(result.ms < 20_000, `took ${result.ms} ms`);
    });
  }

  for (const [signal, command] of [
    ['SIGINT', 'status'],
    ['SIGTERM', 'status'],
    ['SIGINT', 'deploy'],
  ] as const) {
    it(`${signal} ends ${command} at once, exit 130`, async () => {
      const args = command === 'deploy' ? ['deploy', 'deploy-container.yaml'] : ['status'];
      const connected = server.connected();
      const { child, ended } = startCli([...args, '--target', 'silent', '--target-file', targetFile], home);
      await connected;
      const sent = Date.now();
      child.kill(signal);
      const result = await ended;
      assert.equal(result.code, 130, result.stderr);
      assert.ok(Date.now() - sent < 3_000, `ended ${Date.now() - sent} ms after ${signal}`);
    });
  }
});
