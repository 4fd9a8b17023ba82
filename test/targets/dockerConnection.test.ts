/**
 * Connecting to Docker endpoints: addresses, and each connection failure produced for real against loopback
 * servers that answer like an engine's /version endpoint (old API, self-signed TLS) or do not exist at all.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectionProblem, planEndpoint } from '../../client/src/targets/docker/connection';
import { selfSignedCertificate } from '../fixtures/selfSignedCertificate';
import { DockerTarget } from '../../client/src/targets/docker/dockerTarget';
import { DockerTargetConfig, TargetError } from '../../client/src/targets/target';

function config(host: string, extra: Partial<DockerTargetConfig> = {}): DockerTargetConfig {
  return { name: 'probe', kind: 'docker', host, ...extra };
}

/** Answers GET /version like a Docker engine of the given API version. */
function versionHandler(apiVersion: string, version: string): http.RequestListener {
  return (request, response) => {
    response.setHeader('Content-Type', 'application/json');
    if (request.url?.endsWith('/version')) response.end(JSON.stringify({ ApiVersion: apiVersion, Version: version }));
    else {
      response.statusCode = 404;
      response.end(JSON.stringify({ message: 'page not found' }));
    }
  };
}

async function listen(server: net.Server, where: string | number): Promise<void> {
  await new Promise<void>((resolve) =>
    typeof where === 'string' ? server.listen(where, resolve) : server.listen(where, '127.0.0.1', resolve),
  );
}

describe('Docker connection', () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'windflow-docker-connection-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  describe('planEndpoint', () => {
    it('reads unix, tcp, tls and ssh addresses', () => {
      assert.deepEqual(planEndpoint(config('unix:///run/user/docker.sock')), {
        protocol: 'unix',
        socketPath: '/run/user/docker.sock',
      });
      assert.deepEqual(planEndpoint(config('tcp://10.0.0.5')), { protocol: 'http', host: '10.0.0.5', port: 2375 });
      assert.deepEqual(planEndpoint(config('tcp://10.0.0.5', { tls: {} })), {
        protocol: 'https',
        host: '10.0.0.5',
        port: 2376,
      });
      assert.deepEqual(planEndpoint(config('ssh://deploy@build.example:2222')), {
        protocol: 'ssh',
        host: 'build.example',
        port: 2222,
        username: 'deploy',
      });
    });

    it('rejects other schemes with the accepted forms', () => {
      assert.throws(() => planEndpoint(config('ftp://host')), {
        message: "host 'ftp://host' uses 'ftp:', expected unix://, tcp:// or ssh://",
      });
    });
  });

  describe('failures in plain words', () => {
    it('names a missing socket', async () => {
      const target = new DockerTarget(config(`unix://${folder}/absent.sock`));
      await assert.rejects(target.ping(), {
        name: 'TargetError',
        message: `the Docker socket ${folder}/absent.sock does not exist: is the Docker engine running?`,
      });
    });

    it('names a refused connection', async () => {
      const server = net.createServer();
      await listen(server, 0);
      const { port } = server.address() as net.AddressInfo;
      await new Promise((resolve) => server.close(resolve));
      const target = new DockerTarget(config(`tcp://127.0.0.1:${port}`));
      await assert.rejects(target.ping(), {
        message: `connection refused at 127.0.0.1:${port}: no Docker engine listens there`,
      });
    });

    it('names permission denied (a socket the user may not open)', () => {
      // Tests run as root, which no file mode stops, so the engine's EACCES is produced as the error Node raises.
      const denied = Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' });
      assert.equal(
        connectionProblem(config('unix:///var/run/docker.sock'), denied).message,
        "permission denied on /var/run/docker.sock: add your user to the 'docker' group or choose a target you may use",
      );
    });

    it('refuses an engine that is too old', async () => {
      const socket = path.join(folder, 'old-engine.sock');
      const server = http.createServer(versionHandler('1.24', '1.12.6'));
      await listen(server, socket);
      try {
        const error = await new DockerTarget(config(`unix://${socket}`)).ping().catch((e: unknown) => e);
        assert.ok(error instanceof TargetError);
        assert.equal(
          error.message,
          `the Docker engine at ${socket} is too old: API 1.24 (Docker 1.12.6); WindFlow needs API 1.40 (Docker 19.03) or newer`,
        );
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    describe('TLS', function () {
      let server: https.Server | undefined;
      let port = 0;
      const ca = path.join(folder, 'cert.pem');

      before(async function () {
        let certificate: ReturnType<typeof selfSignedCertificate>;
        try {
          certificate = selfSignedCertificate(folder);
        } catch {
          if (process.env.CI === 'true') throw new Error('openssl is needed to make a test certificate');
          console.warn('      skipped: openssl is not installed');
          this.skip();
        }
        server = https.createServer(
          { key: certificate.key, cert: certificate.cert },
          versionHandler('1.41', '20.10.24'),
        );
        await listen(server, 0);
        port = (server.address() as net.AddressInfo).port;
      });
      after(async () => {
        if (server) await new Promise((resolve) => server?.close(resolve));
      });

      it('fails verification of a certificate no CA vouches for', async () => {
        const error = await new DockerTarget(config(`tcp://127.0.0.1:${port}`, { tls: {} }))
          .ping()
          .catch((e: unknown) => e);
        assert.ok(error instanceof TargetError);
        assert.match(
          error.message,
          new RegExp(`^TLS verification failed for 127\\.0\\.0\\.1:${port}: self[- ]signed certificate`),
        );
      });

      it('answers when the CA is given, or when the user turned verification off for this target', async () => {
        await new DockerTarget(config(`tcp://127.0.0.1:${port}`, { tls: { ca } })).ping();
        await new DockerTarget(config(`tcp://127.0.0.1:${port}`, { tls: { verify: false } })).ping();
      });

      it('says which TLS file cannot be read', async () => {
        await assert.rejects(
          new DockerTarget(config(`tcp://127.0.0.1:${port}`, { tls: { ca: '/nonexistent/ca.pem' } })).ping(),
          {
            message: /^cannot read the TLS CA file \/nonexistent\/ca\.pem: ENOENT/,
          },
        );
      });
    });
  });
});
