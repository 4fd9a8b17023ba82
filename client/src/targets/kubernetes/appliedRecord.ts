/**
 * What a successful deploy applied, kept on the cluster so that a failed redeploy can apply it again (the previous
 * state, with the previous field ownership). One Secret per deployment in the target's namespace, since the objects
 * may include Secrets; it carries the deployment's labels, so remove deletes it with the rest.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { KUBERNETES_LABELS } from '../target';
import { KubernetesManifest } from './objects';

/** Label value that tells the record apart from the deployment's own objects. */
export const RECORD_LABEL = 'windflow.io/record';
const RECORD_KEY = 'applied.json.gz';

export function recordName(deploymentName: string): string {
  return `windflow-applied-${deploymentName.toLowerCase().replace(/[^a-z0-9.-]/g, '-')}`.slice(0, 253);
}

export function isRecord(object: { kind: string; metadata: { labels?: Record<string, string> } }): boolean {
  return object.kind === 'Secret' && object.metadata.labels?.[RECORD_LABEL] === 'applied';
}

/** The Secret that records `applied` for the deployment. */
export function recordManifest(
  deploymentLabels: Record<string, string>,
  namespace: string,
  applied: readonly KubernetesManifest[],
): KubernetesManifest {
  const deploymentName = deploymentLabels[KUBERNETES_LABELS.deployment];
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: recordName(deploymentName),
      namespace,
      labels: { ...deploymentLabels, [RECORD_LABEL]: 'applied' },
    },
    type: 'Opaque',
    data: { [RECORD_KEY]: gzipSync(JSON.stringify(applied)).toString('base64') },
  };
}

/** The manifests a record holds; undefined when the Secret is not a readable record (edited by hand, say). */
export function recordedManifests(secret: { data?: Record<string, string> }): KubernetesManifest[] | undefined {
  const encoded = secret.data?.[RECORD_KEY];
  if (typeof encoded !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8'));
    return Array.isArray(parsed) ? (parsed as KubernetesManifest[]) : undefined;
  } catch {
    return undefined;
  }
}
