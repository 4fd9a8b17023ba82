/**
 * Pure handling of a rendered `kubernetes` template: splitting it into objects, validating them, labelling them and
 * ordering them for apply. No network here, so every rule is testable without a cluster.
 */
import {
  isClusterScopedKind,
  kindRank,
  KUBERNETES_KIND_ORDER,
} from '../../../../server/src/stack/schemas/kubernetesKinds';
import { KUBERNETES_LABELS } from '../target';

/** The parts of a Kubernetes object the deployer reads; everything else passes through untouched. */
export interface KubernetesManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

/** A kind the deployer knows, with the apiVersion used to find objects of that kind again (remove, redeploy). */
export interface OrderedKind {
  kind: string;
  apiVersion: string;
}

/**
 * Apply order: every built-in kind in its place (server/src/stack/schemas/kubernetesKinds.ts says why this order);
 * remove runs it backwards. Custom resources are applied after all of these (so after their definitions), in
 * template order.
 */
export const KUBERNETES_APPLY_ORDER: readonly OrderedKind[] = KUBERNETES_KIND_ORDER.map(({ kind, apiVersion }) => ({
  kind,
  apiVersion,
}));

/** Kinds whose metadata.name must be a DNS-1123 label (no dots), not just a subdomain. */
const LABEL_NAMED_KINDS = new Set(['Namespace', 'Service']);

/** Workload kinds with a pod template at spec.template (CronJob has it one level deeper). */
const POD_TEMPLATE_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'ReplicaSet',
  'ReplicationController',
]);

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A template that cannot be deployed; `objectName` says which object ("item 2 (Deployment web)"). */
export class ManifestError extends Error {
  constructor(
    readonly objectName: string,
    message: string,
  ) {
    super(`${objectName}: ${message}`);
    this.name = 'ManifestError';
  }
}

export function isClusterScoped(kind: string): boolean {
  return isClusterScopedKind(kind);
}

/** "Deployment shop/web", "Namespace shop": how objects are named in messages and results. */
export function describeObject(object: { kind?: string; metadata?: { name?: string; namespace?: string } }): string {
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? '?';
  return `${object.kind ?? 'object'} ${namespace ? `${namespace}/` : ''}${name}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateManifest(value: unknown, position: string): KubernetesManifest {
  if (!isRecord(value)) {
    throw new ManifestError(position, `must be a mapping (a Kubernetes object), got ${describeType(value)}`);
  }
  const kindText = typeof value.kind === 'string' ? ` (${value.kind})` : '';
  const where = `${position}${kindText}`;
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') {
    throw new ManifestError(where, 'apiVersion is missing or not a string');
  }
  if (typeof value.kind !== 'string' || value.kind === '') {
    throw new ManifestError(where, 'kind is missing or not a string');
  }
  if (!isRecord(value.metadata)) {
    throw new ManifestError(where, 'metadata is missing or not a mapping');
  }
  const name = value.metadata.name;
  if (typeof name !== 'string' || name === '') {
    throw new ManifestError(where, 'metadata.name is missing or not a string');
  }
  const named = `${position} (${value.kind} ${name})`;
  if (LABEL_NAMED_KINDS.has(value.kind)) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      throw new ManifestError(
        named,
        `metadata.name "${name}" is not a valid DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
      );
    }
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    throw new ManifestError(
      named,
      `metadata.name "${name}" is not a valid DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit`,
    );
  }
  const namespace = value.metadata.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || !DNS1123_LABEL.test(namespace))) {
    throw new ManifestError(named, `metadata.namespace ${JSON.stringify(namespace)} is not a valid namespace name`);
  }
  if (value.metadata.labels !== undefined && !isRecord(value.metadata.labels)) {
    throw new ManifestError(named, 'metadata.labels must be a mapping');
  }
  return value as KubernetesManifest;
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** The objects of a rendered template: one object, or the items of a `kind: List`. Throws ManifestError. */
export function manifestsOf(template: unknown): KubernetesManifest[] {
  if (isRecord(template) && template.kind === 'List') {
    if (!Array.isArray(template.items) || template.items.length === 0) {
      throw new ManifestError('template (List)', 'items must be a non-empty list of Kubernetes objects');
    }
    const manifests = template.items.map((item, index) => validateManifest(item, `item ${index + 1}`));
    const seen = new Set<string>();
    for (const manifest of manifests) {
      const key = `${manifest.apiVersion}|${manifest.kind}|${manifest.metadata.namespace ?? ''}|${manifest.metadata.name}`;
      if (seen.has(key)) {
        throw new ManifestError('template (List)', `${describeObject(manifest)} appears twice`);
      }
      seen.add(key);
    }
    return manifests;
  }
  return [validateManifest(template, 'template')];
}

/** A stack name as a valid label value: invalid characters become '-', trimmed to 63 characters. */
export function sanitiseLabelValue(value: string): string {
  const replaced = value.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63);
  return replaced.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

export function deploymentLabels(stackName: string, deploymentName: string): Record<string, string> {
  return {
    [KUBERNETES_LABELS.managedBy]: 'windflow',
    [KUBERNETES_LABELS.stack]: sanitiseLabelValue(stackName),
    [KUBERNETES_LABELS.deployment]: deploymentName,
  };
}

/**
 * A copy of the object with our labels on it and on its pod template, so the pods a workload starts can be found by
 * the deployment label (status, logs, watches). Selectors are left alone: changing them would orphan existing pods.
 */
export function withDeploymentLabels(
  manifest: KubernetesManifest,
  labels: Record<string, string>,
  defaultNamespace: string,
): KubernetesManifest {
  const copy = structuredClone(manifest);
  copy.metadata.labels = { ...copy.metadata.labels, ...labels };
  if (!isClusterScoped(copy.kind) && copy.metadata.namespace === undefined) {
    copy.metadata.namespace = defaultNamespace;
  }
  const podTemplate = POD_TEMPLATE_KINDS.has(copy.kind)
    ? getRecord(copy, ['spec', 'template'])
    : copy.kind === 'CronJob'
      ? getRecord(copy, ['spec', 'jobTemplate', 'spec', 'template'])
      : undefined;
  if (podTemplate) {
    const metadata = isRecord(podTemplate.metadata) ? podTemplate.metadata : {};
    const existing = isRecord(metadata.labels) ? metadata.labels : {};
    podTemplate.metadata = { ...metadata, labels: { ...existing, ...labels } };
  }
  return copy;
}

function getRecord(root: Record<string, unknown>, path: string[]): Record<string, unknown> | undefined {
  let current: unknown = root;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return isRecord(current) ? current : undefined;
}

/** Position of a kind in the apply order; unknown kinds sort after every known one. */
export function applyRank(kind: string): number {
  return kindRank(kind);
}

/** Stable sort by apply order: objects of the same rank keep their template order. */
export function inApplyOrder<T extends { kind: string }>(objects: readonly T[]): T[] {
  return objects
    .map((object, index) => ({ object, index }))
    .sort((a, b) => applyRank(a.object.kind) - applyRank(b.object.kind) || a.index - b.index)
    .map((entry) => entry.object);
}
