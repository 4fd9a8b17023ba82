/**
 * The CLI's targets file (~/.config/windflow/targets.yaml or --target-file): a YAML list of targets, or a mapping
 * from target name to its settings. Every problem is reported as `file:line:col: message`.
 */
import path from 'node:path';
import { readBoundedFile } from '../boundedRead';
import { Document, isMap, isScalar, isSeq, LineCounter, Node, parseDocument, YAMLMap } from 'yaml';
import { didYouMean } from '../../../server/src/stack/suggest';
import { DockerTargetConfig, KubernetesTargetConfig, TargetConfig } from './target';

export class TargetsFileError extends Error {
  override name = 'TargetsFileError';
}

const DOCKER_KEYS = ['name', 'kind', 'host', 'tls', 'sshKeyPath', 'swarm'];
const KUBERNETES_KEYS = ['name', 'kind', 'context', 'kubeconfig', 'namespace'];
const TLS_KEYS = ['ca', 'cert', 'key', 'verify'];

export function defaultTargetsFile(homeDir: string, env: NodeJS.ProcessEnv): string {
  const configHome = env.XDG_CONFIG_HOME || path.join(homeDir, '.config');
  return path.join(configHome, 'windflow', 'targets.yaml');
}

/** `~/x` → home folder; relative paths → against the targets file's folder. */
function resolvePath(value: string, folder: string, homeDir: string): string {
  if (value === '~' || value.startsWith('~/')) return path.join(homeDir, value.slice(1));
  return path.resolve(folder, value);
}

class Reader {
  constructor(
    private readonly file: string,
    /** Absent for settings, which have no text to point into. */
    private readonly lines?: LineCounter,
  ) {}

  error(node: Node | null | undefined, message: string): TargetsFileError {
    const offset = node?.range?.[0];
    if (!this.lines || offset === undefined) return new TargetsFileError(`${this.file}: ${message}`);
    const { line, col } = this.lines.linePos(offset);
    return new TargetsFileError(`${this.file}:${line}:${col}: ${message}`);
  }

  string(map: YAMLMap, key: string, required: boolean): string | undefined {
    const node = map.get(key, true);
    if (node === undefined) {
      if (required) throw this.error(map, `missing '${key}'`);
      return undefined;
    }
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '')
      throw this.error(node as Node, `'${key}' must be a non-empty string`);
    return node.value.trim();
  }

  checkKeys(map: YAMLMap, allowed: string[], what: string): void {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!allowed.includes(key))
        throw this.error(
          pair.key as Node,
          `unknown key '${key}' for ${what}${didYouMean(key, allowed)} (allowed: ${allowed.join(', ')})`,
        );
    }
  }
}

function readTarget(
  reader: Reader,
  node: unknown,
  nameFromKey: string | undefined,
  folder: string,
  homeDir: string,
): TargetConfig {
  if (!isMap(node)) throw reader.error(node as Node, 'a target must be a mapping (name, host or context, …)');
  const written = reader.string(node, 'name', nameFromKey === undefined);
  if (nameFromKey !== undefined && written !== undefined && written !== nameFromKey)
    throw reader.error(node.get('name', true) as Node, `name '${written}' differs from its key '${nameFromKey}'`);
  const name = (written ?? nameFromKey) as string;
  const kindNode = node.get('kind', true);
  let kind = reader.string(node, 'kind', false);
  if (kind === undefined) kind = node.has('context') ? 'kubernetes' : node.has('host') ? 'docker' : undefined;
  if (kind === undefined) throw reader.error(node, `target '${name}' needs 'host' (Docker) or 'context' (Kubernetes)`);
  if (kind === 'kubernetes') {
    reader.checkKeys(node, KUBERNETES_KEYS, `Kubernetes target '${name}'`);
    const config: KubernetesTargetConfig = { name, kind, context: reader.string(node, 'context', true) as string };
    const kubeconfig = reader.string(node, 'kubeconfig', false);
    const namespace = reader.string(node, 'namespace', false);
    if (kubeconfig)
      config.kubeconfig = kubeconfig
        .split(path.delimiter)
        .map((file) => resolvePath(file, folder, homeDir))
        .join(path.delimiter);
    if (namespace) config.namespace = namespace;
    return config;
  }
  if (kind !== 'docker') throw reader.error(kindNode as Node, `kind '${kind}' is not docker or kubernetes`);
  reader.checkKeys(node, DOCKER_KEYS, `Docker target '${name}'`);
  const config: DockerTargetConfig = { name, kind, host: reader.string(node, 'host', true) as string };
  const sshKeyPath = reader.string(node, 'sshKeyPath', false);
  if (sshKeyPath) config.sshKeyPath = resolvePath(sshKeyPath, folder, homeDir);
  const swarm = node.get('swarm', true);
  if (swarm !== undefined) {
    if (!isScalar(swarm) || typeof swarm.value !== 'boolean')
      throw reader.error(swarm as Node, `'swarm' must be true or false`);
    config.swarm = swarm.value;
  }
  const tlsNode = node.get('tls', true);
  if (tlsNode !== undefined) {
    if (!isMap(tlsNode)) throw reader.error(tlsNode as Node, `'tls' must be a mapping with ca, cert, key, verify`);
    reader.checkKeys(tlsNode, TLS_KEYS, `'tls' of '${name}'`);
    const tls: NonNullable<DockerTargetConfig['tls']> = {};
    for (const key of ['ca', 'cert', 'key'] as const) {
      const file = reader.string(tlsNode, key, false);
      if (file) tls[key] = resolvePath(file, folder, homeDir);
    }
    const verify = tlsNode.get('verify', true);
    if (verify !== undefined) {
      if (!isScalar(verify) || typeof verify.value !== 'boolean')
        throw reader.error(verify as Node, `'verify' must be true or false`);
      tls.verify = verify.value;
    }
    config.tls = tls;
  }
  return config;
}

/** Parses a targets file's text; `file` is used for messages and to resolve relative paths. */
export function parseTargetsFile(text: string, file: string, homeDir: string): TargetConfig[] {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const { line, col } = lines.linePos(first.pos[0]);
    throw new TargetsFileError(`${file}:${line}:${col}: ${first.message.split('\n')[0]}`);
  }
  return readTargets(document.contents, new Reader(file, lines), path.dirname(file), homeDir);
}

/** The editor's `windflow.targets` setting: the same shape as the file's list form; relative paths against home. */
export function parseTargetSettings(entries: unknown[], homeDir: string): TargetConfig[] {
  return readTargets(new Document(entries).contents, new Reader('windflow.targets'), homeDir, homeDir);
}

function readTargets(contents: unknown, reader: Reader, folder: string, homeDir: string): TargetConfig[] {
  let root: unknown = contents;
  if (root === null || root === undefined) return [];
  // Allow a `targets:` wrapper so the file can grow other sections later.
  if (isMap(root) && root.items.length === 1 && isScalar(root.items[0].key) && root.items[0].key.value === 'targets')
    root = root.items[0].value;
  let targets: TargetConfig[];
  if (isSeq(root)) targets = root.items.map((item) => readTarget(reader, item, undefined, folder, homeDir));
  else if (isMap(root))
    targets = root.items.map((pair) => {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string')
        throw reader.error(pair.key as Node, 'a target name must be a string');
      return readTarget(reader, pair.value, pair.key.value, folder, homeDir);
    });
  else throw reader.error(root as Node, 'targets must be a list of targets or a mapping from name to target');
  const seen = new Set<string>();
  targets.forEach((target, index) => {
    if (seen.has(target.name)) {
      const node = isSeq(root) ? root.items[index] : isMap(root) ? root.items[index].key : root;
      throw reader.error(node as Node, `target '${target.name}' is defined twice`);
    }
    seen.add(target.name);
  });
  return targets;
}

/** Reads the targets file; a missing default file means "no targets", a missing explicit one is an error. */
export async function readTargetsFile(file: string, homeDir: string, explicit: boolean): Promise<TargetConfig[]> {
  let text: string;
  try {
    // Regular files up to the size limit only: `--target-file /dev/zero` must not read without end.
    text = (await readBoundedFile(file, file)).toString('utf8');
  } catch (error) {
    const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    if (!explicit && code === 'ENOENT') return [];
    throw new TargetsFileError((error as Error).message);
  }
  return parseTargetsFile(text, file, homeDir);
}
