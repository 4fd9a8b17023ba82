import { isMap, isScalar, isSeq, Node, YAMLMap } from 'yaml';
import { DiagnosticSink } from '../diagnostics';
import { hasJinja } from '../jinja';
import { getIn, getPair, spanOf, StackModel } from '../model';
import { isValidDns1035Label, isValidDns1123Label, isValidDns1123Subdomain } from '../specs';
import { didYouMean } from '../suggest';
import { Span } from '../text';
import { checkDeploymentName, checkTargetParameters } from './docker';

/**
 * The kinds the Kubernetes deployer applies, in this order (and removes in reverse): the namespace, then policy and
 * identity, then configuration and storage that workloads mount, then Services, workloads and what sits on top of them.
 */
export const KUBERNETES_APPLY_ORDER: readonly string[] = [
  'Namespace',
  'ResourceQuota',
  'LimitRange',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'NetworkPolicy',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'Service',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Pod',
  'Job',
  'CronJob',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Ingress',
];

/** Kinds without a namespace among the ordered ones. */
const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
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

interface ObjectIdentity {
  kind: string;
  namespace: string;
  name: string;
}

/** Kubernetes templates: one object, or a `kind: List` of objects, each needing apiVersion, kind and metadata.name. */
export function checkKubernetes(model: StackModel, sink: DiagnosticSink): void {
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

  const kind = getIn(template, ['kind']);
  if (!(isScalar(kind) && kind.value === 'List')) {
    checkObject(template, spanOf(templatePair.key), sink);
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
    const identity = checkObject(item, firstKeySpan(item), sink);
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

function firstKeySpan(map: YAMLMap): Span {
  const first = map.items[0];
  return spanOf(first?.key as Node | undefined, spanOf(map));
}

/** Checks one object; returns its identity when kind and names are literal, for duplicate detection. */
function checkObject(object: YAMLMap, anchor: Span, sink: DiagnosticSink): ObjectIdentity | undefined {
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
  if (kind !== undefined && kind !== '' && !KUBERNETES_APPLY_ORDER.includes(kind)) {
    sink.add(
      'WF052',
      'warning',
      `the deployer does not know where to apply a ${kind} (it orders ${KUBERNETES_APPLY_ORDER.join(', ')})${didYouMean(kind, KUBERNETES_APPLY_ORDER)}; it is applied last`,
      spanOf(kindNode),
    );
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
    if (kind !== undefined && CLUSTER_SCOPED_KINDS.has(kind)) {
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
