/**
 * A Docker engine as a deployment target. Deploys `docker` and `docker_compose` stacks (one strategy module each);
 * status, logs, list and remove find resources only through our labels.
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
  RemoveOptions,
  RemoveResult,
  RenderedStack,
  Target,
  TargetError,
  UnitState,
  UnitStatus,
} from '../target';
import { deployCompose } from './composeStrategy';
import { recentEvents } from './containerActions';
import { checkEngine, connectDocker, connectionProblem, isConnectionError, SecretProvider } from './connection';
import { deployContainer } from './containerStrategy';
import { containerName, removeDeploymentNetworks } from './engine';
import { startContainers, stopContainers } from './lifecycle';
import { engineMessage, statusCodeOf } from './failures';
import { belongsTo, COMPOSE_LABELS, DATA_VOLUMES_LABEL, labelFilter, TARGET_TYPE_LABEL } from './labels';
import { streamLogs } from './logs';
import { DeploymentWatcher } from './watch';

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
): UnitState {
  switch (state) {
    case 'running':
      return health === 'starting' ? 'starting' : 'running';
    case 'restarting':
      return 'starting';
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

/** running: all up (one-shot services may have finished cleanly); failed/stopped: none up; partial otherwise. */
export function overallState(units: Pick<UnitStatus, 'state' | 'health'>[]): DeploymentState {
  const up = units.filter((unit) => unit.state === 'running' || unit.state === 'starting');
  const finishedCleanly = units.filter((unit) => unit.state === 'exited');
  if (up.length === 0) return units.some((unit) => unit.state === 'failed') ? 'failed' : 'stopped';
  const allFine =
    up.length + finishedCleanly.length === units.length && up.every((unit) => unit.health !== 'unhealthy');
  return allFine ? 'running' : 'partial';
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
  ) {}

  get name(): string {
    return this.config.name;
  }

  supports(targetType: string): boolean {
    return targetType === 'docker' || targetType === 'docker_compose';
  }

  /** The connected client; the first call checks that the engine answers and is recent enough. */
  private docker(): Promise<Docker> {
    if (!this.connection) {
      this.connection = (async () => {
        const docker = await connectDocker(this.config, this.secrets);
        await checkEngine(docker, this.config);
        return docker;
      })();
      // A failed connection is retried on the next call rather than cached.
      this.connection.catch(() => (this.connection = undefined));
    }
    return this.connection;
  }

  /** Runs an engine call, turning "cannot reach the engine" into a TargetError that says why. */
  private async engine<T>(work: (docker: Docker) => Promise<T>): Promise<T> {
    const docker = await this.docker();
    try {
      return await work(docker);
    } catch (error) {
      if (isConnectionError(error)) throw connectionProblem(this.config, error);
      throw error;
    }
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
    await this.docker();
  }

  async deploy(stack: RenderedStack, options: DeployOptions = {}): Promise<DeployResult> {
    if (!this.supports(stack.targetType)) {
      const reason =
        stack.targetType === 'docker_swarm'
          ? 'docker_swarm stacks are not deployed by WindFlow Stacks yet: deploy the template as docker_compose, or use `docker stack deploy`'
          : `a Docker target cannot deploy target_type '${stack.targetType}'`;
      throw new DeployError('prepare', reason);
    }
    let docker: Docker;
    try {
      options.onProgress?.({ step: 'connect', message: `connecting to ${this.name}` });
      docker = await this.docker();
    } catch (error) {
      throw new DeployError('connect', `engine unreachable: ${(error as Error).message}`, error);
    }
    return stack.targetType === 'docker'
      ? deployContainer(docker, stack, options)
      : deployCompose(docker, stack, options);
  }

  private async containersOf(docker: Docker, deploymentName?: string): Promise<Docker.ContainerInfo[]> {
    const containers = await docker.listContainers({ all: true, filters: labelFilter(deploymentName) });
    return containers.filter((info) => info.Labels[LABELS.managed] === 'true');
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
      // `docker ps` text does not say whether a killed container ran out of memory: ask only about those.
      const oomKilled = new Map<string, boolean>();
      await Promise.all(
        containers
          .filter((info) => exitCodeFromStatus(info.Status) === KILLED_EXIT_CODE)
          .map(async (info) => {
            try {
              oomKilled.set(info.Id, (await docker.getContainer(info.Id).inspect()).State.OOMKilled);
            } catch (error) {
              // Removed since the listing: it counts as the listing saw it.
              if (statusCodeOf(error) !== 404) throw error;
            }
          }),
      );
      return [...groups]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([deploymentName, containers]) => ({
          deploymentName,
          stackName: containers[0].Labels[LABELS.stack],
          targetType: containers[0].Labels[TARGET_TYPE_LABEL],
          state: overallState(
            containers.map((info) => ({
              state: unitState(
                info.State,
                exitCodeFromStatus(info.Status),
                healthFromStatus(info.Status),
                oomKilled.get(info.Id),
              ),
              health: healthFromStatus(info.Status),
            })),
          ),
          unitCount: containers.length,
        }));
    });
  }

  async status(deploymentName: string): Promise<DeploymentStatus> {
    return this.engine(async (docker) => {
      const containers = await this.requireContainers(docker, deploymentName);
      const units = await Promise.all(
        containers.map(async (info): Promise<UnitStatus> => {
          const inspected = await docker.getContainer(info.Id).inspect();
          const health = inspected.State.Health?.Status;
          const unit: UnitStatus = {
            id: info.Id,
            name: containerName(info),
            service: info.Labels[COMPOSE_LABELS.service],
            kind: 'container',
            state: unitState(inspected.State.Status, inspected.State.ExitCode, health, inspected.State.OOMKilled),
            restarts: inspected.RestartCount,
            ports: formatPorts(info.Ports),
            createdAt: new Date(inspected.Created),
            image: info.Image,
          };
          if (health === 'healthy' || health === 'unhealthy' || health === 'starting') unit.health = health;
          if (inspected.State.Status === 'exited') unit.reason = `exited with code ${inspected.State.ExitCode}`;
          if (inspected.State.Error) unit.reason = inspected.State.Error;
          return unit;
        }),
      );
      units.sort((a, b) => a.name.localeCompare(b.name));
      return {
        deploymentName,
        stackName: containers[0].Labels[LABELS.stack],
        targetType: containers[0].Labels[TARGET_TYPE_LABEL],
        state: overallState(units),
        units,
        events: await recentEvents(docker, deploymentName, RECENT_EVENTS_SECONDS),
      };
    });
  }

  async logs(deploymentName: string, options: LogOptions, onLine: (line: LogLine) => void): Promise<void> {
    return this.engine(async (docker) => {
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
    return this.engine(async (docker) => {
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
      for (const volume of [...ourVolumes].sort()) {
        if (!options.deleteData) {
          kept.push(`volume ${volume} (kept; --delete-data removes it)`);
          continue;
        }
        try {
          await docker.getVolume(volume).remove();
          removed.push(`volume ${volume}`);
        } catch (error) {
          if (statusCodeOf(error) !== 404) kept.push(`volume ${volume}: ${engineMessage(error)}`);
        }
      }
      // target_parameters.volumes may name volumes this deployment did not create: those are never deleted.
      if (options.deleteData)
        for (const volume of [...dataVolumes].filter((name) => !ourVolumes.has(name)).sort())
          if (await volumeExists(docker, volume)) kept.push(`volume ${volume} (not created by WindFlow, left alone)`);
      removed.sort((a, b) => rankKind(a) - rankKind(b) || a.localeCompare(b));
      return { removed, kept };
    });
  }

  async stop(deploymentName: string): Promise<void> {
    return this.engine(async (docker) => {
      const failures = await stopContainers(docker, await this.requireContainers(docker, deploymentName));
      if (failures.length > 0)
        throw new TargetError(this.name, `could not stop all of '${deploymentName}': ${failures.join('; ')}`);
    });
  }

  async start(deploymentName: string): Promise<void> {
    return this.engine(async (docker) => {
      const failures = await startContainers(docker, await this.requireContainers(docker, deploymentName));
      if (failures.length > 0)
        throw new TargetError(this.name, `could not start all of '${deploymentName}': ${failures.join('; ')}`);
    });
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

function exitCodeFromStatus(status: string): number | undefined {
  const match = /^Exited \((-?\d+)\)/.exec(status);
  return match ? Number(match[1]) : undefined;
}
