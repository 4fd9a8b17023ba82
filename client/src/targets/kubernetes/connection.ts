/**
 * Loading @kubernetes/client-node, building its KubeConfig for one target, and turning its failures into messages a
 * user can act on. client-node 1.x is an ES module: this CommonJS code reaches it through a dynamic import (tsx and
 * Node ≥ 20.19 load it directly; esbuild inlines it into the cjs bundle), and only its types are imported statically.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Cluster, Context, KubeConfig, KubernetesObjectApi, User } from '@kubernetes/client-node' with {
  'resolution-mode': 'import',
};
import { KubernetesTargetConfig, TargetError } from '../target';
import { KubeconfigError, kubeconfigFiles } from './discover';

export type KubernetesClientModule = typeof import('@kubernetes/client-node', {
  with: { 'resolution-mode': 'import' },
});

let clientModule: Promise<KubernetesClientModule> | undefined;

export function loadKubernetesClient(): Promise<KubernetesClientModule> {
  clientModule ??= import('@kubernetes/client-node');
  return clientModule;
}

/** One target's loaded client: the merged kubeconfig, the generic object API, the namespace and server URL. */
export interface KubernetesConnection {
  k8s: KubernetesClientModule;
  kubeConfig: KubeConfig;
  objects: KubernetesObjectApi;
  namespace: string;
  server: string;
}

export interface ResolvedKubeConfig {
  kubeConfig: KubeConfig;
  /** The target's namespace, else its context's, else `default`. */
  namespace: string;
  /** The API server URL, for messages. */
  server: string;
}

/**
 * The KubeConfig of one target: every kubeconfig file merged (the first definition of a name wins, as with kubectl),
 * the target's context current, and the target's namespace set on that context so namespaced objects default to it.
 */
export function buildKubeConfig(k8s: KubernetesClientModule, config: KubernetesTargetConfig): ResolvedKubeConfig {
  const files = config.kubeconfig
    ? config.kubeconfig.split(path.delimiter).filter((file) => file !== '')
    : kubeconfigFiles(process.env, os.homedir());
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const single = new k8s.KubeConfig();
    try {
      single.loadFromFile(file);
    } catch (error) {
      throw new KubeconfigError(file, (error as Error).message.split('\n')[0]);
    }
    for (const cluster of single.getClusters()) if (!clusters.has(cluster.name)) clusters.set(cluster.name, cluster);
    for (const user of single.getUsers()) if (!users.has(user.name)) users.set(user.name, user);
    for (const context of single.getContexts()) if (!contexts.has(context.name)) contexts.set(context.name, context);
  }
  const context = contexts.get(config.context);
  if (!context) {
    throw new TargetError(config.name, `Context "${config.context}" is not in the kubeconfig (${files.join(', ')})`);
  }
  const cluster = clusters.get(context.cluster);
  if (!cluster) {
    throw new TargetError(
      config.name,
      `Context "${config.context}" names cluster "${context.cluster}", which is not defined`,
    );
  }
  if (context.user && !users.has(context.user)) {
    throw new TargetError(
      config.name,
      `Context "${config.context}" names user "${context.user}", which is not defined`,
    );
  }
  const namespace = config.namespace ?? context.namespace ?? 'default';
  contexts.set(context.name, { ...context, namespace });
  const merged = new k8s.KubeConfig();
  merged.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext: config.context,
  });
  return { kubeConfig: merged, namespace, server: cluster.server };
}

/** The Status object of a failed API call (client-node's ApiException), if the failure came from the API server. */
export interface ApiFailure {
  code: number;
  message?: string;
  reason?: string;
}

export function apiFailureOf(error: unknown): ApiFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { code?: unknown; body?: unknown };
  if (typeof candidate.code !== 'number' || !('body' in candidate)) return undefined;
  let body = candidate.body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return { code: candidate.code, message: text || undefined };
    }
  }
  const status = (body ?? {}) as { message?: unknown; reason?: unknown };
  return {
    code: candidate.code,
    message: typeof status.message === 'string' ? status.message : undefined,
    reason: typeof status.reason === 'string' ? status.reason : undefined,
  };
}

export function isNotFound(error: unknown): boolean {
  return apiFailureOf(error)?.code === 404;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

/** One sentence saying why a call to the cluster at `server` failed, without the raw HTTP dump of ApiException. */
export function explainFailure(error: unknown, server: string): string {
  const failure = apiFailureOf(error);
  if (failure) {
    const detail = failure.message ? `: ${failure.message}` : '';
    switch (failure.code) {
      case 401:
        return `credentials expired or invalid for ${server} (401 Unauthorized)${detail}`;
      case 403:
        return `forbidden (403)${detail}`;
      default:
        return `the API server answered ${failure.code}${failure.reason ? ` ${failure.reason}` : ''}${detail}`;
    }
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) {
    return `cluster unreachable at ${server} (${code})`;
  }
  if ((typeof code === 'string' && TLS_CODES.has(code)) || /certificate|TLS|SSL/i.test(message)) {
    const reason = message.replace(/^request to \S+ failed, reason: /, '');
    return `TLS problem talking to ${server}: ${reason}${typeof code === 'string' ? ` (${code})` : ''}; check the cluster's certificate-authority in the kubeconfig`;
  }
  return message;
}

/** A TargetError for a failed call, naming the action ("list pods") and why it failed. */
export function targetFailure(target: string, action: string, server: string, error: unknown): TargetError {
  if (error instanceof TargetError) return error;
  return new TargetError(
    target,
    `Kubernetes target "${target}": cannot ${action}: ${explainFailure(error, server)}`,
    error,
  );
}
