/**
 * What the Kubernetes schemas say about a place inside a `kubernetes` template, for completion and hover: the object
 * that holds a path (the template itself, or an item of a `kind: List`), its kind's schema, its API reference, and
 * the apiVersion/kind pairs an object may name.
 */
import { isMap, isScalar, Node } from 'yaml';
import { hasJinja } from '../jinja';
import { getIn, Path, StackModel } from '../model';
import type { SchemaLocation } from '.';
import {
  compiledKubernetesSchema,
  DEFAULT_KUBERNETES_VERSION,
  kubernetesKinds,
  kubernetesReferenceUrl,
} from './kubernetes';

export interface KubernetesPlace {
  apiVersion?: string;
  kind?: string;
  /** The path inside the object (`['spec', 'replicas']`). */
  inner: Path;
}

function literal(node: Node | null | undefined): string | undefined {
  return isScalar(node) && typeof node.value === 'string' && !hasJinja(node.value) ? node.value.trim() : undefined;
}

/** The object of a `kubernetes` template a document path is in, or undefined outside one. */
export function kubernetesPlaceOf(model: StackModel, path: Path): KubernetesPlace | undefined {
  if (model.targetType !== 'kubernetes' || path[0] !== 'template') return undefined;
  const template = getIn(model.root, ['template']);
  const isList = isMap(template) && literal(getIn(template, ['kind'])) === 'List';
  let objectPath: Path = ['template'];
  if (isList) {
    // The List's own keys (apiVersion, kind, items) are the envelope's business.
    if (path[1] !== 'items' || typeof path[2] !== 'number') return undefined;
    objectPath = ['template', 'items', path[2]];
  }
  const object = getIn(model.root, objectPath);
  return {
    apiVersion: isMap(object) ? literal(getIn(object, ['apiVersion'])) : undefined,
    kind: isMap(object) ? literal(getIn(object, ['kind'])) : undefined,
    inner: path.slice(objectPath.length),
  };
}

/** The kind's API reference (for the configured cluster version) for a path inside a built-in kind's object. */
export function kubernetesReferenceAt(
  model: StackModel,
  path: Path,
  version = DEFAULT_KUBERNETES_VERSION,
): string | undefined {
  const place = kubernetesPlaceOf(model, path);
  if (!place?.apiVersion || !place.kind || !compiledKubernetesSchema(place.apiVersion, place.kind)) return undefined;
  return kubernetesReferenceUrl(place.apiVersion, place.kind, version);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The schemas at a path inside a `kubernetes` template's data (path without the leading 'template'): those of the
 * object's kind, for the template itself or an item of a `kind: List`. Registered in ./index.ts for completion
 * and hover.
 */
export function locateKubernetes(template: unknown, path: Path): SchemaLocation | undefined {
  let object = template;
  let inner = path;
  if (isRecord(template) && template.kind === 'List') {
    if (path[0] !== 'items' || typeof path[1] !== 'number' || !Array.isArray(template.items)) return undefined;
    object = template.items[path[1]];
    inner = path.slice(2);
  }
  if (!isRecord(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return undefined;
  const compiled = compiledKubernetesSchema(object.apiVersion.trim(), object.kind.trim());
  return compiled ? { compiled, schemas: compiled.schemaAt(inner) } : undefined;
}

/**
 * Values offered for `apiVersion` and `kind` of an object: the apiVersions serving the kind already written (or
 * all), the kinds of the apiVersion already written (or all). Undefined for any other key.
 */
export function kubernetesIdentityValues(
  model: StackModel,
  path: Path,
): { value: string; detail: string }[] | undefined {
  const place = kubernetesPlaceOf(model, path);
  if (!place || place.inner.length !== 1) return undefined;
  const [key] = place.inner;
  const kinds = kubernetesKinds();
  if (key === 'apiVersion') {
    const serving = kinds.filter((entry) => place.kind === undefined || entry.kind === place.kind);
    const versions = [...new Set((serving.length ? serving : kinds).map((entry) => entry.apiVersion))];
    return versions.map((value) => ({
      value,
      detail: serving.length && place.kind ? `serves ${place.kind}` : 'Kubernetes apiVersion',
    }));
  }
  if (key === 'kind') {
    const ofVersion = kinds.filter((entry) => place.apiVersion === undefined || entry.apiVersion === place.apiVersion);
    const names = [...new Set((ofVersion.length ? ofVersion : kinds).map((entry) => entry.kind))];
    return names.map((value) => ({
      value,
      detail: `Kubernetes kind (${ofVersion.length ? place.apiVersion : 'any apiVersion'})`,
    }));
  }
  return undefined;
}
