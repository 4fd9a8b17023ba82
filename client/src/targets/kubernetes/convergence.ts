/**
 * Waiting until what a deploy applied has rolled out, or failing with the pods' own reasons: polls the deployment's
 * workloads, ReplicaSets and pods (found by the deployment label), reports progress when a workload's state changes,
 * and on failure or timeout explains each workload that did not converge from its pods' statuses, their Warning
 * events and, for a crashed container, its last log lines.
 */
import type { CoreV1Api } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { KubernetesConnection, explainFailure } from './connection';
import { KubernetesManifest, OrderedKind, describeObject } from './objects';
import {
  ROLLOUT_KINDS,
  RolloutEvent,
  RolloutObject,
  RolloutPod,
  RolloutVerdict,
  crashedContainer,
  currentPods,
  hopelessContainer,
  podProblem,
  warningsAbout,
  workloadVerdict,
} from './rollout';

/** Lists the objects of one kind carrying a label selector (the target's listKind). */
export type ListKind = (kind: OrderedKind, selector: string) => Promise<RolloutObject[]>;

export interface ConvergenceOptions {
  selector: string;
  /** Epoch milliseconds after which waiting gives up. */
  deadline: number;
  pollIntervalMs: number;
  signal?: AbortSignal;
  onProgress: (message: string) => void;
}

/** A workload that did not converge; the message names it and says why, in the cluster's words. */
export class RolloutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolloutError';
  }
}

const LOG_LINES = 5;
const PROBLEMS_PER_WORKLOAD = 3;
const WARNINGS_PER_WORKLOAD = 4;

const KINDS: Record<string, OrderedKind> = {
  Deployment: { kind: 'Deployment', apiVersion: 'apps/v1' },
  StatefulSet: { kind: 'StatefulSet', apiVersion: 'apps/v1' },
  DaemonSet: { kind: 'DaemonSet', apiVersion: 'apps/v1' },
  Job: { kind: 'Job', apiVersion: 'batch/v1' },
  Pod: { kind: 'Pod', apiVersion: 'v1' },
  ReplicaSet: { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
};

function keyOf(object: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${object.kind}|${object.metadata.namespace ?? ''}|${object.metadata.name}`;
}

interface Snapshot {
  workloads: Map<string, RolloutObject>;
  replicaSets: RolloutObject[];
  pods: RolloutPod[];
}

interface Judged {
  applied: KubernetesManifest;
  live?: RolloutObject;
  pods: RolloutPod[];
  verdict: RolloutVerdict;
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function seconds(milliseconds: number): string {
  return `${Math.round(milliseconds / 100) / 10} s`;
}

export class Convergence {
  constructor(
    private readonly connection: KubernetesConnection,
    private readonly list: ListKind,
  ) {}

  /**
   * Resolves when every workload of `applied` has rolled out; rejects with a RolloutError as soon as one cannot
   * (image not pullable, crash loop, failed Job, progress deadline) or when the deadline passes. A Job is awaited
   * until it completes when the deployment also has long-running workloads (they may need what it does), else until
   * it starts.
   */
  async wait(applied: readonly KubernetesManifest[], options: ConvergenceOptions): Promise<void> {
    const watched = applied.filter((object) => (ROLLOUT_KINDS as readonly string[]).includes(object.kind));
    if (watched.length === 0) return;
    const jobsAwaited = watched.some((object) => object.kind !== 'Job' && object.kind !== 'Pod');
    const started = Date.now();
    const reported = new Map<string, string>();
    for (;;) {
      if (options.signal?.aborted) throw new RolloutError('the deploy was cancelled');
      const snapshot = await this.snapshot(options.selector);
      const judged = watched.map((object) => this.judge(object, snapshot, jobsAwaited));
      for (const entry of judged) {
        const message = `${describeObject(entry.applied)}: ${entry.verdict.message}`;
        if (reported.get(keyOf(entry.applied)) !== message) options.onProgress(message);
        reported.set(keyOf(entry.applied), message);
      }
      const failed = judged.filter(
        (entry) =>
          entry.verdict.state === 'failed' ||
          (entry.verdict.state === 'waiting' && entry.pods.some((pod) => hopelessContainer(pod) !== undefined)),
      );
      if (failed.length > 0) throw new RolloutError(await this.explain(failed, snapshot, 'cannot roll out'));
      const pending = judged.filter((entry) => entry.verdict.state !== 'done');
      if (pending.length === 0) return;
      if (Date.now() >= options.deadline) {
        const waited = `did not converge within ${seconds(Date.now() - started)}`;
        throw new RolloutError(await this.explain(pending, snapshot, waited));
      }
      await sleep(Math.min(options.pollIntervalMs, Math.max(0, options.deadline - Date.now())), options.signal);
    }
  }

  private async snapshot(selector: string): Promise<Snapshot> {
    const [deployments, statefulSets, daemonSets, jobs, pods, replicaSets] = await Promise.all(
      ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod', 'ReplicaSet'].map((kind) =>
        this.list(KINDS[kind], selector),
      ),
    );
    const workloads = new Map<string, RolloutObject>();
    for (const object of [...deployments, ...statefulSets, ...daemonSets, ...jobs, ...pods]) {
      workloads.set(keyOf(object), object);
    }
    return { workloads, replicaSets, pods: pods as RolloutPod[] };
  }

  private judge(applied: KubernetesManifest, snapshot: Snapshot, jobsAwaited: boolean): Judged {
    const live = snapshot.workloads.get(keyOf(applied));
    if (!live) return { applied, pods: [], verdict: { state: 'waiting', message: 'not visible yet' } };
    if (applied.kind === 'Pod') {
      const pod = live as RolloutPod;
      return { applied, live, pods: [pod], verdict: podVerdict(pod) };
    }
    const pods = currentPods(live, snapshot.replicaSets, snapshot.pods);
    return { applied, live, pods, verdict: workloadVerdict(live, pods, jobsAwaited) };
  }

  /** One paragraph per workload: what it lacks, its pods' problems, Warning events, a crashed container's last lines. */
  private async explain(entries: readonly Judged[], snapshot: Snapshot, what: string): Promise<string> {
    const events = await this.events(entries);
    const paragraphs: string[] = [];
    for (const entry of entries) {
      const lines = [`${describeObject(entry.applied)} ${what}: ${entry.verdict.message}`];
      const problems = [...new Set(entry.pods.map(podProblem).filter((problem) => problem !== undefined))];
      lines.push(...problems.slice(0, PROBLEMS_PER_WORKLOAD).map((problem) => `  ${problem}`));
      const uids = new Set<string>();
      if (entry.live?.metadata.uid) uids.add(entry.live.metadata.uid);
      for (const replicaSet of snapshot.replicaSets) {
        const owners = replicaSet.metadata.ownerReferences ?? [];
        if (owners.some((owner) => owner.uid === entry.live?.metadata.uid)) uids.add(replicaSet.metadata.uid ?? '');
      }
      entry.pods.forEach((pod) => uids.add(pod.metadata.uid ?? ''));
      const warnings = warningsAbout(events, uids);
      lines.push(...warnings.slice(-WARNINGS_PER_WORKLOAD).map((warning) => `  event: ${warning}`));
      const crashedPod = entry.pods.find((pod) => crashedContainer(pod) !== undefined);
      const crashed = crashedPod && crashedContainer(crashedPod);
      if (crashedPod && crashed) {
        const logLines = await this.lastLogLines(crashedPod, crashed.container, crashed.previous);
        if (logLines.length > 0) {
          lines.push(`  last log lines of ${crashedPod.metadata.name}/${crashed.container}:`);
          lines.push(...logLines.map((line) => `    ${line}`));
        }
      }
      paragraphs.push(lines.join('\n'));
    }
    return paragraphs.join('\n');
  }

  private async events(entries: readonly Judged[]): Promise<RolloutEvent[]> {
    const namespaces = [...new Set(entries.map((entry) => entry.applied.metadata.namespace ?? ''))];
    const lists = await Promise.all(
      namespaces.map((namespace) =>
        this.connection.objects
          .list('v1', 'Event', namespace)
          .then((result) => result.items as RolloutEvent[])
          // Events only add detail: a user who may not read them still gets the pods' own reasons.
          .catch(() => [] as RolloutEvent[]),
      ),
    );
    return lists.flat();
  }

  /**
   * The last lines the crashed container wrote, from the instance that ended (`previous`) or else the other one. The
   * kubelet answers with a sentence instead of logs when it already removed that instance: then try the other.
   */
  private async lastLogLines(pod: RolloutPod, container: string, previous: boolean): Promise<string[]> {
    const core: CoreV1Api = this.connection.kubeConfig.makeApiClient(this.connection.k8s.CoreV1Api);
    const request = {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace ?? '',
      container,
      tailLines: LOG_LINES,
    };
    let failure = '';
    for (const instance of [previous, !previous]) {
      try {
        const text = await core.readNamespacedPodLog({ ...request, previous: instance });
        const lines = text.split('\n').filter((line) => line !== '');
        if (lines.length === 1 && /^unable to retrieve container logs/.test(lines[0])) continue;
        if (lines.length > 0) return lines.slice(-LOG_LINES);
      } catch (error) {
        failure = explainFailure(error, this.connection.server);
      }
    }
    return failure ? [`(logs unavailable: ${failure})`] : [];
  }
}

/** A bare Pod converges when it runs and is ready, or has completed. */
function podVerdict(pod: RolloutPod): RolloutVerdict {
  const phase = pod.status?.phase ?? 'Pending';
  if (phase === 'Succeeded') return { state: 'done', message: 'completed' };
  if (phase === 'Failed')
    return { state: 'failed', message: `failed${pod.status?.reason ? ` (${pod.status.reason})` : ''}` };
  const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
  if (phase === 'Running' && ready) return { state: 'done', message: 'running and ready' };
  return { state: 'waiting', message: phase === 'Running' ? 'running, not ready' : phase.toLowerCase() };
}
