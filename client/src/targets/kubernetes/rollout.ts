/**
 * Whether each workload of a deploy has rolled out, and why not. Pure functions over objects as the API returns them
 * (workloads, ReplicaSets, pods, events), so every verdict is testable without a cluster; the target polls the cluster
 * and hands the lists in.
 */

export interface RolloutObject {
  apiVersion?: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: unknown;
    ownerReferences?: { uid?: string; kind?: string; name?: string }[];
  };
  spec?: {
    replicas?: number;
    parallelism?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

export interface RolloutPod {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    deletionTimestamp?: unknown;
    ownerReferences?: { uid?: string }[];
  };
  spec?: { containers?: { name: string }[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: PodContainerStatus[];
    initContainerStatuses?: PodContainerStatus[];
  };
}

export interface PodContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; exitCode?: number; message?: string };
    running?: object;
  };
  lastState?: { terminated?: { reason?: string; exitCode?: number; message?: string } };
}

export interface RolloutEvent {
  involvedObject?: { uid?: string; kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: unknown;
  eventTime?: unknown;
}

/** Where a workload stands: done, still converging (message says how far), or failed for good. */
export type RolloutVerdict =
  { state: 'done'; message: string } | { state: 'waiting'; message: string } | { state: 'failed'; message: string };

export const ROLLOUT_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'] as const;

/** Container states that do not get better by waiting: the deploy fails at once. */
const HOPELESS_WAITING_REASONS = new Set(['ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']);
/** A crash loop fails the deploy once the container has restarted this often (a first crash may be a slow dependency). */
export const CRASH_LOOP_RESTARTS = 3;

function conditionOf(object: RolloutObject, type: string) {
  return object.status?.conditions?.find((condition) => condition.type === type);
}

/** Replicas as the API defaults them. */
function desiredReplicas(object: RolloutObject): number {
  return object.spec?.replicas ?? 1;
}

function generationSeen(object: RolloutObject): boolean {
  const generation = object.metadata.generation;
  return generation === undefined || (object.status?.observedGeneration ?? 0) >= generation;
}

/**
 * The verdict for one workload from its own status, as `kubectl rollout status` judges it. A Job is done when it
 * completes if `waitForCompletion`, else as soon as one of its pods runs or it has succeeded.
 */
export function workloadVerdict(
  workload: RolloutObject,
  pods: readonly RolloutPod[],
  waitForCompletion: boolean,
): RolloutVerdict {
  const status = workload.status ?? {};
  if (workload.kind !== 'Job' && !generationSeen(workload)) {
    return { state: 'waiting', message: 'waiting for the controller to see the new spec' };
  }
  switch (workload.kind) {
    case 'Deployment': {
      const progressing = conditionOf(workload, 'Progressing');
      if (progressing?.reason === 'ProgressDeadlineExceeded') {
        return { state: 'failed', message: progressing.message ?? 'progress deadline exceeded' };
      }
      const desired = desiredReplicas(workload);
      const updated = status.updatedReplicas ?? 0;
      if (updated < desired) return { state: 'waiting', message: `${updated} of ${desired} replicas updated` };
      const old = (status.replicas ?? 0) - updated;
      if (old > 0) return { state: 'waiting', message: `${old} old replicas still terminating` };
      const available = status.availableReplicas ?? 0;
      if (available < updated) return { state: 'waiting', message: `${available} of ${desired} replicas available` };
      return { state: 'done', message: `${desired} of ${desired} replicas available` };
    }
    case 'StatefulSet': {
      const desired = desiredReplicas(workload);
      const ready = status.readyReplicas ?? 0;
      if (ready < desired) return { state: 'waiting', message: `${ready} of ${desired} replicas ready` };
      if (workload.spec?.updateStrategy?.type === 'OnDelete') {
        return { state: 'done', message: `${ready} of ${desired} replicas ready` };
      }
      const partition = workload.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
      const updated = status.updatedReplicas ?? 0;
      if (partition > 0 ? updated < desired - partition : status.updateRevision !== status.currentRevision) {
        return { state: 'waiting', message: `${updated} of ${desired} replicas updated` };
      }
      return { state: 'done', message: `${ready} of ${desired} replicas ready` };
    }
    case 'DaemonSet': {
      const desired = status.desiredNumberScheduled ?? 0;
      const updated = status.updatedNumberScheduled ?? 0;
      if (updated < desired) return { state: 'waiting', message: `${updated} of ${desired} pods updated` };
      const available = status.numberAvailable ?? 0;
      if (available < desired) return { state: 'waiting', message: `${available} of ${desired} pods available` };
      return { state: 'done', message: `${desired} of ${desired} pods available` };
    }
    case 'Job': {
      const failed = conditionOf(workload, 'Failed');
      if (failed?.status === 'True') {
        return { state: 'failed', message: `failed (${failed.reason ?? 'Failed'}): ${failed.message ?? ''}`.trim() };
      }
      if (conditionOf(workload, 'Complete')?.status === 'True') return { state: 'done', message: 'completed' };
      if (waitForCompletion) {
        return { state: 'waiting', message: `${status.succeeded ?? 0} completed, ${status.active ?? 0} running` };
      }
      const running = pods.some((pod) => pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded');
      return running
        ? { state: 'done', message: 'started' }
        : { state: 'waiting', message: 'waiting for its pod to start' };
    }
    default:
      return { state: 'done', message: 'applied' };
  }
}

function ownedBy(pod: RolloutPod, uids: ReadonlySet<string>): boolean {
  return (pod.metadata.ownerReferences ?? []).some((owner) => owner.uid !== undefined && uids.has(owner.uid));
}

/**
 * The pods of the workload's current revision that are not being deleted: a Deployment's pods of its newest
 * ReplicaSet (the one whose revision annotation matches the Deployment's), a StatefulSet's pods of its update
 * revision, a DaemonSet's or Job's own pods.
 */
export function currentPods(
  workload: RolloutObject,
  replicaSets: readonly RolloutObject[],
  pods: readonly RolloutPod[],
): RolloutPod[] {
  const live = pods.filter((pod) => !pod.metadata.deletionTimestamp);
  const uid = workload.metadata.uid;
  if (uid === undefined) return [];
  switch (workload.kind) {
    case 'Deployment': {
      const revision = workload.metadata.annotations?.['deployment.kubernetes.io/revision'];
      const owned = replicaSets.filter((replicaSet) => ownedBy(replicaSet as RolloutPod, new Set([uid])));
      const newest = owned.filter(
        (replicaSet) => replicaSet.metadata.annotations?.['deployment.kubernetes.io/revision'] === revision,
      );
      return live.filter((pod) => ownedBy(pod, new Set(newest.map((replicaSet) => replicaSet.metadata.uid ?? ''))));
    }
    case 'StatefulSet': {
      const revision = workload.status?.updateRevision;
      return live.filter(
        (pod) =>
          ownedBy(pod, new Set([uid])) &&
          (revision === undefined || pod.metadata.labels?.['controller-revision-hash'] === revision),
      );
    }
    default:
      return live.filter((pod) => ownedBy(pod, new Set([uid])));
  }
}

/** Every container status of the pod, init containers first. */
function containerStatuses(pod: RolloutPod): PodContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** A container of the pod that will not start by waiting longer, with its reason, or undefined. */
export function hopelessContainer(pod: RolloutPod): { container: string; reason: string } | undefined {
  for (const status of containerStatuses(pod)) {
    const reason = status.state?.waiting?.reason;
    if (reason === undefined) continue;
    if (HOPELESS_WAITING_REASONS.has(reason)) return { container: status.name, reason };
    if (reason === 'CrashLoopBackOff' && (status.restartCount ?? 0) >= CRASH_LOOP_RESTARTS) {
      return { container: status.name, reason };
    }
  }
  return undefined;
}

/**
 * A container that crashed, and where its last words are: in its current instance while that is the one that ended,
 * in the previous one while the kubelet waits to restart it (CrashLoopBackOff).
 */
export function crashedContainer(pod: RolloutPod): { container: string; previous: boolean } | undefined {
  for (const status of containerStatuses(pod)) {
    const terminated = status.state?.terminated;
    if (terminated && terminated.exitCode !== 0) return { container: status.name, previous: false };
    if (status.state?.waiting?.reason === 'CrashLoopBackOff' || status.lastState?.terminated !== undefined) {
      return { container: status.name, previous: true };
    }
  }
  return undefined;
}

/**
 * What keeps a pod from running and being ready, in the words of the pod's own status: a container's waiting reason
 * and message, its last exit, the scheduler's refusal, or the readiness condition. Undefined for a healthy pod.
 */
export function podProblem(pod: RolloutPod): string | undefined {
  const name = pod.metadata.name;
  for (const status of containerStatuses(pod)) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing') {
      const last = status.lastState?.terminated;
      const exit = last ? `, last exit code ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}` : '';
      const restarts = status.restartCount ? `, ${status.restartCount} restarts` : '';
      const message = waiting.message ? `: ${firstLine(waiting.message)}` : '';
      return `pod ${name} container ${status.name}: ${waiting.reason}${message}${exit}${restarts}`;
    }
    const terminated = status.state?.terminated;
    if (terminated && terminated.exitCode !== 0) {
      return `pod ${name} container ${status.name}: exited with code ${terminated.exitCode ?? '?'}${terminated.reason ? ` (${terminated.reason})` : ''}`;
    }
  }
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return `pod ${name} cannot be scheduled (${scheduled.reason ?? 'Unschedulable'}): ${firstLine(scheduled.message ?? '')}`;
  }
  if (pod.status?.phase === 'Failed') {
    return `pod ${name} failed${pod.status.reason ? ` (${pod.status.reason})` : ''}: ${firstLine(pod.status.message ?? '')}`;
  }
  const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (pod.status?.phase === 'Running' && ready?.status === 'False') {
    const notReady = containerStatuses(pod)
      .filter((status) => status.state?.running && !status.ready)
      .map((status) => status.name);
    if (notReady.length > 0) return `pod ${name} is running but not ready (container ${notReady.join(', ')})`;
  }
  if (pod.status?.phase === 'Pending' && containerStatuses(pod).length === 0 && scheduled === undefined) {
    return `pod ${name} is pending`;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/** Warning events of the given objects, newest last, each once ("Unhealthy: Readiness probe failed: …"). */
export function warningsAbout(events: readonly RolloutEvent[], uids: ReadonlySet<string>): string[] {
  const relevant = events
    .filter((event) => event.type === 'Warning' && uids.has(event.involvedObject?.uid ?? ''))
    .sort((a, b) => eventTime(a) - eventTime(b));
  const lines = relevant.map(
    (event) =>
      `${event.involvedObject?.kind ?? 'object'} ${event.involvedObject?.name ?? '?'}: ${event.reason ?? 'Warning'}: ${firstLine(event.message ?? '')}`,
  );
  return [...new Set(lines)];
}

export function eventTime(event: RolloutEvent): number {
  const value = event.lastTimestamp ?? event.eventTime;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') return Date.parse(value) || 0;
  return 0;
}
