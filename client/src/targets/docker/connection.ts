/**
 * One dockerode client per Docker target: unix socket, tcp:// (plain or TLS) or ssh://user@host. Connection failures
 * are turned into TargetErrors that say what to fix (socket missing, permission denied, refused, TLS, engine too old).
 */
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import Docker from 'dockerode';
import { CancelledError, DeadlineError, withDeadline } from '../deadline';
import { DockerTargetConfig, TargetError } from '../target';

/** Reads a secret (SSH key passphrase or password) from the editor's secret storage or the CLI's environment. */
export type SecretProvider = (key: string) => Promise<string | undefined>;

/** Engine API 1.40 is Docker 19.03: the oldest engine whose container/network API our deploys rely on. */
export const MINIMUM_API_VERSION = '1.40';
/** How long the first contact (version check) may take: an engine that does not answer fails fast. */
export const PING_TIMEOUT_MS = 10_000;

/** Secret keys a Docker target may use; the editor stores them in SecretStorage under these names. */
export function sshPassphraseKey(targetName: string): string {
  return `windflow.target.${targetName}.sshPassphrase`;
}
export function sshPasswordKey(targetName: string): string {
  return `windflow.target.${targetName}.sshPassword`;
}

/** What to hand to docker-modem, without reading any file yet (pure, so it is testable). */
export interface EndpointPlan {
  protocol: 'unix' | 'http' | 'https' | 'ssh';
  socketPath?: string;
  host?: string;
  port?: number;
  username?: string;
}

export function planEndpoint(config: DockerTargetConfig): EndpointPlan {
  const raw = config.host.trim();
  if (raw.startsWith('unix://'))
    return { protocol: 'unix', socketPath: raw.slice('unix://'.length) || '/var/run/docker.sock' };
  if (raw.startsWith('npipe://')) return { protocol: 'unix', socketPath: raw.slice('npipe://'.length) };
  if (raw.startsWith('/')) return { protocol: 'unix', socketPath: raw };
  let url: URL;
  try {
    url = new URL(raw.includes('://') ? raw : `tcp://${raw}`);
  } catch {
    throw new TargetError(
      config.name,
      `host '${raw}' is not a Docker address (unix:///path, tcp://host:port, ssh://user@host)`,
    );
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const secure = url.protocol === 'https:' || config.tls !== undefined;
    const port = url.port ? Number(url.port) : secure ? 2376 : 2375;
    return { protocol: secure ? 'https' : 'http', host: url.hostname, port };
  }
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port ? Number(url.port) : 22,
      username: decodeURIComponent(url.username) || undefined,
    };
  }
  throw new TargetError(config.name, `host '${raw}' uses '${url.protocol}', expected unix://, tcp:// or ssh://`);
}

async function readMaterial(
  config: DockerTargetConfig,
  label: string,
  file: string | undefined,
): Promise<Buffer | undefined> {
  if (!file) return undefined;
  try {
    return await readFile(file);
  } catch (error) {
    throw new TargetError(config.name, `cannot read the TLS ${label} file ${file}: ${(error as Error).message}`, error);
  }
}

/** Builds the dockerode client. Reads TLS material and SSH keys now, so a missing file fails here, clearly. */
export async function connectDocker(config: DockerTargetConfig, secrets?: SecretProvider): Promise<Docker> {
  const plan = planEndpoint(config);
  // Every field is set explicitly: docker-modem would otherwise fill gaps from DOCKER_HOST / DOCKER_CERT_PATH.
  const options: Docker.DockerOptions & Record<string, unknown> = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
  };
  if (plan.protocol === 'unix') {
    options.socketPath = plan.socketPath;
  } else if (plan.protocol === 'http' || plan.protocol === 'https') {
    options.host = plan.host;
    options.port = plan.port;
    options.protocol = plan.protocol;
    if (plan.protocol === 'https') {
      const ca = await readMaterial(config, 'CA', config.tls?.ca);
      const cert = await readMaterial(config, 'certificate', config.tls?.cert);
      const key = await readMaterial(config, 'key', config.tls?.key);
      options.ca = ca;
      options.cert = cert;
      options.key = key;
      // docker-modem has no switch for verification; an agent carries it (off only when the user said so).
      options.agent = new https.Agent({ ca, cert, key, rejectUnauthorized: config.tls?.verify !== false });
    }
  } else {
    options.host = plan.host;
    options.port = plan.port;
    options.protocol = 'ssh';
    options.username = plan.username;
    const sshOptions: Record<string, unknown> = { agent: process.env.SSH_AUTH_SOCK };
    if (config.sshKeyPath) {
      try {
        sshOptions.privateKey = await readFile(config.sshKeyPath);
      } catch (error) {
        throw new TargetError(
          config.name,
          `cannot read the SSH key ${config.sshKeyPath}: ${(error as Error).message}`,
          error,
        );
      }
      const passphrase = await secrets?.(sshPassphraseKey(config.name));
      if (passphrase) sshOptions.passphrase = passphrase;
    }
    const password = await secrets?.(sshPasswordKey(config.name));
    if (password) options.password = password;
    options.sshOptions = sshOptions;
  }
  return new Docker(options);
}

/** Where a target points, for messages: the socket path or host:port. */
export function describeEndpoint(config: DockerTargetConfig): string {
  try {
    const plan = planEndpoint(config);
    if (plan.protocol === 'unix') return plan.socketPath ?? config.host;
    return `${plan.protocol === 'ssh' ? 'ssh://' : ''}${plan.username ? `${plan.username}@` : ''}${plan.host}:${plan.port}`;
  } catch {
    return config.host;
  }
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

const CONNECTION_CODES = new Set([
  'ENOENT',
  'EACCES',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);
const SSH_FAILURE = /authentication methods failed|Timed out while waiting for handshake/i;

/** True when the error means the engine could not be reached at all (as opposed to the engine refusing a request). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code ?? '';
  return (
    error instanceof DeadlineError ||
    CONNECTION_CODES.has(code) ||
    TLS_CODES.has(code) ||
    SSH_FAILURE.test(String((error as Error | undefined)?.message))
  );
}

/** Plain words for why a target does not answer. */
export function connectionProblem(config: DockerTargetConfig, error: unknown): TargetError {
  if (error instanceof TargetError) return error;
  if (error instanceof DeadlineError) return new TargetError(config.name, error.message, error);
  const where = describeEndpoint(config);
  const code = (error as { code?: string } | undefined)?.code ?? '';
  const message = (error as Error | undefined)?.message ?? String(error);
  let words: string;
  if (code === 'ENOENT') words = `the Docker socket ${where} does not exist: is the Docker engine running?`;
  else if (code === 'EACCES')
    words = `permission denied on ${where}: add your user to the 'docker' group or choose a target you may use`;
  else if (code === 'ECONNREFUSED') words = `connection refused at ${where}: no Docker engine listens there`;
  else if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND')
    words = `${where} is unreachable (${code})`;
  else if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(message))
    words = `TLS verification failed for ${where}: ${message} (check tls.ca, or set tls.verify: false for this target only if you trust the network)`;
  else if (/Timed out while waiting for handshake/i.test(message))
    words = `${where} is unreachable (the SSH handshake timed out)`;
  else if (SSH_FAILURE.test(message))
    words = `SSH login to ${where} was refused: load your key into ssh-agent or set sshKeyPath (and its passphrase)`;
  else words = `the Docker engine at ${where} does not answer: ${message}`;
  return new TargetError(config.name, words, error);
}

function compareVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** Pings the engine and checks its API version; rejects with a TargetError in plain words. */
export async function checkEngine(
  docker: Docker,
  config: DockerTargetConfig,
  signal?: AbortSignal,
): Promise<{ apiVersion: string; version: string }> {
  // dockerode's types omit the options its version() takes; the abort signal ends the request at the deadline.
  const version = docker.version.bind(docker) as unknown as (options: {
    abortSignal: AbortSignal;
  }) => Promise<Docker.DockerVersion>;
  try {
    const info = await withDeadline((deadline) => version({ abortSignal: deadline }), {
      ms: PING_TIMEOUT_MS,
      what: describeEndpoint(config),
      signal,
    });
    if (compareVersions(info.ApiVersion, MINIMUM_API_VERSION) < 0) {
      throw new TargetError(
        config.name,
        `the Docker engine at ${describeEndpoint(config)} is too old: API ${info.ApiVersion} (Docker ${info.Version}); WindFlow needs API ${MINIMUM_API_VERSION} (Docker 19.03) or newer`,
      );
    }
    return { apiVersion: info.ApiVersion, version: info.Version };
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    throw connectionProblem(config, error);
  }
}
