/**
 * The JSON Schemas of the built-in Kubernetes kinds, generated from `kubernetes-types` by
 * schemas/kubernetesSchemas.ts. Nothing is read until a Kubernetes stack asks: the kind index on first use, then one
 * definitions file per API group/version a kind needs, each once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CompiledSchema } from '../schemaEngine';

/** A JSON Schema object as generated (standard keywords only, references as `#/$defs/<module>.<Type>`). */
export type JsonSchema = { [keyword: string]: unknown };

export interface KubernetesKind {
  apiVersion: string;
  kind: string;
}

interface KindEntry extends KubernetesKind {
  definition: string;
}

/** The cluster version assumed when the `windflow.kubernetes.version` setting is not set. */
export const DEFAULT_KUBERNETES_VERSION = '1.30';

/** Where the generated files are: next to the bundle in dist/, or in the source tree when run from source. */
function schemaDirectory(): string {
  const candidates = [path.join(__dirname, 'kubernetes'), path.join(__dirname, '..', 'generated', 'kubernetes')];
  const found = candidates.find((candidate) => existsSync(path.join(candidate, 'index.json')));
  if (!found) throw new Error(`the Kubernetes schemas are missing (looked in ${candidates.join(', ')})`);
  return found;
}

let directory: string | undefined;
let kindIndex: Map<string, KindEntry> | undefined;
const modules = new Map<string, Record<string, JsonSchema>>();
const schemas = new Map<string, JsonSchema>();

function readGenerated<T>(file: string): T {
  directory ??= schemaDirectory();
  return JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as T;
}

function kinds(): Map<string, KindEntry> {
  if (!kindIndex) {
    const { kinds: entries } = readGenerated<{ kinds: KindEntry[] }>('index.json');
    kindIndex = new Map(entries.map((entry) => [`${entry.apiVersion} ${entry.kind}`, entry]));
  }
  return kindIndex;
}

/** `apps.v1.Deployment` → its schema, reading `apps.v1.json` on first use. */
function definition(id: string): JsonSchema {
  const moduleId = id.slice(0, id.lastIndexOf('.'));
  let definitions = modules.get(moduleId);
  if (!definitions) {
    definitions = readGenerated<{ $defs: Record<string, JsonSchema> }>(`${moduleId}.json`).$defs;
    modules.set(moduleId, definitions);
  }
  const schema = definitions[id];
  if (!schema) throw new Error(`the Kubernetes schemas have no definition ${id}`);
  return schema;
}

const REF_PREFIX = '#/$defs/';

/** The definitions a schema refers to, directly or through others. */
function referencedDefinitions(root: JsonSchema): Record<string, JsonSchema> {
  const found: Record<string, JsonSchema> = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [keyword, child] of Object.entries(value)) {
      if (keyword === '$ref' && typeof child === 'string' && child.startsWith(REF_PREFIX)) {
        const id = child.slice(REF_PREFIX.length);
        if (!(id in found)) {
          found[id] = definition(id);
          visit(found[id]);
        }
      } else if (keyword !== 'description' && keyword !== 'enum') visit(child);
    }
  };
  visit(root);
  return found;
}

/**
 * The self-contained JSON Schema of a built-in kind (its definition with every definition it refers to in `$defs`),
 * or undefined for a pair the schemas do not know: a custom resource, or an apiVersion that does not serve the kind.
 */
export function kubernetesSchema(apiVersion: string, kind: string): JsonSchema | undefined {
  const key = `${apiVersion} ${kind}`;
  const cached = schemas.get(key);
  if (cached) return cached;
  const entry = kinds().get(key);
  if (!entry) return undefined;
  const root = definition(entry.definition);
  const $defs = referencedDefinitions(root);
  for (const [id, title] of Object.entries(PLACE_TITLES)) {
    if ($defs[id]) $defs[id] = { ...$defs[id], 'x-windflow-title': title };
  }
  const schema: JsonSchema = { ...root, $defs };
  schemas.set(key, schema);
  return schema;
}

/** How "key at the wrong level" messages name the places a misplaced key belongs to. */
const PLACE_TITLES: Record<string, string> = {
  'core.v1.Container': 'a container',
  'core.v1.PodSpec': 'a pod spec',
  'core.v1.PodTemplateSpec': 'a pod template',
  'meta.v1.ObjectMeta': 'metadata',
  'core.v1.ContainerPort': 'a container port',
  'core.v1.ServicePort': 'a Service port',
  'core.v1.ServiceSpec': 'the Service spec',
  'core.v1.Volume': 'a volume',
  'core.v1.VolumeMount': 'a volume mount',
  'core.v1.EnvVar': 'an environment variable',
  'core.v1.Probe': 'a probe',
  'core.v1.ResourceRequirements': 'resources',
  'apps.v1.DeploymentSpec': 'the Deployment spec',
  'apps.v1.StatefulSetSpec': 'the StatefulSet spec',
  'batch.v1.JobSpec': 'the Job spec',
  'batch.v1.CronJobSpec': 'the CronJob spec',
  'networking.v1.IngressRule': 'an Ingress rule',
};

const compiledSchemas = new Map<string, CompiledSchema>();

/** The kind's schema compiled for the schema engine (checks, completion, hover), or undefined for custom resources. */
export function compiledKubernetesSchema(apiVersion: string, kind: string): CompiledSchema | undefined {
  const key = `${apiVersion} ${kind}`;
  let compiled = compiledSchemas.get(key);
  if (!compiled) {
    const schema = kubernetesSchema(apiVersion, kind);
    if (!schema) return undefined;
    compiled = new CompiledSchema(schema, { name: `${kind} (${apiVersion})` });
    compiledSchemas.set(key, compiled);
  }
  return compiled;
}

/** Every built-in apiVersion/kind pair, sorted by apiVersion then kind (for completion). */
export function kubernetesKinds(): KubernetesKind[] {
  return [...kinds().values()].map(({ apiVersion, kind }) => ({ apiVersion, kind }));
}

/** The apiVersions that serve a built-in kind (empty for a custom resource). */
export function apiVersionsOf(kind: string): string[] {
  return [...kinds().values()].filter((entry) => entry.kind === kind).map((entry) => entry.apiVersion);
}

/** `1.30`, `v1.30.2` → `1.30`; anything else → undefined. */
export function normaliseKubernetesVersion(version: string): string | undefined {
  const match = /^v?(1)\.(\d{1,2})(?:\.\d+)?$/.exec(version.trim());
  return match ? `${match[1]}.${Number(match[2])}` : undefined;
}

/**
 * The kind's entry in the Kubernetes API reference of a cluster version: the one-page reference anchors objects as
 * `#deployment-v1-apps`, `#pod-v1-core`, `#ingress-v1-networking-k8s-io`.
 */
export function kubernetesReferenceUrl(apiVersion: string, kind: string, version = DEFAULT_KUBERNETES_VERSION): string {
  const [group, groupVersion] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['core', apiVersion];
  const anchor = `${kind.toLowerCase()}-${groupVersion}-${(group ?? 'core').replace(/\./g, '-')}`;
  const minor = normaliseKubernetesVersion(version) ?? DEFAULT_KUBERNETES_VERSION;
  return `https://kubernetes.io/docs/reference/generated/kubernetes-api/v${minor}/#${anchor}`;
}
