/**
 * ssh:// Docker targets against a loopback SSH server that does what a real remote host does for Docker over SSH:
 * authenticate the user, run `docker system dial-stdio` (here: pipe the channel to the local engine's socket).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Server, utils } from 'ssh2';
import { sshPassphraseKey, sshPasswordKey } from '../../client/src/targets/docker/connection';
import { DockerTarget } from '../../client/src/targets/docker/dockerTarget';
import { TargetError } from '../../client/src/targets/target';
import { requireEngine, SOCKET } from './dockerEngineSupport';

const USER = 'deploy';
const PASSWORD = 'correct horse battery staple';
const PASSPHRASE = 'key passphrase';

describe('Docker target over ssh://', function () {
  this.timeout(20_000);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'windflow-ssh-'));
  const clientKey = utils.generateKeyPairSync('ed25519', { passphrase: PASSPHRASE, cipher: 'aes256-ctr', rounds: 8 });
  const keyPath = path.join(folder, 'id_ed25519');
  const commands: string[] = [];
  let server: Server;
  let port = 0;

  before(async function () {
    await requireEngine(this);
    writeFileSync(keyPath, clientKey.private);
    const allowedKey = utils.parseKey(clientKey.public);
    if (allowedKey instanceof Error) throw allowedKey;
    server = new Server({ hostKeys: [utils.generateKeyPairSync('ed25519').private] }, (client) => {
      client.on('authentication', (context) => {
        if (context.username !== USER) return context.reject();
        if (context.method === 'password' && context.password === PASSWORD) return context.accept();
        if (
          context.method === 'publickey' &&
          context.key.algo === allowedKey.type &&
          Buffer.compare(context.key.data, allowedKey.getPublicSSH()) === 0 &&
          (!context.signature ||
            allowedKey.verify(context.blob as Buffer, context.signature, context.hashAlgo) === true)
        )
          return context.accept();
        context.reject(['password', 'publickey']);
      });
      client.on('ready', () =>
        client.on('session', (accept) =>
          accept().on('exec', (acceptExec, reject, info) => {
            commands.push(info.command);
            if (info.command !== 'docker system dial-stdio') return reject();
            const channel = acceptExec();
            const engine = net.connect(SOCKET);
            channel.pipe(engine).pipe(channel);
            engine.on('close', () => channel.close());
            channel.on('close', () => engine.destroy());
          }),
        ),
      );
      client.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
    rmSync(folder, { recursive: true, force: true });
  });

  it('logs in with a password from the secret provider and talks to the engine', async () => {
    const asked: string[] = [];
    const target = new DockerTarget(
      { name: 'remote', kind: 'docker', host: `ssh://${USER}@127.0.0.1:${port}` },
      (key) => {
        asked.push(key);
        return Promise.resolve(key === sshPasswordKey('remote') ? PASSWORD : undefined);
      },
    );
    await target.ping();
    assert.ok(Array.isArray(await target.list()));
    assert.deepEqual(asked, ['windflow.target.remote.sshPassword']);
    assert.ok(commands.includes('docker system dial-stdio'));
  });

  it('logs in with an encrypted key whose passphrase comes from the secret provider', async () => {
    const target = new DockerTarget(
      { name: 'keyed', kind: 'docker', host: `ssh://${USER}@127.0.0.1:${port}`, sshKeyPath: keyPath },
      (key) => Promise.resolve(key === sshPassphraseKey('keyed') ? PASSPHRASE : undefined),
    );
    await target.ping();
  });

  it('says the login was refused when no credential works', async () => {
    const target = new DockerTarget({ name: 'nobody', kind: 'docker', host: `ssh://intruder@127.0.0.1:${port}` });
    const error = await target.ping().catch((failure: unknown) => failure);
    assert.ok(error instanceof TargetError);
    assert.equal(
      error.message,
      `SSH login to ssh://intruder@127.0.0.1:${port} was refused: load your key into ssh-agent or set sshKeyPath (and its passphrase)`,
    );
  });
});
