/**
 * A Docker engine as a deployment target. Deploys `docker`, `docker_compose` and (on a swarm manager)
 * `docker_swarm` stacks, one strategy module each; status, logs, list and remove find resources only through our
 * labels, and hand deployments made of Swarm services to the Swarm module.
 */
import type Docker from 'dockerode';
import { didYouMean } from '../../../../server/src/stack/suggest';
import {
  DeployError,
  DeploymentState,
  DeploymentStatus,
  DeploymentSummary,
  DeployOptions,
  DeployResult,
  Disposable,
  DockerTargetConfig,
  LABELS,
  LogLine,
  LogOptions,
  OperationOptions,
  RemoveOptions,
  RemoveResult,
  RenderedStack,
  Target,
  TargetError,
  TargetOptions,
  UnitState,
  UnitStatus,
} from '../target';
import { cancellable, DEFAULT_CALL_DEADLINE_MS, isCancellation } from '../deadline';
import { LockBusyError, withLock } from '../lock';
import { deployCompose } from './composeStrategy';
import { recentEvents } from './containerActions';
import {
  checkEngine,
  connectDocker,
  connectionProblem,
  describeEndpoint,
  isConnectionError,
  SecretProvider,
} from './connection';
import { deployContainer } from './containerStrategy';
import { containerName, removeDeploymentNetworks, removeVolumes } from './engine';
import { startContainers, stopContainers } from './lifecycle';
import { applyDeadlines } from './deadlines';
import { DockerLockStore } from './engineLock';
import { engineMessage, explainFailure, statusCodeOf } from './failures';
import {
  belongsTo,
  COMPOSE_LABELS,
  DATA_VOLUMES_LABEL,
  labelFilter,
  SWARM_SERVICE_ID_LABEL,
  TARGET_TYPE_LABEL,
} from './labels';
import { streamLogs } from './logs';
import { listSwarmDeployments, removeSwarm, startSwarm, stopSwarm, swarmLogs, swarmStatus } from './swarmDeployment';
import { deploymentServices } from './swarmEngine';
import { deploySwarm } from './swarmStrategy';
import { DeploymentWatcher } from './watch';

/** A container its restart policy brought back within this window counts as restarting, even while it is up. */
export const RESTART_WINDOW_MS = 60_000;

/** Whether the engine restarted this container (after its process died) within RESTART_WINDOW_MS. */
export function restartedRecently(info: Pick<Docker.ContainerInspectInfo, 'RestartCount' | 'State'>): boolean {
  return info.RestartCount > 0 && Date.now() - Date.parse(info.State.StartedAt) < RESTART_WINDOW_MS;
}

/** Exit codes of a main process ended by SIGTERM (128 + 15) and by SIGKILL (128 + 9). */
const TERMINATED_EXIT_CODE = 143;
/** How far back a status reads the engine's events about the deployment. */
const RECENT_EVENTS_SECONDS = 3600;
const KILLED_EXIT_CODE = 137;

/**
 * Maps the engine's container state (plus health and exit code) to ours. A process ended by the stop signal was
 * stopped, not failed; so was one killed when it ignored that signal, unless the engine says memory ran out (with
 * `oomKilled` unknown, a kill counts as a failure).
 */
export function unitState(
  state: string,
  exitCode: number | undefined,
  health: string | undefined,
  oomKilled?: boolean,
  restartedRecently = false,
): UnitState {
  switch (state) {
    case 'running':
      // Up right now, but only since its process died moments ago: it is crash-looping, not running.
      if (restartedRecently) return 'restarting';
      return health === 'starting' ? 'starting' : 'running';
    case 'restarting':
      return 'restarting';
    case 'created':
      return 'pending';
    case 'exited':
      if (exitCode === 0) return 'exited';
      if (exitCode === TERMINATED_EXIT_CODE || (exitCode === KILLED_EXIT_CODE && oomKilled === false)) return 'stopped';
      return 'failed';
    case 'dead':
      return 'failed';
    case 'paused':
    case 'removing':
      return 'stopped';
    default:
      return 'unknown';
  }
}

type UnitSummary = Pick<UnitStatus, 'state' | 'health' | 'oneShot' | 'exitCode'>;

/** Up, healthy where checked, or a one-shot job that finished with 0. */
function unitFine(unit: UnitSummary): boolean {
  if (unit.state === 'exited') return unit.oneShot === true;
  return (unit.state === 'running' || unit.state === 'starting') && unit.health !== 'unhealthy';
}

/** A unit that ended on its own (not stopped on purpose) and is not a finished one-shot job. */
function unitEnded(unit: UnitSummary): boolean {
  return unit.state === 'failed' || (unit.state === 'exited' && unit.oneShot !== true);
}

/** `running` only when every unit is fine; otherwise says what is wrong (see DeploymentState). */
export function overallState(units: UnitSummary[]): DeploymentState {
  if (units.length === 0) return 'stopped';
  if (units.some((unit) => unit.state === 'restarting')) return 'restarting';
  if (units.every(unitFine)) return 'running';
  const up = units.filter((unit) => unit.state === 'running' || unit.state === 'starting');
  // Nothing up: containers ended by `stop` exit with 0 (or the stop signal's code), so only an error code says "exited".
  if (up.length === 0) return units.some((unit) => unit.state === 'failed') ? 'exited' : 'stopped';
  if (up.some((unit) => unit.health === 'unhealthy')) return 'unhealthy';
  return 'partial';
}

/** The exit code an `exited` deployment reports: that of the first unit that ended on its own. */
export function endedExitCode(units: UnitSummary[]): number | undefined {
  return (units.find((unit) => unit.state === 'failed') ?? units.find(unitEnded))?.exitCode;
}

/**
 * Compose services some other service waits for with service_completed_successfully, read back from the
 * com.docker.compose.depends_on labels ("migrate:service_completed_successfully:false,…").
 */
export function oneShotServices(containers: { Labels: Record<string, string> }[]): Set<string> {
  const services = new Set<string>();
  for (const info of containers)
    for (const entry of (info.Labels[COMPOSE_LABELS.dependsOn] ?? '').split(',')) {
      const [service, condition] = entry.split(':');
      if (condition === 'service_completed_successfully') services.add(service);
    }
  return services;
}

function formatPorts(ports: Docker.Port[]): string[] {
  const shown = ports.map((port) =>
    port.PublicPort
      ? `${port.IP ? `${port.IP}:` : ''}${port.PublicPort}->${port.PrivatePort}/${port.Type}`
      : `${port.PrivatePort}/${port.Type}`,
  );
  return [...new Set(shown)].sort();
}

export class DockerTarget implements Target {
  readonly kind = 'docker' as const;
  private connection?: Promise<Docker>;
  private readonly watchers = new Set<Disposable>();

  constructor(
    readonly config: DockerTargetConfig,
    private readonly secrets?: SecretProvider,
    private readonly options: TargetOptions = {},
  ) {}

  get name(): string {
    return this.config.name;
  }

  supports(targetType: string): boolean {
    return targetType === 'docker' || targetType === 'docker_compose' || targetType === 'docker_swarm';
  }

  /** The connected client; the first call checks that the engine answers and is recent enough. */
  private docker(): Promise<Docker> {
    if (!this.connection) {
      this.connection = (async () => {
        const docker = await connectDocker(this.config, this.secrets);
        applyDeadlines(docker, {
          callMs: this.options.callDeadlineMs ?? DEFAULT_CALL_DEADLINE_MS,
          what: describeEndpoint(this.config),
        });
        await checkEngine(docker, this.config, this.options.signal);
        return docker;
      })();
      // A failed connection is retried on the next call rather than cached.
      this.connection.catch(() => (this.connection = undefined));
    }
    return this.connection;
  }

  /**
   * Runs engine calls under the target's cancellation signal, turning "cannot reach the engine" and "did not answer
   * in time" into a TargetError that says why.
   */
  private engine<T>(work: (docker: Docker) => Promise<T>): Promise<T> {
    return cancellable(this.options.signal, async () => {
      try {
        return await work(await this.docker());
      } catch (error) {
        if (isConnectionError(error)) throw connectionProblem(this.config, error);
        throw error;
      }
    });
  }

  /** Like engine(), holding the deployment's lock: one deploy, stop, start or remove of a deployment at a time. */
  private locked<T>(
    deploymentName: string,
    operation: string,
    signal: AbortSignal | undefined,
    work: (docker: Docker) => Promise<T>,
  ): Promise<T> {
    return this.engine((docker) =>
      withLock(new DockerLockStore(docker), { deploymentName, operation }, async (lost) => {
        try {
          return await cancellable(anySignal(this.options.signal, signal, lost), () => work(docker));
        } catch (error) {
          if (lost.aborted) throw new TargetError(this.name, (lost.reason as Error).message, error);
          throw error;
        }
      }).catch((error: unknown) => {
        if (error instanceof LockBusyError) throw new TargetError(this.name, error.message, error);
        throw error;
      }),
    );
  }

  /** The engine of this target for container actions (containerActions.ts), with the same error mapping. */
  withEngine<T>(work: (docker: Docker) => Promise<T>): Promise<T> {
    return this.engine(work);
  }

  /** The address of the engine (for the published ports' host name). */
  get host(): string {
    return this.config.host;
  }

  async ping(): Promise<void> {
    await this.engine(() => Promise.resolve());
  }

  async deploy(stack: RenderedStack, options: DeployOptions = {}): Promise<DeployResult> {
    if (!this.supports(stack.targetType))
      throw new DeployError('prepare', `a Docker target cannot deploy target_type '${stack.targetType}'`);
    let docker: Docker;
    try {
      options.onProgress?.({ step: 'connect', message: `connecting to ${this.name}` });
      docker = await cancellable(options.signal, () => this.docker());
    } catch (error) {
      if (isCancellation(error)) throw new DeployError('connect', 'the deploy was cancelled', error);
      throw new DeployError('connect', `engine unreachable: ${(error as Error).message}`, error);
    }
    const asSwarm = stack.targetType === 'docker_swarm' || (stack.targetType === 'docker_compose' && this.config.swarm);
    const strategy = asSwarm ? deploySwarm : stack.targetType === 'docker' ? deployContainer : deployCompose;
    const lockRequest = { deploymentName: stack.deploymentName, operation: 'deploy' };
    return cancellable(options.signal, async () => {
      try {
        return await withLock(new DockerLockStore(docker), lockRequest, (lost) => {
          // Every engine call of the deploy is cancelled with it, or when the lock is lost under it.
          const signal = anySignal(options.signal, lost);
          return cancellable(signal, () => strategy(docker, stack, { ...options, signal }));
        });
      } catch (error) {
        if (error instanceof LockBusyError) throw new DeployError('lock', error.message, error);
        if (error instanceof DeployError) throw error;
        throw explainFailure('lock', error);
      }
    });
  }

  /** The deployment's containers; those Swarm runs for services belong to the Swarm deployment instead. */
  private async containersOf(docker: Docker, deploymentName?: string): Promise<Docker.ContainerInfo[]> {
    const containers = await docker.listContainers({ all: true, filters: labelFilter(deploymentName) });
    return containers.filter((info) => info.Labels[LABELS.managed] === 'true' && !info.Labels[SWARM_SERVICE_ID_LABEL]);
  }

  private async requireContainers(docker: Docker, deploymentName: string): Promise<Docker.ContainerInfo[]> {
    const containers = await this.containersOf(docker, deploymentName);
    if (containers.length > 0) return containers;
    const known = [...new Set((await this.containersOf(docker)).map((info) => info.Labels[LABELS.deployment]))];
    throw new TargetError(
      this.name,
      `no deployment named '${deploymentName}' on ${this.name}${didYouMean(deploymentName, known)}`,
    );
  }

  async list(): Promise<DeploymentSummary[]> {
    return this.engine(async (docker) => {
      const containers = await this.containersOf(docker);
      const groups = new Map<string, Docker.ContainerInfo[]>();
      for (const info of containers) {
        const name = info.Labels[LABELS.deployment];
        if (name) groups.set(name, [...(groups.get(name) ?? []), info]);
      }
      // `docker ps` text does not say whether a killed container ran out of memory, nor whether a container up for
      // seconds was just restarted after a crash: ask only about those.
      const oomKilled = new Map<string, boolean>();
      const restarted = new Set<string>();
      await Promise.all(
        containers
          .filter((info) => exitCodeFromStatus(info.Status) === KILLED_EXIT_CODE || upBriefly(info.Status))
          .map(async (info) => {
            try {
              const inspected = await docker.getContainer(info.Id).inspect();
              oomKilled.set(info.Id, inspected.State.OOMKilled);
              if (restartedRecently(inspected)) restarted.add(info.Id);
            } catch (error) {
              // Removed since the listing: it counts as the listing saw it.
              if (statusCodeOf(error) !== 404) throw error;
            }
          }),
      );
      const swarm = await listSwarmDeployments(docker, await deploymentServices(docker));
      const fromContainers = [...groups].map(([deploymentName, containers]) => {
        const oneShots = oneShotServices(containers);
        const units = containers.map((info) => ({
          state: unitState(
            info.State,
            exitCodeFromStatus(info.Status),
            healthFromStatus(info.Status),
            oomKilled.get(info.Id),
            restarted.has(info.Id),
          ),
          health: healthFromStatus(info.Status),
          exitCode: exitCodeFromStatus(info.Status),
          oneShot: oneShots.has(info.Labels[COMPOSE_LABELS.service]),
        }));
        const state = overallState(units);
        const summary: DeploymentSummary = {
          deploymentName,
          stackName: containers[0].Labels[LABELS.stack],
          targetType: containers[0].Labels[TARGET_TYPE_LABEL],
          state,
          unitCount: containers.length,
        };
        if (state === 'exited') summary.exitCode = endedExitCode(units);
        return summary;
      });
      return [...fromContainers, ...swarm].sort((a, b) => a.deploymentName.localeCompare(b.deploymentName));
    });
  }

  async status(deploymentName: string): Promise<DeploymentStatus> {
    return this.engine(async (docker) => {
      const services = await deploymentServices(docker, deploymentName);
      if (services.length > 0) return swarmStatus(docker, deploymentName, services);
      const containers = await this.requireContainers(docker, deploymentName);
      const oneShots = oneShotServices(containers);
      const units = await Promise.all(
        containers.map(async (info): Promise<UnitStatus> => {
          const inspected = await docker.getContainer(info.Id).inspect();
          const health = inspected.State.Health?.Status;
          const unit: UnitStatus = {
            id: info.Id,
            name: containerName(info),
            service: info.Labels[COMPOSE_LABELS.service],
            kind: 'container',
            state: unitState(
              inspected.State.Status,
              inspected.State.ExitCode,
              health,
              inspected.State.OOMKilled,
              restartedRecently(inspected),
            ),
            restarts: inspected.RestartCount,
            ports: formatPorts(info.Ports),
            createdAt: new Date(inspected.Created),
            image: info.Image,
          };
          if (health === 'healthy' || health === 'unhealthy' || health === 'starting') unit.health = health;
          if (oneShots.has(info.Labels[COMPOSE_LABELS.service])) unit.oneShot = true;
          if (inspected.State.Status === 'exited' || unit.state === 'restarting') {
            unit.exitCode = inspected.State.ExitCode;
            unit.reason =
              unit.state === 'restarting'
                ? `restarting: its last run exited with code ${inspected.State.ExitCode}`
                : `exited with code ${inspected.State.ExitCode}`;
          }
          if (inspected.State.Error) unit.reason = inspected.State.Error;
          return unit;
        }),
      );
      units.sort((a, b) => a.name.localeCompare(b.name));
      const status: DeploymentStatus = {
        deploymentName,
        stackName: containers[0].Labels[LABELS.stack],
        targetType: containers[0].Labels[TARGET_TYPE_LABEL],
        state: overallState(units),
        units,
        events: await recentEvents(docker, deploymentName, RECENT_EVENTS_SECONDS),
      };
      if (status.state === 'exited') status.exitCode = endedExitCode(units);
      return status;
    });
  }

  async logs(deploymentName: string, options: LogOptions, onLine: (line: LogLine) => void): Promise<void> {
    return this.engine(async (docker) => {
      const services = await deploymentServices(docker, deploymentName);
      if (services.length > 0) return this.swarmLogs(docker, deploymentName, services, options, onLine);
      const containers = await this.requireContainers(docker, deploymentName);
      const sources = containers
        .map((info) => ({ id: info.Id, unit: containerName(info), service: info.Labels[COMPOSE_LABELS.service] }))
        .sort((a, b) => a.unit.localeCompare(b.unit));
      let chosen = sources;
      if (options.service !== undefined) {
        chosen = sources.filter((source) => source.service === options.service || source.unit === options.service);
        if (chosen.length === 0) {
          const names = sources.map((source) => source.service ?? source.unit);
          throw new TargetError(
            this.name,
            `deployment '${deploymentName}' has no service '${options.service}'${didYouMean(options.service, names)} (services: ${names.join(', ')})`,
          );
        }
      }
      await streamLogs(docker, chosen, options, onLine);
    });
  }

  async remove(deploymentName: string, options: RemoveOptions = {}): Promise<RemoveResult> {
    return this.locked(deploymentName, 'remove', options.signal, async (docker) => {
      const services = await deploymentServices(docker, deploymentName);
      if (services.length > 0) return removeSwarm(docker, deploymentName, services, options.deleteData === true);
      const containers = await this.containersOf(docker, deploymentName);
      const volumes = ((await docker.listVolumes({ filters: labelFilter(deploymentName) })).Volumes ?? []).filter((v) =>
        belongsTo(v.Labels, deploymentName),
      );
      const networks = (await docker.listNetworks({ filters: labelFilter(deploymentName) })).filter((n) =>
        belongsTo(n.Labels, deploymentName),
      );
      // Nothing of it left at all: say so (with a did-you-mean) rather than report an empty removal.
      if (containers.length === 0 && networks.length === 0 && volumes.length === 0)
        await this.requireContainers(docker, deploymentName);
      const dataVolumes = new Set(containers.flatMap((info) => parseDataVolumes(info.Labels[DATA_VOLUMES_LABEL])));
      const removed: string[] = [];
      const kept: string[] = [];
      await Promise.all(
        containers
          .filter((info) => belongsTo(info.Labels, deploymentName))
          .map(async (info) => {
            const container = docker.getContainer(info.Id);
            try {
              if (info.State === 'running') await container.stop().catch(ignoreGone);
              await container.remove({ force: true, v: options.deleteData === true });
              removed.push(`container ${containerName(info)}`);
            } catch (error) {
              if (statusCodeOf(error) !== 404) kept.push(`container ${containerName(info)}: ${engineMessage(error)}`);
            }
          }),
      );
      const networkResult = await removeDeploymentNetworks(docker, deploymentName);
      removed.push(...networkResult.removed.sort());
      kept.push(...networkResult.kept);
      const ourVolumes = new Set(volumes.map((v) => v.Name));
      await removeVolumes(docker, ourVolumes, options.deleteData, { removed, kept });
      // target_parameters.volumes may name volumes this deployment did not create: those are never deleted.
      if (options.deleteData)
        for (const volume of [...dataVolumes].filter((name) => !ourVolumes.has(name)).sort())
          if (await volumeExists(docker, volume)) kept.push(`volume ${volume} (not created by WindFlow, left alone)`);
      removed.sort((a, b) => rankKind(a) - rankKind(b) || a.localeCompare(b));
      return { removed, kept };
    });
  }

  async stop(deploymentName: string, options: OperationOptions = {}): Promise<void> {
    return this.locked(deploymentName, 'stop', options.signal, async (docker) => {
      const services = await deploymentServices(docker, deploymentName);
      const failures = services.length
        ? await stopSwarm(docker, services)
        : await stopContainers(docker, await this.requireContainers(docker, deploymentName));
      if (failures.length > 0)
        throw new TargetError(this.name, `could not stop all of '${deploymentName}': ${failures.join('; ')}`);
    });
  }

  async start(deploymentName: string, options: OperationOptions = {}): Promise<void> {
    return this.locked(deploymentName, 'start', options.signal, async (docker) => {
      const services = await deploymentServices(docker, deploymentName);
      const failures = services.length
        ? await startSwarm(docker, services)
        : await startContainers(docker, await this.requireContainers(docker, deploymentName));
      if (failures.length > 0)
        throw new TargetError(this.name, `could not start all of '${deploymentName}': ${failures.join('; ')}`);
    });
  }

  /** A service filter picks one service by its stack key ("web") or its full name. */
  private async swarmLogs(
    docker: Docker,
    deploymentName: string,
    services: Docker.Service[],
    options: LogOptions,
    onLine: (line: LogLine) => void,
  ): Promise<void> {
    const keys = services.map((service) => (service.Spec?.Name ?? '').slice(deploymentName.length + 1)).sort();
    const chosen =
      options.service === undefined
        ? services
        : services.filter(
            (service) =>
              service.Spec?.Name === options.service || service.Spec?.Name === `${deploymentName}_${options.service}`,
          );
    if (chosen.length === 0) {
      const service = options.service as string;
      throw new TargetError(
        this.name,
        `deployment '${deploymentName}' has no service '${service}'${didYouMean(service, keys)} (services: ${keys.join(', ')})`,
      );
    }
    await swarmLogs(docker, deploymentName, chosen, options, onLine);
  }

  watch(onChange: () => void): Disposable {
    const watcher = new DeploymentWatcher(
      () => this.docker(),
      () => this.list(),
      onChange,
    );
    const disposable = {
      dispose: () => {
        watcher.dispose();
        this.watchers.delete(disposable);
      },
    };
    this.watchers.add(disposable);
    return disposable;
  }

  dispose(): void {
    for (const watcher of [...this.watchers]) watcher.dispose();
  }
}

/** Aborts when any of the given signals does. */
function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((signal): signal is AbortSignal => signal !== undefined));
}

function rankKind(entry: string): number {
  return entry.startsWith('container') ? 0 : entry.startsWith('network') ? 1 : 2;
}

function ignoreGone(error: unknown): void {
  // 304: already stopped; 404: already gone.
  if (statusCodeOf(error) !== 304 && statusCodeOf(error) !== 404) throw error;
}

async function volumeExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch {
    return false;
  }
}

function parseDataVolumes(label: string | undefined): string[] {
  if (!label) return [];
  try {
    const parsed: unknown = JSON.parse(label);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** `docker ps` status text carries health ("Up 2 minutes (healthy)"), so list() needs no inspect per container. */
function healthFromStatus(status: string): UnitStatus['health'] {
  const match = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (!match) return undefined;
  return match[1] === 'health: starting' ? 'starting' : (match[1] as 'healthy' | 'unhealthy');
}

/** "Up 3 seconds", "Up Less than a second", "Up About a minute": started within about a minute. */
function upBriefly(status: string): boolean {
  return /^Up (Less than a second|\d+ seconds|About a minute)/.test(status);
}

function exitCodeFromStatus(status: string): number | undefined {
  const match = /^Exited \((-?\d+)\)/.exec(status);
  return match ? Number(match[1]) : undefined;
}
