/**
 * The one interface every deployment target implements (Docker engine, Kubernetes cluster). Pure Node: the
 * extension, the CLI and tests all drive targets through it. Errors crossing it are DeployError / TargetError.
 */

/** A stack after rendering: what a target deploys. Built by the stack model's renderStack, never by hand. */
export interface RenderedStack {
  /** metadata.name */
  stackName: string;
  /** metadata.target_type */
  targetType: string;
  deploymentName: string;
  /** The rendered template (plain data). */
  template: unknown;
  /** The rendered target_parameters (plain data), if any. */
  targetParameters?: unknown;
  /** The rendered deployment_notes (Markdown), if any. */
  deploymentNotes?: string;
  /** Secret values in this render (passwords, generated secrets): never log or show them. */
  secrets: string[];
}

export type TargetKind = 'docker' | 'kubernetes';

export interface DockerTargetConfig {
  name: string;
  kind: 'docker';
  /** unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host[:port]. */
  host: string;
  tls?: { ca?: string; cert?: string; key?: string; verify?: boolean };
  /** For ssh:// hosts: private key path; passphrases and passwords come from secret storage. */
  sshKeyPath?: string;
  /** Deploy docker_compose stacks as Swarm stacks (the engine must be a swarm manager). */
  swarm?: boolean;
}

export interface KubernetesTargetConfig {
  name: string;
  kind: 'kubernetes';
  /** The kubeconfig context this target uses. */
  context: string;
  /** Kubeconfig file(s), joined by the platform's path delimiter like KUBECONFIG. */
  kubeconfig?: string;
  namespace?: string;
}

export type TargetConfig = DockerTargetConfig | KubernetesTargetConfig;

/** How a target is used by its caller: cancellation of everything it does, and the per-call deadline. */
export interface TargetOptions {
  /** Cancels every call the target makes (the CLI's Ctrl-C / SIGTERM). */
  signal?: AbortSignal;
  /** Milliseconds one engine or API request may take (default DEFAULT_CALL_DEADLINE_MS in deadline.ts). */
  callDeadlineMs?: number;
}

export interface DeployProgress {
  step: string;
  message: string;
}

export interface DeployOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DeployProgress) => void;
  /** The stack file deployed: relative bind mounts resolve against its folder (Compose's project working dir). */
  sourceFile?: string;
  /** How long everything must stay up (not exit, not restart) after it started before the deploy succeeds. */
  settleMs?: number;
  /** How long a deploy waits for what it started to converge (Swarm services, Kubernetes rollouts) before it fails and undoes itself. */
  timeoutMs?: number;
}

export interface DeployResult {
  deploymentName: string;
  /** Human-readable names of what this deploy created. */
  created: string[];
  /** Existing objects this deploy updated in place (Kubernetes). */
  updated: string[];
  /** True when a deployment of the same name was replaced. */
  replaced: boolean;
}

/**
 * exited: ended with code 0; failed: ended with another code (see exitCode); restarting: the engine is restarting it
 * after its process died.
 */
export type UnitState = 'running' | 'starting' | 'restarting' | 'exited' | 'failed' | 'pending' | 'stopped' | 'unknown';

/** A container, a pod or a Swarm task. */
export interface UnitStatus {
  id: string;
  name: string;
  service?: string;
  kind: 'container' | 'pod' | 'task';
  /** The Swarm node a task runs on. */
  node?: string;
  state: UnitState;
  health?: 'healthy' | 'unhealthy' | 'starting';
  restarts: number;
  ports: string[];
  createdAt?: Date;
  reason?: string;
  image?: string;
  /** The exit code of its last run, when it is not running. */
  exitCode?: number;
  /** A one-shot job others wait for (Compose service_completed_successfully): exiting with 0 is its success. */
  oneShot?: boolean;
}

/**
 * running: everything is up (healthy where checked; one-shot jobs finished with 0) — nothing else is `running`.
 * restarting: a unit keeps dying and being restarted; exited: nothing runs and a unit ended with an error (exitCode
 * says which); unhealthy: up, but a health check fails; partial: some units up, others not; stopped: stopped on
 * purpose; failed: nothing can run (Kubernetes: no ready workload); deploying: still coming up.
 */
export type DeploymentState =
  | 'running'
  | 'partial'
  | 'restarting'
  | 'exited'
  | 'unhealthy'
  | 'failed'
  | 'stopped'
  | 'deploying'
  /** Stopped by us, with tasks still running down (a Swarm service scaled to 0 whose tasks have not ended). */
  | 'stopping';

export interface DeploymentStatus {
  deploymentName: string;
  stackName?: string;
  targetType?: string;
  state: DeploymentState;
  /** With state `exited`: the exit code of the unit that failed. */
  exitCode?: number;
  units: UnitStatus[];
  /** Workload summaries (Kubernetes Deployments, StatefulSets, Swarm services): desired vs ready. */
  workloads?: { kind: string; name: string; desired: number; ready: number }[];
  events?: { time: Date; message: string }[];
}

/** "exited (1)" for an exited deployment, the state otherwise: how CLI and views show it. */
export function describeState(status: Pick<DeploymentStatus, 'state' | 'exitCode'>): string {
  return status.state === 'exited' && status.exitCode !== undefined ? `exited (${status.exitCode})` : status.state;
}

export interface DeploymentSummary {
  deploymentName: string;
  stackName?: string;
  targetType?: string;
  state: DeploymentState;
  /** With state `exited`: the exit code of the unit that failed. */
  exitCode?: number;
  unitCount: number;
}

export interface LogOptions {
  service?: string;
  tail?: number;
  /** Unix seconds, or a duration like 10m / 2h, or an RFC 3339 time. */
  since?: string;
  timestamps?: boolean;
  follow?: boolean;
  /** The logs of the previous instance of a restarted container (Kubernetes), to see why it crashed. */
  previous?: boolean;
  signal?: AbortSignal;
}

export interface LogLine {
  unit: string;
  service?: string;
  stream: 'stdout' | 'stderr';
  text: string;
  timestamp?: string;
}

/** Options of stop, start and remove. */
export interface OperationOptions {
  /** Cancels the operation (what it already changed stays changed; the deployment lock is released). */
  signal?: AbortSignal;
}

export interface RemoveOptions extends OperationOptions {
  deleteData?: boolean;
}

export interface RemoveResult {
  removed: string[];
  kept: string[];
}

export interface Disposable {
  dispose(): void;
}

export interface Target {
  readonly name: string;
  readonly kind: TargetKind;
  /** Whether this target can deploy stacks of this target_type. */
  supports(targetType: string): boolean;
  /** Resolves when the target answers; rejects with a TargetError saying why not. */
  ping(): Promise<void>;
  deploy(stack: RenderedStack, options?: DeployOptions): Promise<DeployResult>;
  list(): Promise<DeploymentSummary[]>;
  status(deploymentName: string): Promise<DeploymentStatus>;
  /** Streams log lines until the logs end, or, with follow, until the signal aborts. */
  logs(deploymentName: string, options: LogOptions, onLine: (line: LogLine) => void): Promise<void>;
  remove(deploymentName: string, options?: RemoveOptions): Promise<RemoveResult>;
  /** Stops a deployment without removing it (containers stopped, workloads scaled to zero); deploy again or start to resume. */
  stop(deploymentName: string, options?: OperationOptions): Promise<void>;
  /** Restarts what stop stopped. */
  start(deploymentName: string, options?: OperationOptions): Promise<void>;
  /** Calls back when deployments on this target change (Docker events, Kubernetes watches, or polling). */
  watch(onChange: () => void): Disposable;
  dispose(): void;
}

/** A deploy that failed at a named step; whatever the deploy had created was removed again. */
export class DeployError extends Error {
  constructor(
    readonly step: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'DeployError';
  }
}

/** A target that cannot be reached or refuses (unreachable, forbidden, expired credentials, not found). */
export class TargetError extends Error {
  constructor(
    readonly target: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

/** Labels on everything a deploy creates; stop, status, logs and remove find resources only through them. */
export const LABELS = {
  managed: 'windflow.managed',
  stack: 'windflow.stack',
  deployment: 'windflow.deployment',
} as const;

export const KUBERNETES_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  stack: 'windflow.io/stack',
  deployment: 'windflow.io/deployment',
} as const;
