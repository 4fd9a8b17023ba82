/**
 * Finds Kubernetes targets: one per context of the user's kubeconfig. Synchronous and free of client-node so the
 * target registry can list targets without loading the Kubernetes client.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { KubernetesTargetConfig } from '../target';

/** A kubeconfig file that exists but cannot be used. */
export class KubeconfigError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`Kubeconfig ${file}: ${reason}`);
    this.name = 'KubeconfigError';
  }
}

/** The kubeconfig files in effect, in merge order: KUBECONFIG's entries, else ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv, homeDir: string): string[] {
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter((entry) => entry !== '');
  return fromEnv.length > 0 ? fromEnv : [path.join(homeDir, '.kube', 'config')];
}

interface ContextEntry {
  name: string;
  namespace?: string;
}

function readContexts(file: string): ContextEntry[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Like kubectl: a listed file that does not exist is skipped, one that exists but cannot be read is an error.
    if (code === 'ENOENT') return undefined;
    throw new KubeconfigError(file, `cannot be read (${code ?? (error as Error).message})`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new KubeconfigError(file, `is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return [];
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new KubeconfigError(file, 'is not a kubeconfig (the top level must be a mapping)');
  }
  const contexts = (data as Record<string, unknown>).contexts;
  if (contexts === undefined || contexts === null) return [];
  if (!Array.isArray(contexts)) {
    throw new KubeconfigError(file, '"contexts" must be a list');
  }
  return contexts.map((entry: unknown, index) => {
    const record = entry as { name?: unknown; context?: unknown } | null;
    if (typeof record?.name !== 'string' || record.name === '') {
      throw new KubeconfigError(file, `contexts[${index}] has no name`);
    }
    const context = record.context as { namespace?: unknown } | null | undefined;
    if (context !== undefined && (context === null || typeof context !== 'object')) {
      throw new KubeconfigError(file, `context "${record.name}" must be a mapping`);
    }
    const namespace = context?.namespace;
    if (namespace !== undefined && typeof namespace !== 'string') {
      throw new KubeconfigError(file, `context "${record.name}" has a namespace that is not a string`);
    }
    return { name: record.name, namespace: namespace || undefined };
  });
}

/**
 * One target per kubeconfig context, named after the context, with the context's namespace or `default`. When
 * several files define the same context the first one wins, as kubectl merges them. Throws KubeconfigError.
 */
export function discoverKubernetesTargets(env: NodeJS.ProcessEnv, homeDir: string): KubernetesTargetConfig[] {
  const files = kubeconfigFiles(env, homeDir);
  const targets: KubernetesTargetConfig[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    for (const context of readContexts(file) ?? []) {
      if (seen.has(context.name)) continue;
      seen.add(context.name);
      targets.push({
        name: context.name,
        kind: 'kubernetes',
        context: context.name,
        kubeconfig: files.join(path.delimiter),
        namespace: context.namespace ?? 'default',
      });
    }
  }
  return targets;
}
