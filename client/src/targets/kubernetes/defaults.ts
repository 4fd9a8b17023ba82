/**
 * The API defaults server-side apply needs before it can merge an object. Lists the API declares as maps
 * (`x-kubernetes-list-type: map`) are merged by their key fields; Kubernetes before 1.21 refuses an element that omits
 * a key field, even one the API would default, with a 500 ("associative list with keys has an element that omits key
 * field", kubernetes-sigs/structured-merge-diff#130). The only list-map key with an API default in 1.20–1.30 is
 * `protocol` (TCP) of Service ports and container ports; the other keys (container and volume names, `ip` of
 * hostAliases, `topologyKey` and `whenUnsatisfiable` of topologySpreadConstraints, …) are required fields the API
 * never defaults, so filling them would only hide the user's mistake. Endpoints and EndpointSlice ports get the same
 * default so that what we apply is what the API stores. Pure: the input is not modified.
 */
import { KubernetesManifest } from './objects';

const DEFAULT_PROTOCOL = 'TCP';

/** Where each kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function recordAt(root: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let current = root;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return isRecord(current) ? current : undefined;
}

/** Sets `protocol: TCP` on every port mapping of the list that has no protocol. */
function defaultProtocols(ports: unknown): void {
  if (!Array.isArray(ports)) return;
  for (const port of ports) {
    if (isRecord(port) && (port.protocol === undefined || port.protocol === null)) port.protocol = DEFAULT_PROTOCOL;
  }
}

/** A copy of the manifest with the list-map key defaults filled in (see the file comment). */
export function withApiDefaults(manifest: KubernetesManifest): KubernetesManifest {
  const copy = structuredClone(manifest);
  const podSpecPath = POD_SPEC_PATHS[copy.kind];
  if (podSpecPath) {
    const podSpec = recordAt(copy, podSpecPath);
    for (const list of CONTAINER_LISTS) {
      const containers = podSpec?.[list];
      if (!Array.isArray(containers)) continue;
      for (const container of containers) if (isRecord(container)) defaultProtocols(container.ports);
    }
  }
  switch (copy.kind) {
    case 'Service':
      defaultProtocols(recordAt(copy, ['spec'])?.ports);
      break;
    case 'Endpoints':
      if (Array.isArray(copy.subsets)) for (const subset of copy.subsets) defaultProtocols(recordAt(subset, [])?.ports);
      break;
    case 'EndpointSlice':
      defaultProtocols(copy.ports);
      break;
  }
  return copy;
}
