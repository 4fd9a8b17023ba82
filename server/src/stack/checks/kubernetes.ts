import { isMap, isScalar, isSeq, Node, YAMLMap } from 'yaml';
import { DiagnosticSink } from '../diagnostics';
import { hasJinja } from '../jinja';
import { getIn, getPair, spanOf, StackModel } from '../model';
import { isValidDns1035Label, isValidDns1123Label, isValidDns1123Subdomain } from '../specs';
import { checkAgainstSchema } from '../schemaEngine';
import {
  apiVersionsOf,
  compiledKubernetesSchema,
  DEFAULT_KUBERNETES_VERSION,
  kubernetesKinds,
  normaliseKubernetesVersion,
} from '../schemas/kubernetes';
import { introducedIn, minorOf, RETIRED_APIS, retiredApi } from '../schemas/kubernetesApiVersions';
import { isClusterScopedKind } from '../schemas/kubernetesKinds';
import { didYouMean } from '../suggest';
import { checkDeploymentName, checkTargetParameters } from './docker';
import { options, report } from './templateSchema';

/** RBAC objects accept any name that is a valid path segment ("system:monitoring" is fine). */
const PATH_SEGMENT_NAMED_KINDS = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

/** The name rule Kubernetes applies to `metadata.name` of a kind, with its description for messages. */
export function kubernetesNameRule(kind: string | undefined): { what: string; valid: (name: string) => boolean } {
  if (kind === 'Namespace') {
    return {
      what: "DNS-1123 label (at most 63 lowercase letters, digits and '-', alphanumeric at both ends)",
      valid: isValidDns1123Label,
    };
  }
  if (kind === 'Service') {
    return {
      what: "DNS-1035 label (at most 63 lowercase letters, digits and '-', starting with a letter)",
      valid: isValidDns1035Label,
    };
  }
  if (kind !== undefined && PATH_SEGMENT_NAMED_KINDS.has(kind)) {
    return {
      what: "path segment (no '/' or '%', not '.' or '..')",
      valid: (name) => name !== '' && name !== '.' && name !== '..' && !/[/%]/.test(name),
    };
  }
  return {
    what: "DNS-1123 subdomain (at most 253 lowercase letters, digits, '-' and '.', alphanumeric at both ends)",
    valid: isValidDns1123Subdomain,
  };
}

/** What every object of one template is checked with; the schema options index the template's strings once. */
interface ObjectContext {
  model: StackModel;
  sink: DiagnosticSink;
  cluster: string;
  schemaOptions: ReturnType<typeof options>;
}

interface ObjectIdentity {
  kind: string;
  namespace: string;
  name: string;
}

/** The Kubernetes version that schemas describe: newer clusters may serve kinds and versions they do not know. */
const SCHEMA_VERSION = 30;

/**
 * Kubernetes templates: one object, or a `kind: List` of objects, each needing apiVersion, kind and metadata.name,
 * with an apiVersion the cluster version (`windflow.kubernetes.version`) serves.
 */
export function checkKubernetes(
  model: StackModel,
  sink: DiagnosticSink,
  clusterVersion = DEFAULT_KUBERNETES_VERSION,
): void {
  const cluster = normaliseKubernetesVersion(clusterVersion) ?? DEFAULT_KUBERNETES_VERSION;
  checkTargetParameters(model, sink);
  checkDeploymentName(model, sink);
  sink.add(
    'WF044',
    'information',
    'upstream WindFlow cannot deploy kubernetes stacks (it runs every non-docker template through docker compose); this extension applies the objects to a cluster',
    spanOf(getIn(model.root, ['metadata', 'target_type'])),
    { upstreamOnly: true },
  );
  const templatePair = getPair(model.root, 'template');
  const template = templatePair?.value;
  if (!templatePair || !isMap(template)) return;
  const context: ObjectContext = { model, sink, cluster, schemaOptions: options(model, templatePair.key as Node) };

  const kind = getIn(template, ['kind']);
  if (!(isScalar(kind) && kind.value === 'List')) {
    checkObject(context, template, templatePair.key as Node);
    return;
  }
  const itemsPair = getPair(template, 'items');
  if (!itemsPair || !isSeq(itemsPair.value)) {
    sink.add(
      'WF050',
      'error',
      'a `kind: List` template needs `items`: a list of Kubernetes objects',
      spanOf(itemsPair?.value ?? kind, spanOf(kind)),
    );
    return;
  }
  const seen = new Set<string>();
  itemsPair.value.items.forEach((item, index) => {
    if (!isMap(item)) {
      sink.add(
        'WF050',
        'error',
        `List item ${index + 1} is not a Kubernetes object (a mapping with apiVersion, kind and metadata)`,
        spanOf(item as Node),
      );
      return;
    }
    const identity = checkObject(context, item, item.items[0]?.key as Node | undefined);
    if (!identity) return;
    const key = `${identity.kind}/${identity.namespace}/${identity.name}`;
    const nameNode = getIn(item, ['metadata', 'name']) as Node;
    if (seen.has(key)) {
      sink.add(
        'WF053',
        'warning',
        `a ${identity.kind} named '${identity.name}' is already in this List: the later one replaces the earlier one when applied`,
        spanOf(nameNode),
      );
    } else seen.add(key);
  });
}

/**
 * Checks one object (its shape, names, apiVersion, and its content against the schema of its kind); returns its
 * identity when kind and names are literal, for duplicate detection.
 */
function checkObject(context: ObjectContext, object: YAMLMap, keyNode: Node | undefined): ObjectIdentity | undefined {
  const { model, sink, cluster } = context;
  const anchor = spanOf(keyNode, spanOf(object));
  for (const required of ['apiVersion', 'kind']) {
    const value = getIn(object, [required]);
    if (value === undefined) {
      sink.add('WF050', 'error', `a Kubernetes object needs \`${required}\``, anchor);
    } else if (!isScalar(value) || typeof value.value !== 'string' || value.value.trim() === '') {
      sink.add('WF050', 'error', `\`${required}\` must be a non-empty string`, spanOf(value));
    }
  }
  const kindNode = getIn(object, ['kind']);
  const kind =
    isScalar(kindNode) && typeof kindNode.value === 'string' && !hasJinja(kindNode.value) ? kindNode.value : undefined;
  if (kind !== undefined && kind !== '') {
    checkApiVersion(object, kind, kindNode as Node, sink, cluster);
    const apiVersionNode = getIn(object, ['apiVersion']);
    const apiVersion = isScalar(apiVersionNode) && typeof apiVersionNode.value === 'string' ? apiVersionNode.value : '';
    const compiled = compiledKubernetesSchema(apiVersion.trim(), kind);
    if (compiled) {
      const findings = checkAgainstSchema(object, compiled, { ...context.schemaOptions, keyNode: keyNode ?? object });
      report(model, findings, sink);
    }
  }

  const metadataPair = getPair(object, 'metadata');
  if (!metadataPair || !isMap(metadataPair.value)) {
    sink.add(
      'WF050',
      'error',
      'a Kubernetes object needs `metadata` with a `name`',
      metadataPair ? spanOf(metadataPair.value, spanOf(metadataPair.key)) : anchor,
    );
    return undefined;
  }
  const nameNode = getIn(metadataPair.value, ['name']);
  let name: string | undefined;
  if (nameNode === undefined) {
    sink.add(
      'WF050',
      'error',
      'a Kubernetes object needs `metadata.name` (server-side apply cannot use generateName)',
      spanOf(metadataPair.key),
    );
  } else if (!isScalar(nameNode) || typeof nameNode.value !== 'string' || nameNode.value === '') {
    sink.add('WF050', 'error', '`metadata.name` must be a non-empty string', spanOf(nameNode));
  } else if (!hasJinja(nameNode.value)) {
    // Names with `{{ … }}` are checked once rendered.
    name = nameNode.value;
    const rule = kubernetesNameRule(kind);
    if (!rule.valid(name)) {
      sink.add(
        'WF051',
        'error',
        `'${name}' is not a valid ${kind ?? 'object'} name: it must be a ${rule.what}`,
        spanOf(nameNode),
      );
    }
  }

  const namespaceNode = getIn(metadataPair.value, ['namespace']);
  let namespace = '';
  if (isScalar(namespaceNode) && typeof namespaceNode.value === 'string' && !hasJinja(namespaceNode.value)) {
    namespace = namespaceNode.value;
    if (kind !== undefined && isClusterScopedKind(kind)) {
      sink.add(
        'WF053',
        'information',
        `a ${kind} is not namespaced: metadata.namespace is ignored`,
        spanOf(namespaceNode),
        {
          tags: ['unnecessary'],
        },
      );
    } else if (!isValidDns1123Label(namespace)) {
      sink.add(
        'WF051',
        'error',
        `'${namespace}' is not a valid namespace: it must be a ${kubernetesNameRule('Namespace').what}`,
        spanOf(namespaceNode),
      );
    }
  }
  return kind !== undefined && name !== undefined ? { kind, namespace, name } : undefined;
}

/** `v1`, `apps/v1`, `networking.k8s.io/v1`: groups of Kubernetes itself, as opposed to those of custom resources. */
function isBuiltInGroup(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/**
 * The apiVersion of a built-in kind: removed by the cluster version (error naming the replacement), deprecated
 * (warning), or not one that serves the kind at all (`v1` Deployment, `apps/v1` Deploymnet). Custom resources, and
 * kinds of API groups the schemas do not cover, are left alone.
 */
function checkApiVersion(object: YAMLMap, kind: string, kindNode: Node, sink: DiagnosticSink, cluster: string): void {
  const apiVersionNode = getIn(object, ['apiVersion']);
  if (!isScalar(apiVersionNode) || typeof apiVersionNode.value !== 'string' || hasJinja(apiVersionNode.value)) return;
  const apiVersion = apiVersionNode.value.trim();
  const span = spanOf(apiVersionNode);
  const minor = minorOf(cluster);
  const retired = retiredApi(apiVersion, kind);
  if (retired) {
    const instead = retired.replacement.includes(' ') ? retired.replacement : `\`${retired.replacement}\``;
    if (minor >= retired.removedIn) {
      sink.add(
        'WF120',
        'error',
        `Kubernetes 1.${retired.removedIn} removed \`${apiVersion}\` ${kind} (the cluster version is ${cluster}): use ${instead}`,
        span,
      );
    } else if (minor >= retired.deprecatedIn) {
      sink.add(
        'WF121',
        'warning',
        `\`${apiVersion}\` ${kind} is deprecated since Kubernetes 1.${retired.deprecatedIn} and removed in 1.${retired.removedIn}: use ${instead}`,
        span,
      );
    }
    return;
  }
  const introduced = introducedIn(apiVersion, kind);
  if (introduced !== undefined && minor < introduced) {
    const older = RETIRED_APIS.filter((entry) => entry.kind === kind && minor < entry.removedIn).map(
      (entry) => `\`${entry.apiVersion}\``,
    );
    sink.add(
      'WF122',
      'error',
      `Kubernetes 1.${introduced} introduced \`${apiVersion}\` ${kind}: a ${cluster} cluster does not serve it${older.length ? ` (it serves ${older.join(' or ')})` : ''}`,
      span,
    );
    return;
  }
  if (!isBuiltInGroup(apiVersion)) return;
  const served = apiVersionsOf(kind);
  if (served.includes(apiVersion)) return;
  const groupKnown = kubernetesKinds().some((entry) => entry.apiVersion === apiVersion);
  // Newer clusters serve kinds and versions the 1.30 schemas cannot know: say so without an error.
  const severity = minor > SCHEMA_VERSION ? 'warning' : 'error';
  if (served.length > 0) {
    sink.add(
      'WF052',
      severity,
      `\`${apiVersion}\` does not serve ${kind}: use ${served.map((version) => `\`${version}\``).join(' or ')}`,
      span,
    );
  } else if (groupKnown) {
    const kindsOfVersion = kubernetesKinds()
      .filter((entry) => entry.apiVersion === apiVersion)
      .map((entry) => entry.kind);
    sink.add(
      'WF052',
      severity,
      `\`${apiVersion}\` has no kind ${kind}${didYouMean(kind, kindsOfVersion)}`,
      spanOf(kindNode),
    );
  }
}
