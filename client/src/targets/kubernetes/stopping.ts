/**
 * Stopping a Kubernetes deployment without removing it: Deployments and StatefulSets scaled to zero and CronJobs
 * suspended, each remembering on itself (an annotation) what start must restore. Pure functions computing the JSON
 * merge patches, so the target only reads objects and sends what these return.
 */
import { OrderedKind } from './objects';

/** The replica count a Deployment or StatefulSet had before stop scaled it to zero. */
export const REPLICAS_BEFORE_STOP = 'windflow.io/replicas-before-stop';
/** Marks a CronJob that stop suspended, so start does not unsuspend one the template suspends itself. */
export const SUSPENDED_BY_STOP = 'windflow.io/suspended-by-stop';

/** What stop changes. DaemonSets, Jobs and bare Pods have no "off" short of deletion and are left running. */
export const STOPPABLE_KINDS: readonly OrderedKind[] = [
  { kind: 'Deployment', apiVersion: 'apps/v1' },
  { kind: 'StatefulSet', apiVersion: 'apps/v1' },
  { kind: 'CronJob', apiVersion: 'batch/v1' },
];

export interface StoppableObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { replicas?: number; suspend?: boolean };
}

/** A JSON merge patch (RFC 7386) for one object: a null annotation removes it. */
export interface MergePatch {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations: Record<string, string | null> };
  spec?: { replicas?: number; suspend?: boolean };
}

function patchOf(
  object: StoppableObject,
  annotations: MergePatch['metadata']['annotations'],
  spec?: MergePatch['spec'],
): MergePatch {
  const { name, namespace } = object.metadata;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: namespace === undefined ? { name, annotations } : { name, namespace, annotations },
    ...(spec ? { spec } : {}),
  };
}

/** Replicas as the API defaults them: a Deployment or StatefulSet without spec.replicas runs one pod. */
function replicasOf(object: StoppableObject): number {
  return object.spec?.replicas ?? 1;
}

/** The patch that stops the object, or undefined when it runs nothing now (already stopped, or zero by design). */
export function stopPatch(object: StoppableObject): MergePatch | undefined {
  if (object.kind === 'CronJob') {
    if (object.spec?.suspend === true) return undefined;
    return patchOf(object, { [SUSPENDED_BY_STOP]: 'true' }, { suspend: true });
  }
  const replicas = replicasOf(object);
  if (replicas === 0) return undefined;
  return patchOf(object, { [REPLICAS_BEFORE_STOP]: String(replicas) }, { replicas: 0 });
}

/**
 * The patch that undoes stop, or undefined when stop did not touch the object. A workload redeployed since it was
 * stopped already runs what its template says: only the leftover annotation goes.
 * Throws when the annotation was edited into something that is not a replica count.
 */
export function startPatch(object: StoppableObject): MergePatch | undefined {
  const annotations = object.metadata.annotations ?? {};
  if (object.kind === 'CronJob') {
    if (annotations[SUSPENDED_BY_STOP] === undefined) return undefined;
    return patchOf(object, { [SUSPENDED_BY_STOP]: null }, { suspend: false });
  }
  const remembered = annotations[REPLICAS_BEFORE_STOP];
  if (remembered === undefined) return undefined;
  if (replicasOf(object) !== 0) return patchOf(object, { [REPLICAS_BEFORE_STOP]: null });
  if (!/^\d+$/.test(remembered)) {
    throw new Error(
      `${object.kind} ${object.metadata.name}: annotation ${REPLICAS_BEFORE_STOP} is "${remembered}", not a replica count; set spec.replicas by hand or deploy again`,
    );
  }
  return patchOf(object, { [REPLICAS_BEFORE_STOP]: null }, { replicas: Number(remembered) });
}

/** True while stop holds the object down: scaled to zero or suspended, with stop's annotation saying so. */
export function heldByStop(object: StoppableObject): boolean {
  const annotations = object.metadata.annotations ?? {};
  if (object.kind === 'CronJob') return annotations[SUSPENDED_BY_STOP] !== undefined && object.spec?.suspend === true;
  return annotations[REPLICAS_BEFORE_STOP] !== undefined && replicasOf(object) === 0;
}

/** Runs nothing by its own spec: scaled to zero, or a suspended CronJob. */
function idle(object: StoppableObject): boolean {
  return object.kind === 'CronJob' ? object.spec?.suspend === true : replicasOf(object) === 0;
}

/**
 * A deployment is stopped when stop holds something of it down and every Deployment, StatefulSet and CronJob of it is
 * held or idle. Its pods may still be terminating (they show as such); DaemonSets and Jobs, which stop leaves alone,
 * do not count.
 */
export function isStopped(objects: readonly StoppableObject[]): boolean {
  const stoppables = objects.filter((object) => STOPPABLE_KINDS.some((kind) => kind.kind === object.kind));
  return stoppables.some(heldByStop) && stoppables.every((object) => heldByStop(object) || idle(object));
}
