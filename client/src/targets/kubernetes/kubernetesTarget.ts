/**
 * A Kubernetes cluster (one kubeconfig context) as a deployment target. Objects are server-side applied with field
 * manager `windflow` and found again only through the labels this target puts on them.
 */
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { KubernetesObject } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import {
  DeployError,
  DeployOptions,
  DeployResult,
  DeploymentStatus,
  DeploymentSummary,
  Disposable,
  KUBERNETES_LABELS,
  KubernetesTargetConfig,
  LogLine,
  LogOptions,
  RemoveOptions,
  RemoveResult,
  RenderedStack,
  Target,
  TargetError,
} from '../target';
import {
  KubernetesConnection,
  apiFailureOf,
  buildKubeConfig,
  explainFailure,
  isNotFound,
  loadKubernetesClient,
  targetFailure,
} from './connection';
import { HeldLock, LockBusyError, acquireLock } from '../lock';
import { isRecord, recordManifest, recordName, recordedManifests } from './appliedRecord';
import { Convergence } from './convergence';
import { withApiDefaults } from './defaults';
import { KubeconfigError } from './discover';
import { LeaseLockStore, leaseName } from './leaseLock';
import {
  ExecOptions,
  ExecSession,
  PodRef,
  PortForwardSession,
  describePod,
  execInPod,
  forwardPort,
} from './podActions';
import { RolloutEvent, RolloutObject, eventTime } from './rollout';
import { KubernetesVersion, parseServerVersion } from './version';
import {
  KUBERNETES_APPLY_ORDER,
  KubernetesManifest,
  ManifestError,
  OrderedKind,
  deploymentLabels,
  describeObject,
  inApplyOrder,
  isClusterScoped,
  isValidLabelValue,
  manifestsOf,
  withDeploymentLabels,
} from './objects';
import { MergePatch, STOPPABLE_KINDS, isStopped, startPatch, stopPatch } from './stopping';
import {
  PodView,
  WORKLOAD_KINDS,
  WorkloadSummary,
  WorkloadView,
  overallState,
  podUnit,
  summariseWorkload,
} from './status';

export interface KubernetesTargetOptions {
  /** Delay before a failed watch is restarted; doubles on each further failure up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How long a deploy waits for its workloads to roll out before it fails and undoes itself (default 5 min). */
  rolloutTimeoutMs?: number;
  /** How often a deploy re-reads its workloads while waiting for the rollout (default 1 s). */
  pollIntervalMs?: number;
}

export const DEFAULT_ROLLOUT_TIMEOUT_MS = 5 * 60_000;
/** How many of the newest events status shows. */
const STATUS_EVENTS = 20;

/**
 * A Kubernetes deploy that failed: what it had created was deleted again and what it had updated was restored to the
 * previous deploy's state (`rolledBack` names both); `leftover` names what could not be undone, and why.
 */
export class KubernetesDeployError extends DeployError {
  constructor(
    step: string,
    message: string,
    readonly leftover: string[],
    readonly rolledBack: string[],
    cause?: unknown,
  ) {
    super(step, message, cause);
    this.name = 'KubernetesDeployError';
  }
}

/** An object found on the cluster, with apiVersion and kind filled in (list items come without them). */
interface FoundObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
  };
  spec?: { replicas?: number; suspend?: boolean; selector?: unknown };
  status?: unknown;
}

type Connection = KubernetesConnection;

const FIELD_MANAGER = 'windflow';
const PVC_KIND = 'PersistentVolumeClaim';

/** Identity of an object across apiVersions of the same group ("apps/v1" and "apps/v1beta2" name one Deployment). */
function objectKey(object: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  return `${group}|${object.kind}|${object.metadata.namespace ?? ''}|${object.metadata.name}`;
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((signal): signal is AbortSignal => signal !== undefined));
}

/** Whether a live object carries our labels for this deployment (and so may be updated by its deploy). */
function belongsTo(object: FoundObject, deploymentName: string): boolean {
  const labels = object.metadata.labels ?? {};
  return labels[KUBERNETES_LABELS.managedBy] === 'windflow' && labels[KUBERNETES_LABELS.deployment] === deploymentName;
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets
    .filter((secret) => secret.length > 0)
    .reduce((result, secret) => result.split(secret).join('***'), text);
}

const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `since` of LogOptions as the log API's sinceSeconds or sinceTime. */
function sinceParameters(since: string | undefined): { sinceSeconds?: number; sinceTime?: string } {
  if (since === undefined || since === '') return {};
  if (/^\d+$/.test(since)) return { sinceTime: new Date(Number(since) * 1000).toISOString() };
  if (/^(?:\d+[smhd])+$/.test(since)) {
    const seconds = [...since.matchAll(/(\d+)([smhd])/g)].reduce(
      (total, [, amount, unit]) => total + Number(amount) * SECONDS_PER_UNIT[unit],
      0,
    );
    return { sinceSeconds: Math.max(1, seconds) };
  }
  const time = Date.parse(since);
  if (!Number.isNaN(time)) return { sinceTime: new Date(time).toISOString() };
  throw new Error(`"${since}" is not a time: use Unix seconds, a duration like 10m or 2h, or an RFC 3339 time`);
}

/** A writable that hands every complete line to `onLine` and the unterminated rest when the stream ends. */
class LineSplitter extends Writable {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const lines = (this.pending + this.decoder.write(chunk)).split('\n');
    this.pending = lines.pop() ?? '';
    lines.forEach((line) => this.onLine(line));
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const rest = this.pending + this.decoder.end();
    if (rest !== '') this.onLine(rest);
    callback();
  }
}

export class KubernetesTarget implements Target {
  readonly name: string;
  readonly kind = 'kubernetes' as const;
  private connection?: Promise<Connection>;
  private readonly watchers = new Set<Disposable>();
  private readonly servedKinds = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly config: KubernetesTargetConfig,
    private readonly options: KubernetesTargetOptions = {},
  ) {
    this.name = config.name;
  }

  supports(targetType: string): boolean {
    return targetType === 'kubernetes';
  }

  async ping(): Promise<void> {
    const connection = await this.connect();
    try {
      await connection.kubeConfig.makeApiClient(connection.k8s.VersionApi).getCode();
    } catch (error) {
      throw targetFailure(this.name, 'reach the cluster', connection.server, error);
    }
  }

  async deploy(stack: RenderedStack, options: DeployOptions = {}): Promise<DeployResult> {
    if (!this.supports(stack.targetType)) {
      throw new DeployError('validate', `A Kubernetes target cannot deploy target_type "${stack.targetType}"`);
    }
    if (!isValidLabelValue(stack.deploymentName) || stack.deploymentName === '') {
      throw new DeployError(
        'validate',
        `Deployment name "${stack.deploymentName}" cannot be a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
      );
    }
    let manifests: KubernetesManifest[];
    try {
      manifests = manifestsOf(stack.template);
    } catch (error) {
      if (error instanceof ManifestError)
        throw new DeployError('validate', `Invalid template: ${error.message}`, error);
      throw error;
    }
    const connection = await this.connect().catch((error: unknown) => {
      throw new DeployError('connect', (error as Error).message, error);
    });
    return this.deployTo(connection, stack, manifests, options);
  }

  private async deployTo(
    connection: Connection,
    stack: RenderedStack,
    manifests: readonly KubernetesManifest[],
    options: DeployOptions,
  ): Promise<DeployResult> {
    const deadline = Date.now() + (options.timeoutMs ?? this.options.rolloutTimeoutMs ?? DEFAULT_ROLLOUT_TIMEOUT_MS);
    const labels = deploymentLabels(stack.stackName, stack.deploymentName);
    const objects = inApplyOrder(
      manifests.map((manifest) => withApiDefaults(withDeploymentLabels(manifest, labels, connection.namespace))),
    );
    const report = (step: string, message: string) =>
      options.onProgress?.({ step, message: redact(message, stack.secrets) });
    const fail = (step: string, message: string, cause?: unknown) =>
      new DeployError(
        step,
        redact(`Deploy of "${stack.deploymentName}" failed at ${step}: ${message}`, stack.secrets),
        cause,
      );

    const unserved = await this.unservedKinds(connection, objects).catch((error: unknown) => {
      throw fail(
        'discover',
        `cannot read the cluster's API groups: ${explainFailure(error, connection.server)}`,
        error,
      );
    });
    if (unserved.length > 0) throw fail('discover', `${unserved.join('; ')}. Nothing was applied.`);

    const created: FoundObject[] = [];
    const updated: KubernetesManifest[] = [];
    let previous: FoundObject[];
    let record: KubernetesManifest[] | undefined;
    let lock: HeldLock | undefined;
    let step = 'namespace';
    const checkCancelled = (signal?: AbortSignal) => {
      if (signal?.aborted) throw new Error('the deploy was cancelled');
    };
    try {
      checkCancelled(options.signal);
      // The namespaces first: the target's own holds the deployment's lock and its record of what was applied.
      await this.ensureNamespaces(connection, objects, created, report);
      step = 'lock';
      lock = await this.lock(connection, stack.deploymentName, 'deploy');
      // Losing the lock midway cancels the deploy, which then undoes itself.
      const signal = anySignal(options.signal, lock.lost);
      step = 'inspect';
      let existing: Map<string, FoundObject>;
      const selector = this.deploymentSelector(stack.deploymentName);
      [previous, existing, record] = await Promise.all([
        this.findObjects(connection, selector, objects),
        this.readExisting(connection, objects),
        this.readRecord(connection, stack.deploymentName),
      ]);
      const createdEarlier = new Set(created.map(objectKey));
      for (const key of createdEarlier) existing.delete(key);
      this.refuseForeign(objects, existing, stack.deploymentName);
      step = 'apply';
      for (const object of objects) {
        checkCancelled(signal);
        if (createdEarlier.has(objectKey(object))) continue;
        await this.apply(connection, object);
        if (existing.has(objectKey(object))) updated.push(object);
        else created.push(object);
        report('apply', `${existing.has(objectKey(object)) ? 'Updated' : 'Created'} ${describeObject(object)}`);
      }
      step = 'rollout';
      const list = (kind: OrderedKind, selector: string) =>
        this.listKind(connection, kind, selector) as Promise<RolloutObject[]>;
      await new Convergence(connection, list).wait(objects, {
        selector,
        deadline,
        pollIntervalMs: this.options.pollIntervalMs ?? 1000,
        signal,
        onProgress: (message) => report('rollout', message),
      });
    } catch (failure) {
      const undone = await this.undo(connection, created, updated, record);
      if (lock) await this.unlock(lock);
      const reason = (failure as Error).message;
      const parts = [/[.:]$/.test(reason) || reason.includes('\n') ? reason : `${reason}.`];
      if (undone.deleted.length > 0) parts.push(`Deleted again: ${undone.deleted.join(', ')}.`);
      if (undone.restored.length > 0)
        parts.push(`Restored as the previous deploy left it: ${undone.restored.join(', ')}.`);
      if (undone.leftover.length > 0) parts.push(`Could not undo: ${undone.leftover.join(', ')}.`);
      // A rollout explanation spans lines (pods, events, log lines): what was undone then starts a line of its own.
      const separator = reason.includes('\n') ? '\n' : ' ';
      throw new KubernetesDeployError(
        step,
        redact(`Deploy of "${stack.deploymentName}" failed at ${step}: ${parts.join(separator)}`, stack.secrets),
        undone.leftover,
        [...undone.deleted, ...undone.restored],
        failure,
      );
    }

    try {
      // Without the record a later failed redeploy cannot restore this state, but this deploy did succeed.
      await this.apply(connection, recordManifest(labels, connection.namespace, objects)).catch((error: unknown) =>
        report(
          'record',
          `Could not keep the record of this deploy (a failed redeploy will not restore it): ${(error as Error).message}`,
        ),
      );
      await this.replaceStale(connection, stack, objects, previous, report);
    } finally {
      await this.unlock(lock);
    }
    return {
      deploymentName: stack.deploymentName,
      created: created.map(describeObject),
      updated: updated.map(describeObject),
      replaced: previous.length > 0,
    };
  }

  /** Refuses objects of the template that exist but are not this deployment's: a deploy never takes over. */
  private refuseForeign(
    objects: readonly KubernetesManifest[],
    existing: ReadonlyMap<string, FoundObject>,
    deploymentName: string,
  ): void {
    const owners = objects.flatMap((object) => {
      const found = existing.get(objectKey(object));
      if (found === undefined || belongsTo(found, deploymentName)) return [];
      const other = found.metadata.labels?.[KUBERNETES_LABELS.deployment];
      const whose = other ? `belongs to WindFlow deployment "${other}"` : 'was not created by WindFlow';
      return [`${describeObject(object)} already exists and ${whose}`];
    });
    if (owners.length > 0) {
      throw new Error(
        `${owners.join('; ')}. Rename it in the template or remove it from the cluster. Nothing was applied.`,
      );
    }
  }

  /** Redeploying replaces: what the previous deploy had and this template no longer has goes, except volumes' data. */
  private async replaceStale(
    connection: Connection,
    stack: RenderedStack,
    objects: readonly KubernetesManifest[],
    previous: readonly FoundObject[],
    report: (step: string, message: string) => void,
  ): Promise<void> {
    const applied = new Set(objects.map(objectKey));
    const stale = previous.filter(
      (object) => !applied.has(objectKey(object)) && object.kind !== PVC_KIND && !isRecord(object),
    );
    for (const object of inApplyOrder(stale).reverse()) {
      try {
        await this.deleteObject(connection, object);
        report('replace', `Deleted ${describeObject(object)} (no longer in the template)`);
      } catch (error) {
        throw new DeployError(
          'replace',
          redact(
            `Deployed "${stack.deploymentName}", but could not delete ${describeObject(object)} of the previous deploy: ${explainFailure(error, connection.server)}`,
            stack.secrets,
          ),
          error,
        );
      }
    }
  }

  /** A `kubectl describe`-like text of one pod of the deployment, with its events. */
  async describePod(deploymentName: string, podName: string): Promise<string> {
    const connection = await this.connect();
    const pod = await this.podOf(connection, deploymentName, podName);
    return describePod(connection, pod).catch((error: unknown) => {
      throw targetFailure(this.name, `describe pod ${pod.namespace}/${pod.name}`, connection.server, error);
    });
  }

  /** Forwards 127.0.0.1:`localPort` (0: a free one) to `remotePort` of the pod, through the API server. */
  async forwardPort(
    deploymentName: string,
    podName: string,
    remotePort: number,
    localPort = 0,
  ): Promise<PortForwardSession> {
    const connection = await this.connect();
    const pod = await this.podOf(connection, deploymentName, podName);
    return forwardPort(connection, pod, remotePort, localPort).catch((error: unknown) => {
      throw targetFailure(this.name, `listen on 127.0.0.1:${localPort}`, connection.server, error);
    });
  }

  /** Runs a command (by default a shell) in a container of the pod, through the API server. */
  async exec(deploymentName: string, podName: string, options: ExecOptions): Promise<ExecSession> {
    const connection = await this.connect();
    const pod = await this.podOf(connection, deploymentName, podName);
    return execInPod(connection, pod, options).catch((error: unknown) => {
      throw targetFailure(this.name, `exec in pod ${pod.namespace}/${pod.name}`, connection.server, error);
    });
  }

  /** The pod named `podName` among the deployment's pods: pod actions reach only pods carrying its label. */
  private async podOf(connection: Connection, deploymentName: string, podName: string): Promise<PodRef> {
    const pods = await this.listKind(
      connection,
      { kind: 'Pod', apiVersion: 'v1' },
      this.deploymentSelector(deploymentName),
    );
    const pod = pods.find((candidate) => candidate.metadata.name === podName);
    if (!pod) {
      throw new TargetError(
        this.name,
        `No pod "${podName}" in deployment "${deploymentName}" on Kubernetes target "${this.name}"`,
      );
    }
    return { namespace: pod.metadata.namespace ?? connection.namespace, name: podName };
  }

  /** The cluster's version ("1.20"), from /version; the editor checks apiVersions against it. */
  async serverVersion(): Promise<KubernetesVersion> {
    const connection = await this.connect();
    try {
      const info = await connection.kubeConfig.makeApiClient(connection.k8s.VersionApi).getCode();
      return parseServerVersion(info);
    } catch (error) {
      throw targetFailure(this.name, 'read the cluster version', connection.server, error);
    }
  }

  /**
   * "CronJob (batch/v1) is not served by this cluster (v1.20.2); it serves CronJob as batch/v1beta1" for each kind of
   * the objects that the API server does not serve, from API discovery (cached by client-node per apiVersion).
   */
  private async unservedKinds(connection: Connection, objects: readonly KubernetesManifest[]): Promise<string[]> {
    const pairs = [...new Map(objects.map((object) => [`${object.apiVersion}|${object.kind}`, object])).values()];
    const problems: string[] = [];
    let groups: Promise<string[]> | undefined;
    for (const { apiVersion, kind } of pairs) {
      if (await this.serves(connection, apiVersion, kind)) continue;
      groups ??= connection.kubeConfig
        .makeApiClient(connection.k8s.ApisApi)
        .getAPIVersions()
        .then((list) => list.groups.flatMap((group) => group.versions.map((version) => version.groupVersion)));
      const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
      const candidates = group === '' ? [] : (await groups).filter((version) => version.split('/')[0] === group);
      const served: string[] = [];
      for (const candidate of candidates) {
        if (candidate !== apiVersion && (await this.serves(connection, candidate, kind))) served.push(candidate);
      }
      const version = await this.serverVersion().then(
        (found) => ` (${found.gitVersion})`,
        () => '',
      );
      const instead = served.length > 0 ? `; it serves ${kind} as ${served.join(', ')}` : '';
      problems.push(`${kind} (${apiVersion}) is not served by this cluster${version}${instead}`);
    }
    return problems;
  }

  /** Whether the API server serves the kind at the apiVersion, from its discovery document (one per apiVersion). */
  private async serves(connection: Connection, apiVersion: string, kind: string): Promise<boolean> {
    let kinds = this.servedKinds.get(apiVersion);
    if (!kinds) {
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      const resources =
        group === ''
          ? connection.kubeConfig.makeApiClient(connection.k8s.CoreV1Api).getAPIResources()
          : connection.kubeConfig.makeApiClient(connection.k8s.CustomObjectsApi).getAPIResources({ group, version });
      kinds = resources.then(
        (list) => new Set(list.resources.filter((resource) => !resource.name.includes('/')).map((r) => r.kind)),
        (error: unknown) => {
          if (isNotFound(error)) return new Set<string>();
          throw error;
        },
      );
      this.servedKinds.set(apiVersion, kinds);
      // A failed discovery is asked again next time; a successful one holds for the target's lifetime.
      kinds.catch(() => this.servedKinds.delete(apiVersion));
    }
    return (await kinds).has(kind);
  }

  /** Server-side apply of one object as field manager windflow, forcing ownership of the fields it sets. */
  private async apply(connection: Connection, object: KubernetesManifest): Promise<void> {
    await connection.objects
      .patch(object, undefined, undefined, FIELD_MANAGER, true, connection.k8s.PatchStrategy.ServerSideApply)
      .catch((error: unknown) => {
        const namespace = object.metadata.namespace;
        const missingNamespace =
          isNotFound(error) &&
          namespace !== undefined &&
          /namespaces? "?[^ ]*"? not found/.test(String(apiFailureOf(error)?.message));
        const why = missingNamespace
          ? `namespace "${namespace}" does not exist`
          : explainFailure(error, connection.server);
        throw new Error(`${describeObject(object)} was refused: ${why}`, { cause: error });
      });
  }

  /** The objects of the template that exist already, by objectKey. */
  private async readExisting(
    connection: Connection,
    objects: readonly KubernetesManifest[],
  ): Promise<Map<string, FoundObject>> {
    const found = new Map<string, FoundObject>();
    await Promise.all(
      objects.map(async (object) => {
        try {
          const live = await connection.objects.read({
            apiVersion: object.apiVersion,
            kind: object.kind,
            metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
          });
          found.set(objectKey(object), {
            ...(live as object),
            apiVersion: object.apiVersion,
            kind: object.kind,
          } as FoundObject);
        } catch (error) {
          if (isNotFound(error)) return;
          throw new Error(`cannot read ${describeObject(object)}: ${explainFailure(error, connection.server)}`, {
            cause: error,
          });
        }
      }),
    );
    return found;
  }

  /** What the last successful deploy applied, if it left a readable record. */
  private async readRecord(connection: Connection, deploymentName: string): Promise<KubernetesManifest[] | undefined> {
    try {
      const secret = await connection.objects.read({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: recordName(deploymentName), namespace: connection.namespace },
      });
      return recordedManifests(secret as { data?: Record<string, string> });
    } catch (error) {
      if (isNotFound(error) || apiFailureOf(error)?.code === 403) return undefined;
      throw error;
    }
  }

  /**
   * Undoes a failed deploy: deletes what it created (newest first) and applies again what the previous deploy had
   * applied to the objects it updated. Never throws; says what it could not undo.
   */
  private async undo(
    connection: Connection,
    created: readonly FoundObject[],
    updated: readonly KubernetesManifest[],
    record: readonly KubernetesManifest[] | undefined,
  ): Promise<{ deleted: string[]; restored: string[]; leftover: string[] }> {
    const { deleted, leftover } = await this.rollback(connection, created);
    const restored: string[] = [];
    const before = new Map((record ?? []).map((manifest) => [objectKey(manifest), manifest]));
    for (const object of updated) {
      const previous = before.get(objectKey(object));
      if (!previous) {
        leftover.push(`${describeObject(object)} (updated; no record of the previous deploy to restore)`);
        continue;
      }
      try {
        await this.apply(connection, previous);
        restored.push(describeObject(object));
      } catch (error) {
        leftover.push(`${describeObject(object)} (${(error as Error).message})`);
      }
    }
    return { deleted, restored, leftover };
  }

  async list(): Promise<DeploymentSummary[]> {
    const connection = await this.connect();
    const selector = `${KUBERNETES_LABELS.managedBy}=windflow,${KUBERNETES_LABELS.deployment}`;
    const [objects, pods] = await Promise.all([
      this.findObjects(connection, selector),
      this.listKind(connection, { kind: 'Pod', apiVersion: 'v1' }, selector),
    ]);
    const byDeployment = new Map<string, FoundObject[]>();
    for (const object of objects) {
      const name = object.metadata.labels?.[KUBERNETES_LABELS.deployment] ?? '';
      byDeployment.set(name, [...(byDeployment.get(name) ?? []), object]);
    }
    return [...byDeployment.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([deploymentName, members]) => {
        const deploymentPods = pods.filter(
          (pod) => pod.metadata.labels?.[KUBERNETES_LABELS.deployment] === deploymentName,
        );
        const workloads = members.filter(isWorkload).map((workload) => summariseWorkload(workload));
        const units = deploymentPods.map((pod) => podUnit(pod as PodView, []));
        return {
          deploymentName,
          stackName: members[0].metadata.labels?.[KUBERNETES_LABELS.stack],
          targetType: 'kubernetes',
          state: isStopped(members) ? 'stopped' : overallState(workloads, units),
          unitCount: deploymentPods.length,
        };
      });
  }

  async status(deploymentName: string): Promise<DeploymentStatus> {
    const connection = await this.connect();
    const selector = this.deploymentSelector(deploymentName);
    const [workloadLists, pods, cronJobs, replicaSets] = await Promise.all([
      Promise.all(
        WORKLOAD_KINDS.map((kind) =>
          this.listKind(connection, { kind, apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1' }, selector),
        ),
      ),
      this.listKind(connection, { kind: 'Pod', apiVersion: 'v1' }, selector),
      this.listKind(connection, { kind: 'CronJob', apiVersion: 'batch/v1' }, selector),
      this.listKind(connection, { kind: 'ReplicaSet', apiVersion: 'apps/v1' }, selector),
    ]);
    const workloads = workloadLists.flat().filter(isWorkload);
    let stackName = [...workloads, ...pods][0]?.metadata.labels?.[KUBERNETES_LABELS.stack];
    if (workloads.length === 0 && pods.length === 0 && cronJobs.length === 0) {
      const others = await this.findObjects(connection, selector);
      if (others.length === 0) throw this.notFound(deploymentName);
      stackName = others[0].metadata.labels?.[KUBERNETES_LABELS.stack];
    }
    const summaries: WorkloadSummary[] = workloads.map((workload) => summariseWorkload(workload));
    const units = pods.map((pod) => podUnit(pod as PodView, workloads)).sort((a, b) => a.name.localeCompare(b.name));
    return {
      deploymentName,
      stackName,
      targetType: 'kubernetes',
      state: isStopped([...workloads, ...cronJobs]) ? 'stopped' : overallState(summaries, units),
      units,
      workloads: summaries,
      events: await this.eventsOf(connection, [...workloads, ...pods, ...cronJobs, ...replicaSets]),
    };
  }

  /**
   * The newest events about the given objects ("Pod shop/web-1: Unhealthy: Readiness probe failed: …"), oldest
   * first. Events only add detail: where the user may not list them, there are none.
   */
  private async eventsOf(
    connection: Connection,
    objects: readonly FoundObject[],
  ): Promise<{ time: Date; message: string }[]> {
    const uids = new Set(objects.map((object) => (object.metadata as { uid?: string }).uid ?? ''));
    const namespaces = [...new Set(objects.map((object) => object.metadata.namespace ?? ''))].filter(Boolean);
    const lists = await Promise.all(
      namespaces.map((namespace) =>
        connection.objects.list('v1', 'Event', namespace).then(
          (result) => result.items as RolloutEvent[],
          () => [] as RolloutEvent[],
        ),
      ),
    );
    return lists
      .flat()
      .filter((event) => uids.has(event.involvedObject?.uid ?? ''))
      .sort((a, b) => eventTime(a) - eventTime(b))
      .slice(-STATUS_EVENTS)
      .map((event) => {
        const about = describeObject({
          kind: event.involvedObject?.kind,
          metadata: { name: event.involvedObject?.name, namespace: event.involvedObject?.namespace },
        });
        const repeated = (event.count ?? 1) > 1 ? ` (×${event.count})` : '';
        return {
          time: new Date(eventTime(event)),
          message: `${about}: ${event.type === 'Warning' ? 'Warning ' : ''}${event.reason ?? ''}: ${event.message ?? ''}${repeated}`,
        };
      });
  }

  async logs(deploymentName: string, options: LogOptions, onLine: (line: LogLine) => void): Promise<void> {
    const connection = await this.connect();
    const pods = (
      await this.listKind(connection, { kind: 'Pod', apiVersion: 'v1' }, this.deploymentSelector(deploymentName))
    )
      .map((pod) => pod as PodView)
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    if (pods.length === 0) {
      throw new TargetError(
        this.name,
        `Deployment "${deploymentName}" has no pods on Kubernetes target "${this.name}"`,
      );
    }
    const streams = pods.flatMap((pod) =>
      (pod.spec?.containers ?? [])
        .filter((container) => options.service === undefined || container.name === options.service)
        .map((container) => ({ pod, container: container.name })),
    );
    if (streams.length === 0) {
      const names = [...new Set(pods.flatMap((pod) => (pod.spec?.containers ?? []).map((c) => c.name)))];
      throw new TargetError(
        this.name,
        `No container "${options.service}" in the pods of "${deploymentName}"; containers: ${names.join(', ')}`,
      );
    }
    let since: { sinceSeconds?: number; sinceTime?: string };
    try {
      since = sinceParameters(options.since);
    } catch (error) {
      throw new TargetError(this.name, (error as Error).message);
    }
    if (options.previous && options.follow) {
      throw new TargetError(this.name, 'The logs of a previous container instance cannot be followed: it has ended');
    }
    const logOptions = {
      previous: options.previous ?? false,
      follow: options.follow ?? false,
      tailLines: options.tail,
      timestamps: options.timestamps ?? false,
      ...since,
    };
    // One failing stream stops the others, so a follow never outlives its own error.
    const stopAll = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stopAll.signal]) : stopAll.signal;
    const streamOne = async ({ pod, container }: { pod: PodView; container: string }): Promise<void> => {
      const podName = pod.metadata?.name ?? '';
      if (signal.aborted) return;
      const splitter = new LineSplitter((text) => {
        const stamped = options.timestamps ? /^(\S+) (.*)$/.exec(text) : null;
        onLine({
          unit: podName,
          service: container,
          // The pod log API merges stdout and stderr into one stream.
          stream: 'stdout',
          text: stamped ? stamped[2] : text,
          timestamp: stamped ? stamped[1] : undefined,
        });
      });
      // client-node pipes the response into the splitter but does not end it when the connection breaks.
      let broken: Error | undefined;
      const ended = new Promise<void>((resolve) => {
        splitter.on('finish', resolve);
        splitter.on('pipe', (source: NodeJS.ReadableStream) =>
          source.on('error', (error: Error) => {
            broken = error;
            resolve();
          }),
        );
      });
      let onAbort = () => {};
      const aborted = new Promise<void>((resolve) => {
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
      });
      let controller: AbortController;
      try {
        controller = await new connection.k8s.Log(connection.kubeConfig).log(
          pod.metadata?.namespace ?? connection.namespace,
          podName,
          container,
          splitter,
          logOptions,
        );
      } catch (error) {
        signal.removeEventListener('abort', onAbort);
        throw targetFailure(this.name, `read the logs of ${podName}/${container}`, connection.server, error);
      }
      await Promise.race([ended, aborted]);
      signal.removeEventListener('abort', onAbort);
      controller.abort();
      if (broken && !signal.aborted) {
        // node-fetch reports a connection the server cut as "The user aborted a request": say what happened.
        const reason = broken.name === 'AbortError' ? new Error('the API server closed the log stream') : broken;
        throw targetFailure(this.name, `read the logs of ${podName}/${container}`, connection.server, reason);
      }
    };
    try {
      if (logOptions.follow) {
        await Promise.all(streams.map(streamOne));
      } else {
        for (const stream of streams) await streamOne(stream);
      }
    } finally {
      stopAll.abort();
    }
  }

  async remove(deploymentName: string, options: RemoveOptions = {}): Promise<RemoveResult> {
    const connection = await this.connect();
    return this.locked(connection, deploymentName, 'remove', () =>
      this.removeLocked(connection, deploymentName, options),
    );
  }

  private async removeLocked(
    connection: Connection,
    deploymentName: string,
    options: RemoveOptions,
  ): Promise<RemoveResult> {
    const found = await this.findObjects(connection, this.deploymentSelector(deploymentName));
    if (found.length === 0) throw this.notFound(deploymentName);
    // The record of the last apply is bookkeeping, not something the user deployed: it goes last, unreported.
    const objects = found.filter((object) => !isRecord(object));
    const keptClaims = options.deleteData ? [] : objects.filter((object) => object.kind === PVC_KIND);
    // Deleting a namespace deletes everything in it, so a namespace holding a kept claim is kept too.
    const keptNamespaces = new Set(keptClaims.map((claim) => claim.metadata.namespace));
    const removed: string[] = [];
    const kept: string[] = [];
    for (const object of inApplyOrder(objects).reverse()) {
      const keep =
        keptClaims.includes(object) || (object.kind === 'Namespace' && keptNamespaces.has(object.metadata.name));
      if (keep) {
        kept.push(describeObject(object));
        continue;
      }
      try {
        await this.deleteObject(connection, object);
      } catch (error) {
        const done = removed.length > 0 ? ` (already removed: ${removed.join(', ')})` : '';
        throw targetFailure(this.name, `delete ${describeObject(object)}${done}`, connection.server, error);
      }
      removed.push(describeObject(object));
    }
    for (const record of found.filter(isRecord)) {
      await this.deleteObject(connection, record).catch((error: unknown) => {
        throw targetFailure(this.name, `delete ${describeObject(record)}`, connection.server, error);
      });
    }
    return { removed, kept };
  }

  async stop(deploymentName: string): Promise<void> {
    const connection = await this.connect();
    await this.locked(connection, deploymentName, 'stop', () =>
      this.changeStoppables(connection, deploymentName, 'stop', stopPatch),
    );
  }

  async start(deploymentName: string): Promise<void> {
    const connection = await this.connect();
    await this.locked(connection, deploymentName, 'start', () =>
      this.changeStoppables(connection, deploymentName, 'start', startPatch),
    );
  }

  /** Runs `work` holding the deployment's Lease, so it never overlaps a deploy, stop, start or remove of it. */
  private async locked<T>(
    connection: Connection,
    deploymentName: string,
    operation: string,
    work: () => Promise<T>,
  ): Promise<T> {
    const lock = await this.lock(connection, deploymentName, operation);
    try {
      return await work();
    } finally {
      await this.unlock(lock);
    }
  }

  /** Takes the deployment's Lease; a TargetError saying who holds it, or why it cannot be taken. */
  private async lock(connection: Connection, deploymentName: string, operation: string): Promise<HeldLock> {
    try {
      return await acquireLock(new LeaseLockStore(connection, deploymentName), { deploymentName, operation });
    } catch (error) {
      if (error instanceof LockBusyError) throw new TargetError(this.name, error.message, error);
      const lease = `Lease ${connection.namespace}/${leaseName(deploymentName)}`;
      throw targetFailure(this.name, `take the lock of "${deploymentName}" (${lease})`, connection.server, error);
    }
  }

  private async unlock(lock: HeldLock): Promise<void> {
    // A Lease we could not delete expires by itself within its lease time; the work's own outcome matters more.
    await lock.release().catch(() => undefined);
  }

  /**
   * Sends each Deployment, StatefulSet and CronJob of the deployment the merge patch `patchFor` gives it. A merge
   * patch (not an apply) because an apply by the field manager that deployed would drop every field it omits.
   */
  private async changeStoppables(
    connection: Connection,
    deploymentName: string,
    verb: 'stop' | 'start',
    patchFor: (object: FoundObject) => MergePatch | undefined,
  ): Promise<void> {
    const selector = this.deploymentSelector(deploymentName);
    const stoppables = (await Promise.all(STOPPABLE_KINDS.map((kind) => this.listKind(connection, kind, selector))))
      .flat()
      .filter((object) => (object.metadata.ownerReferences ?? []).length === 0);
    if (stoppables.length === 0 && (await this.findObjects(connection, selector)).length === 0)
      throw this.notFound(deploymentName);
    const done: string[] = [];
    for (const object of inApplyOrder(stoppables)) {
      let patch: MergePatch | undefined;
      try {
        patch = patchFor(object);
      } catch (error) {
        throw new TargetError(this.name, `cannot ${verb} "${deploymentName}": ${(error as Error).message}`, error);
      }
      if (!patch) continue;
      try {
        await connection.objects.patch(
          // The typed model has no null annotations, but a merge patch removes an annotation with null.
          patch as unknown as KubernetesObject,
          undefined,
          undefined,
          FIELD_MANAGER,
          undefined,
          connection.k8s.PatchStrategy.MergePatch,
        );
      } catch (error) {
        const already = done.length > 0 ? ` (already done: ${done.join(', ')})` : '';
        throw targetFailure(this.name, `${verb} ${describeObject(object)}${already}`, connection.server, error);
      }
      done.push(describeObject(object));
    }
  }

  watch(onChange: () => void): Disposable {
    const firstDelay = this.options.retryDelayMs ?? 500;
    const maxDelay = this.options.maxRetryDelayMs ?? 30_000;
    const selector = KUBERNETES_LABELS.deployment;
    const controllers = new Set<AbortController>();
    const timers = new Set<NodeJS.Timeout>();
    let disposed = false;

    const watchResource = (clusterPath: string, namespacedPath: (namespace: string) => string) => {
      let failures = 0;
      let namespaced = false;
      const restart = (afterError: boolean) => {
        if (disposed) return;
        // While the watch is down the caller re-reads status on every attempt: the polling fallback.
        onChange();
        failures = afterError ? failures + 1 : 0;
        const delay = afterError ? Math.min(firstDelay * 2 ** (failures - 1), maxDelay) : firstDelay;
        const timer = setTimeout(() => {
          timers.delete(timer);
          start();
        }, delay);
        timers.add(timer);
      };
      const start = () => {
        if (disposed) return;
        // client-node may report the end before it hands over the controller (a refused watch), hence the flag.
        const attempt: { controller?: AbortController; ended: boolean } = { ended: false };
        this.connect()
          .then(async (connection) => {
            const path = namespaced ? namespacedPath(connection.namespace) : clusterPath;
            const controller = await new connection.k8s.Watch(connection.kubeConfig).watch(
              path,
              { labelSelector: selector },
              () => {
                failures = 0;
                onChange();
              },
              (error: unknown) => {
                attempt.ended = true;
                if (attempt.controller) controllers.delete(attempt.controller);
                if (disposed) return;
                // Without cluster-wide list rights, watch the target's namespace instead.
                if ((error as { statusCode?: number } | null)?.statusCode === 403) namespaced = true;
                restart(error !== null && error !== undefined);
              },
            );
            if (disposed) controller.abort();
            else if (!attempt.ended) {
              attempt.controller = controller;
              controllers.add(controller);
            }
          })
          .catch(() => restart(true));
      };
      start();
    };

    watchResource('/api/v1/pods', (namespace) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`);
    watchResource(
      '/apis/apps/v1/deployments',
      (namespace) => `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`,
    );
    const watcher: Disposable = {
      dispose: () => {
        disposed = true;
        timers.forEach((timer) => clearTimeout(timer));
        controllers.forEach((controller) => controller.abort());
        this.watchers.delete(watcher);
      },
    };
    this.watchers.add(watcher);
    return watcher;
  }

  dispose(): void {
    [...this.watchers].forEach((watcher) => watcher.dispose());
  }

  private connect(): Promise<Connection> {
    this.connection ??= (async () => {
      const k8s = await loadKubernetesClient();
      try {
        const { kubeConfig, namespace, server } = buildKubeConfig(k8s, this.config);
        return { k8s, kubeConfig, namespace, server, objects: k8s.KubernetesObjectApi.makeApiClient(kubeConfig) };
      } catch (error) {
        if (error instanceof KubeconfigError) throw new TargetError(this.name, error.message, error);
        throw error;
      }
    })();
    // A failed connection (bad kubeconfig) is not cached: the user may fix the file and try again.
    this.connection.catch(() => (this.connection = undefined));
    return this.connection;
  }

  private deploymentSelector(deploymentName: string): string {
    if (!isValidLabelValue(deploymentName) || deploymentName === '') {
      throw new TargetError(this.name, `"${deploymentName}" is not a deployment name (it cannot be a label value)`);
    }
    return `${KUBERNETES_LABELS.deployment}=${deploymentName}`;
  }

  private notFound(deploymentName: string): TargetError {
    return new TargetError(this.name, `No deployment "${deploymentName}" on Kubernetes target "${this.name}"`);
  }

  /**
   * Objects of a kind carrying the selector, cluster-wide; without the right to list cluster-wide, those in the
   * target's namespace. Kinds the cluster does not serve, or cluster-scoped kinds we may not list, give nothing.
   */
  private async listKind(connection: Connection, kind: OrderedKind, selector: string): Promise<FoundObject[]> {
    const list = (namespace?: string) =>
      connection.objects.list(
        kind.apiVersion,
        kind.kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        selector,
      );
    let result: Awaited<ReturnType<typeof list>>;
    try {
      result = await list();
    } catch (error) {
      const failure = apiFailureOf(error);
      const unserved = failure?.code === 404 || /Unrecognized API version and kind/.test((error as Error).message);
      if (unserved) return [];
      if (failure?.code !== 403) throw targetFailure(this.name, `list ${kind.kind} objects`, connection.server, error);
      if (isClusterScoped(kind.kind)) return [];
      try {
        result = await list(connection.namespace);
      } catch (namespacedError) {
        if (apiFailureOf(namespacedError)?.code === 403) return [];
        throw targetFailure(this.name, `list ${kind.kind} objects`, connection.server, namespacedError);
      }
    }
    return result.items.map(
      (item) => ({ ...(item as object), apiVersion: kind.apiVersion, kind: kind.kind }) as FoundObject,
    );
  }

  /** Every top-level object with the selector: owned objects (a Deployment's pods) belong to their owner. */
  private async findObjects(
    connection: Connection,
    selector: string,
    extraKinds: readonly OrderedKind[] = [],
  ): Promise<FoundObject[]> {
    const kinds = [...KUBERNETES_APPLY_ORDER];
    for (const extra of extraKinds) {
      if (!kinds.some((kind) => kind.kind === extra.kind))
        kinds.push({ kind: extra.kind, apiVersion: extra.apiVersion });
    }
    const lists = await Promise.all(kinds.map((kind) => this.listKind(connection, kind, selector)));
    const found = lists.flat().filter((object) => (object.metadata.ownerReferences ?? []).length === 0);
    // The endpoints controller keeps an Endpoints object for every Service with a selector, copying the Service's
    // labels (and no owner reference): it is the Service's, not ours to list or delete. Endpoints of a Service
    // without a selector are written by the template, and stay ours.
    const key = (object: FoundObject) => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    const selectingServices = new Set(
      found.filter((object) => object.kind === 'Service' && object.spec?.selector !== undefined).map(key),
    );
    return found.filter((object) => object.kind !== 'Endpoints' || !selectingServices.has(key(object)));
  }

  private async exists(connection: Connection, object: KubernetesManifest): Promise<boolean> {
    try {
      await connection.objects.read({
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * Namespaces the objects go to must exist. One the template declares is applied first like any object; a missing
   * one it does not declare is created (labelled managed-by windflow but not with the deployment, so removing the
   * deployment leaves it), and deleted again if the deploy fails. The target's namespace must exist before the lock
   * (a Lease in it) is taken: when the template declares it and it is missing, its declaration is applied here.
   */
  private async ensureNamespaces(
    connection: Connection,
    objects: readonly KubernetesManifest[],
    created: FoundObject[],
    report: (step: string, message: string) => void,
  ): Promise<void> {
    const declared = new Set(
      objects.filter((object) => object.kind === 'Namespace').map((object) => object.metadata.name),
    );
    const needed = new Set([
      connection.namespace,
      ...objects.map((object) => object.metadata.namespace).filter((namespace): namespace is string => !!namespace),
    ]);
    for (const namespace of needed) {
      if (declared.has(namespace) && namespace !== connection.namespace) continue;
      const manifest: KubernetesManifest = objects.find(
        (object) => object.kind === 'Namespace' && object.metadata.name === namespace,
      ) ?? {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace, labels: { [KUBERNETES_LABELS.managedBy]: 'windflow' } },
      };
      let exists: boolean;
      try {
        exists = await this.exists(connection, manifest);
      } catch (error) {
        // Users confined to their namespace may not read Namespace objects; the namespace then exists.
        if (apiFailureOf(error)?.code === 403) continue;
        throw new Error(`cannot check namespace ${namespace}: ${explainFailure(error, connection.server)}`, {
          cause: error,
        });
      }
      if (exists) continue;
      await connection.objects
        .patch(manifest, undefined, undefined, FIELD_MANAGER, true, connection.k8s.PatchStrategy.ServerSideApply)
        .catch((error: unknown) => {
          throw new Error(`cannot create namespace ${namespace}: ${explainFailure(error, connection.server)}`, {
            cause: error,
          });
        });
      created.push(manifest);
      report('namespace', `Created Namespace ${namespace}`);
    }
  }

  private async deleteObject(connection: Connection, object: FoundObject | KubernetesManifest): Promise<void> {
    try {
      await connection.objects.delete(
        {
          apiVersion: object.apiVersion,
          kind: object.kind,
          metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
        },
        undefined,
        undefined,
        undefined,
        undefined,
        'Background',
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Deletes what a failed deploy created, newest first; never throws, says what it could not delete. */
  private async rollback(
    connection: Connection,
    created: readonly FoundObject[],
  ): Promise<{ deleted: string[]; leftover: string[] }> {
    const deleted: string[] = [];
    const leftover: string[] = [];
    for (const object of [...created].reverse()) {
      try {
        await this.deleteObject(connection, object);
        deleted.push(describeObject(object));
      } catch (error) {
        leftover.push(`${describeObject(object)} (${explainFailure(error, connection.server)})`);
      }
    }
    return { deleted, leftover };
  }
}

function isWorkload(object: FoundObject): object is FoundObject & WorkloadView {
  return (WORKLOAD_KINDS as readonly string[]).includes(object.kind);
}
