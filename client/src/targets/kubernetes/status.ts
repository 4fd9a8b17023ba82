/**
 * Turning Kubernetes objects as the API returns them (pods, workloads) into the target interface's status shapes.
 * Pure functions, so the mapping of every pod phase and container state is testable without a cluster.
 */
import { DeploymentState, UnitState, UnitStatus } from '../target';

/** The few pod fields status reads. Timestamps may be strings (raw JSON) or Dates (client-node's typed models). */
export interface PodView {
  metadata?: {
    name?: string;
    uid?: string;
    namespace?: string;
    labels?: Record<string, string>;
    creationTimestamp?: unknown;
    /** Set once the pod is being deleted (scaled down, replaced by a rollout, stopped). */
    deletionTimestamp?: unknown;
  };
  spec?: { containers?: { name: string; image?: string; ports?: { containerPort?: number; protocol?: string }[] }[] };
  status?: {
    phase?: string;
    reason?: string;
    containerStatuses?: {
      name: string;
      ready?: boolean;
      restartCount?: number;
      state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number }; running?: object };
    }[];
  };
}

export interface WorkloadView {
  kind: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { replicas?: number; completions?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: {
    readyReplicas?: number;
    numberReady?: number;
    desiredNumberScheduled?: number;
    succeeded?: number;
  };
}

export interface WorkloadSummary {
  kind: string;
  name: string;
  desired: number;
  ready: number;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'] as const;

/** Container waiting reasons that will not resolve on their own: the pod is failed, not merely starting. */
const FAILING_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

export function summariseWorkload(workload: WorkloadView): WorkloadSummary {
  const name = workload.metadata?.name ?? '?';
  const status = workload.status ?? {};
  switch (workload.kind) {
    case 'DaemonSet':
      return { kind: workload.kind, name, desired: status.desiredNumberScheduled ?? 0, ready: status.numberReady ?? 0 };
    case 'Job':
      // A Job is "ready" as its pods complete successfully.
      return { kind: workload.kind, name, desired: workload.spec?.completions ?? 1, ready: status.succeeded ?? 0 };
    default:
      return { kind: workload.kind, name, desired: workload.spec?.replicas ?? 1, ready: status.readyReplicas ?? 0 };
  }
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  }
  return undefined;
}

/** The first reason a container gives for not running (waiting beats terminated), else the pod's own reason. */
function podReason(pod: PodView): string | undefined {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  const statuses = pod.status?.containerStatuses ?? [];
  const waiting = statuses.find((status) => status.state?.waiting?.reason)?.state?.waiting?.reason;
  if (waiting) return waiting;
  const terminated = statuses.find((status) => status.state?.terminated?.reason)?.state?.terminated?.reason;
  return terminated ?? pod.status?.reason;
}

function podState(pod: PodView, reason: string | undefined): UnitState {
  // A pod on its way out no longer counts as running, whatever its containers still do.
  if (pod.metadata?.deletionTimestamp) return 'stopped';
  if (reason && FAILING_REASONS.has(reason)) return 'failed';
  const statuses = pod.status?.containerStatuses ?? [];
  switch (pod.status?.phase) {
    case 'Pending':
      return statuses.length > 0 ? 'starting' : 'pending';
    case 'Running':
      return statuses.length > 0 && statuses.every((status) => status.ready) ? 'running' : 'starting';
    case 'Succeeded':
      return 'exited';
    case 'Failed':
      return 'failed';
    default:
      return 'unknown';
  }
}

/** A pod as a unit; `service` is the workload whose selector matches the pod, if any. */
export function podUnit(pod: PodView, workloads: readonly WorkloadView[]): UnitStatus {
  const labels = pod.metadata?.labels ?? {};
  const owner = workloads.find((workload) => {
    const selector = workload.spec?.selector?.matchLabels;
    return (
      selector !== undefined &&
      workload.metadata?.namespace === pod.metadata?.namespace &&
      Object.entries(selector).every(([key, value]) => labels[key] === value)
    );
  });
  const containers = pod.spec?.containers ?? [];
  const reason = podReason(pod);
  return {
    id: pod.metadata?.uid ?? pod.metadata?.name ?? '?',
    name: pod.metadata?.name ?? '?',
    service: owner?.metadata?.name,
    kind: 'pod',
    state: podState(pod, reason),
    restarts: (pod.status?.containerStatuses ?? []).reduce((sum, status) => sum + (status.restartCount ?? 0), 0),
    ports: containers.flatMap((container) =>
      (container.ports ?? []).map((port) => `${port.containerPort}/${port.protocol ?? 'TCP'}`),
    ),
    createdAt: toDate(pod.metadata?.creationTimestamp),
    reason,
    image: containers[0]?.image,
  };
}

/**
 * running: every workload has all its desired pods ready (or there are no workloads, only configuration);
 * failed: nothing is ready and some pod is failing; deploying: nothing ready yet, nothing failing; else partial.
 */
export function overallState(workloads: readonly WorkloadSummary[], units: readonly UnitStatus[]): DeploymentState {
  if (workloads.every((workload) => workload.ready >= workload.desired)) return 'running';
  const anyReady = workloads.some((workload) => workload.ready > 0);
  if (!anyReady && units.some((unit) => unit.state === 'failed')) return 'failed';
  if (!anyReady) return 'deploying';
  return 'partial';
}
