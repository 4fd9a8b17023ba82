/**
 * Where targets come from: settings, the CLI targets file, and what the machine already has (the local Docker
 * engine as `local`, every kubeconfig context). The Kubernetes modules imported here load @kubernetes/client-node
 * themselves only when a Kubernetes target first connects, so Docker-only use never loads it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { didYouMean } from '../../../server/src/stack/suggest';
import type { SecretProvider } from './docker/connection';
import { DockerTarget } from './docker/dockerTarget';
import { discoverKubernetesTargets } from './kubernetes/discover';
import { KubernetesTarget } from './kubernetes/kubernetesTarget';
import { DockerTargetConfig, Target, TargetConfig, TargetError, TargetOptions } from './target';
import { defaultTargetsFile, parseTargetSettings, readTargetsFile } from './targetsFile';

export const LOCAL_TARGET_NAME = 'local';
const DEFAULT_SOCKET = 'unix:///var/run/docker.sock';

export interface LoadTargetsOptions {
  /** `windflow.targets` from the editor's settings (checked like the targets file). */
  settingsTargets?: unknown[];
  /** --target-file; without it the default file is read when it exists. */
  targetFile?: string;
  env: NodeJS.ProcessEnv;
  homeDir: string;
  /** Problems that do not stop the other targets from loading (a broken kubeconfig, a bad Docker context). */
  onWarning?: (message: string) => void;
}

interface DockerContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

/**
 * The local engine the way the docker CLI picks it: DOCKER_HOST, else the current context (DOCKER_CONTEXT or
 * currentContext in config.json), else the default socket.
 */
export function discoverLocalDocker(env: NodeJS.ProcessEnv, homeDir: string): DockerTargetConfig {
  if (env.DOCKER_HOST) {
    const config: DockerTargetConfig = { name: LOCAL_TARGET_NAME, kind: 'docker', host: env.DOCKER_HOST };
    if (env.DOCKER_HOST.startsWith('tcp://') && (env.DOCKER_TLS_VERIFY || env.DOCKER_CERT_PATH)) {
      const certs = env.DOCKER_CERT_PATH || path.join(homeDir, '.docker');
      config.tls = {
        ca: path.join(certs, 'ca.pem'),
        cert: path.join(certs, 'cert.pem'),
        key: path.join(certs, 'key.pem'),
        verify: env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0',
      };
    }
    return config;
  }
  const dockerConfigDir = env.DOCKER_CONFIG || path.join(homeDir, '.docker');
  const contextName = env.DOCKER_CONTEXT || readCurrentContext(dockerConfigDir);
  if (contextName && contextName !== 'default') {
    const context = readContext(dockerConfigDir, contextName);
    if (context) return context;
  }
  return { name: LOCAL_TARGET_NAME, kind: 'docker', host: DEFAULT_SOCKET };
}

function readCurrentContext(dockerConfigDir: string): string | undefined {
  try {
    const config = JSON.parse(readFileSync(path.join(dockerConfigDir, 'config.json'), 'utf8')) as {
      currentContext?: unknown;
    };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch {
    return undefined;
  }
}

/** Docker stores a context under meta/<sha256 of its name>/meta.json, its TLS files under tls/<same>/docker/. */
function readContext(dockerConfigDir: string, contextName: string): DockerTargetConfig | undefined {
  const id = createHash('sha256').update(contextName).digest('hex');
  let meta: DockerContextMeta;
  try {
    meta = JSON.parse(
      readFileSync(path.join(dockerConfigDir, 'contexts', 'meta', id, 'meta.json'), 'utf8'),
    ) as DockerContextMeta;
  } catch {
    return undefined;
  }
  const endpoint = meta.Endpoints?.docker;
  if (!endpoint?.Host) return undefined;
  const config: DockerTargetConfig = { name: LOCAL_TARGET_NAME, kind: 'docker', host: endpoint.Host };
  const tlsDir = path.join(dockerConfigDir, 'contexts', 'tls', id, 'docker');
  if (existsSync(tlsDir)) {
    const file = (name: string) => (existsSync(path.join(tlsDir, name)) ? path.join(tlsDir, name) : undefined);
    config.tls = {
      ca: file('ca.pem'),
      cert: file('cert.pem'),
      key: file('key.pem'),
      verify: endpoint.SkipTLSVerify !== true,
    };
  }
  return config;
}

/**
 * All targets, named uniquely. Explicit ones (settings, then the targets file) win over discovered ones of the
 * same name, so a user can redefine `local`.
 */
export async function loadTargets(options: LoadTargetsOptions): Promise<TargetConfig[]> {
  const file = options.targetFile ?? defaultTargetsFile(options.homeDir, options.env);
  const fromFile = await readTargetsFile(file, options.homeDir, options.targetFile !== undefined);
  const byName = new Map<string, TargetConfig>();
  const fromSettings = parseTargetSettings(options.settingsTargets ?? [], options.homeDir);
  for (const target of [...fromSettings, ...fromFile]) byName.set(target.name, target);
  const discovered: TargetConfig[] = [discoverLocalDocker(options.env, options.homeDir)];
  try {
    discovered.push(...discoverKubernetesTargets(options.env, options.homeDir));
  } catch (error) {
    options.onWarning?.(`Kubernetes targets skipped: ${(error as Error).message}`);
  }
  for (const target of discovered) if (!byName.has(target.name)) byName.set(target.name, target);
  return [...byName.values()];
}

export function findTarget(configs: TargetConfig[], name: string): TargetConfig {
  const found = configs.find((config) => config.name === name);
  if (found) return found;
  const names = configs.map((config) => config.name);
  throw new TargetError(
    name,
    `no target named '${name}'${didYouMean(name, names)} (known targets: ${names.join(', ') || 'none'})`,
  );
}

/** Builds the Target for a config; nothing connects until the target is first used. */
export function createTarget(config: TargetConfig, secrets?: SecretProvider, options?: TargetOptions): Target {
  return config.kind === 'kubernetes' ? new KubernetesTarget(config) : new DockerTarget(config, secrets, options);
}
