/**
 * A deployed Swarm stack seen through our labels: list and status (services with their tasks), logs (service logs
 * with each line's `service.slot`), stop (scale to 0, remembering the replicas), start (restore them) and remove.
 */
import type Docker from 'dockerode';
import { sleep } from '../deadline';
import {
  DeploymentState,
  DeploymentStatus,
  DeploymentSummary,
  LABELS,
  LogLine,
  LogOptions,
  RemoveResult,
  UnitState,
  UnitStatus,
} from '../target';
import { removeVolumes } from './engine';
import { engineMessage } from './failures';
import { belongsTo, labelFilter, TARGET_TYPE_LABEL } from './labels';
import { followLogStream, LogLineSplitter, sinceSeconds, splitTimestamp } from './logs';
import { ourConfigs, ourSecrets, removeObjects, removeServices, serviceKey, SwarmTask, tasksOf } from './swarmEngine';
import { STOPPED_REPLICAS_LABEL } from './swarmStrategy';

const STOP_WAIT_MS = 60_000;

/** Swarm task states → ours. */
export function taskState(state: string): UnitState {
  switch (state) {
    case 'running':
      return 'running';
    case 'accepted':
    case 'preparing':
    case 'ready':
    case 'starting':
      return 'starting';
    case 'new':
    case 'allocated':
    case 'pending':
    case 'assigned':
      return 'pending';
    case 'complete':
      return 'exited';
    case 'shutdown':
    case 'remove':
      return 'stopped';
    case 'failed':
    case 'rejected':
    case 'orphaned':
      return 'failed';
    default:
      return 'unknown';
  }
}

interface ServiceCounts {
  desired: number;
  running: number;
  updating: boolean;
  stopped: boolean;
}

function counts(service: Docker.Service): ServiceCounts {
  const replicated = service.Spec?.Mode?.Replicated;
  return {
    desired: replicated ? (replicated.Replicas ?? 1) : (service.ServiceStatus?.DesiredTasks ?? 0),
    running: service.ServiceStatus?.RunningTasks ?? 0,
    updating: service.UpdateStatus?.State === 'updating' || service.UpdateStatus?.State === 'rollback_started',
    stopped: service.Spec?.Labels?.[STOPPED_REPLICAS_LABEL] !== undefined,
  };
}

/**
 * running only when every service converged; stopped when all were stopped and their tasks ended (until then
 * stopping, so Start is not offered while the stop still holds the lock); failed when nothing runs.
 */
export function swarmState(services: ServiceCounts[], anyFailedTask: boolean): DeploymentState {
  if (services.every((service) => service.stopped)) {
    return services.some((service) => service.running > 0) ? 'stopping' : 'stopped';
  }
  if (services.some((service) => service.updating)) return 'deploying';
  if (services.every((service) => service.running >= service.desired)) return 'running';
  if (services.every((service) => service.running === 0) && anyFailedTask) return 'failed';
  return 'partial';
}

/** As `docker ps` prints a published port ("0.0.0.0:8080->80/tcp"): Swarm publishes on every address. */
function formatPort(port: Docker.PortConfig): string {
  const published = port.PublishedPort ? `0.0.0.0:${port.PublishedPort}->` : '';
  return `${published}${port.TargetPort}/${port.Protocol ?? 'tcp'}`;
}

export async function listSwarmDeployments(docker: Docker, services: Docker.Service[]): Promise<DeploymentSummary[]> {
  const groups = new Map<string, Docker.Service[]>();
  for (const service of services) {
    const name = service.Spec?.Labels?.[LABELS.deployment];
    if (name) groups.set(name, [...(groups.get(name) ?? []), service]);
  }
  const failedTasks = new Set(
    (
      await tasksOf(
        docker,
        services.map((service) => service.ID),
      )
    )
      .filter((task) => task.DesiredState === 'running' && taskState(task.Status.State) === 'failed')
      .map((task) => task.ServiceID),
  );
  return [...groups].map(([deploymentName, group]) => ({
    deploymentName,
    stackName: group[0].Spec?.Labels?.[LABELS.stack],
    targetType: group[0].Spec?.Labels?.[TARGET_TYPE_LABEL],
    state: swarmState(
      group.map(counts),
      group.some((service) => failedTasks.has(service.ID)),
    ),
    unitCount: group.reduce((sum, service) => sum + counts(service).desired, 0),
  }));
}

/** The newest task of each slot (replicated) or node (global): what `docker service ps` shows first. */
function currentTasks(tasks: SwarmTask[], desired: number): { task: SwarmTask; earlier: number }[] {
  const bySlot = new Map<string, SwarmTask[]>();
  for (const task of tasks) {
    const slot = task.Slot !== undefined && task.Slot > 0 ? `slot ${task.Slot}` : `node ${task.NodeID ?? ''}`;
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), task]);
  }
  return [...bySlot.values()]
    .map((slotTasks) => {
      const sorted = [...slotTasks].sort((a, b) => b.CreatedAt.localeCompare(a.CreatedAt));
      return { task: sorted[0], earlier: sorted.length - 1 };
    })
    .filter(({ task }) => task.DesiredState !== 'shutdown' || (task.Slot ?? 0) <= desired);
}

export async function swarmStatus(
  docker: Docker,
  deploymentName: string,
  services: Docker.Service[],
): Promise<DeploymentStatus> {
  const tasks = await tasksOf(
    docker,
    services.map((service) => service.ID),
  );
  const nodes = new Map(
    ((await docker.listNodes()) as { ID: string; Description?: { Hostname?: string } }[]).map((node) => [
      node.ID,
      node.Description?.Hostname ?? node.ID.slice(0, 12),
    ]),
  );
  const units: UnitStatus[] = [];
  const workloads: NonNullable<DeploymentStatus['workloads']> = [];
  const sorted = [...services].sort((a, b) => (a.Spec?.Name ?? '').localeCompare(b.Spec?.Name ?? ''));
  for (const service of sorted) {
    const key = serviceKey(service, deploymentName);
    const serviceCounts = counts(service);
    workloads.push({ kind: 'service', name: key, desired: serviceCounts.desired, ready: serviceCounts.running });
    const ingress = (service.Endpoint?.Ports ?? []).filter((port) => port.PublishMode !== 'host').map(formatPort);
    const image = (service.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec?.Image;
    for (const { task, earlier } of currentTasks(
      tasks.filter((candidate) => candidate.ServiceID === service.ID),
      serviceCounts.desired,
    )) {
      const node = task.NodeID ? nodes.get(task.NodeID) : undefined;
      const unit: UnitStatus = {
        id: task.ID,
        name: task.Slot ? `${key}.${task.Slot}` : `${key}.${node ?? task.ID.slice(0, 12)}`,
        service: key,
        kind: 'task',
        state: taskState(task.Status.State),
        restarts: earlier,
        ports: [...new Set([...ingress, ...(task.Status.PortStatus?.Ports ?? []).map(formatPort)])].sort(),
        createdAt: new Date(task.CreatedAt),
        image,
      };
      if (node) unit.node = node;
      const reason = task.Status.Err ?? (task.Status.State !== 'running' ? task.Status.Message : undefined);
      if (reason) unit.reason = reason;
      units.push(unit);
    }
  }
  units.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return {
    deploymentName,
    stackName: services[0].Spec?.Labels?.[LABELS.stack],
    targetType: services[0].Spec?.Labels?.[TARGET_TYPE_LABEL],
    state: swarmState(
      services.map(counts),
      units.some((unit) => unit.state === 'failed'),
    ),
    units,
    workloads,
  };
}

/** "com.docker.swarm.node.id=…,com.docker.swarm.service.id=…,com.docker.swarm.task.id=… text" → task id, text. */
function splitDetails(text: string): { taskId?: string; text: string } {
  if (!text.startsWith('com.docker.swarm.')) return { text };
  const space = text.indexOf(' ');
  const details = space < 0 ? text : text.slice(0, space);
  const taskId = /(?:^|,)com\.docker\.swarm\.task\.id=([^,]+)/.exec(details)?.[1];
  return { taskId, text: space < 0 ? '' : text.slice(space + 1) };
}

async function readServiceLogs(
  docker: Docker,
  service: Docker.Service,
  key: string,
  taskNames: Map<string, string>,
  options: LogOptions,
  emit: (line: LogLine) => void,
): Promise<void> {
  const tty = (service.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec?.TTY === true;
  const splitter = new LogLineSplitter(!tty, (stream, raw) => {
    const { timestamp, text: rest } = splitTimestamp(raw);
    const { taskId, text } = splitDetails(rest);
    const unit = (taskId && taskNames.get(taskId)) ?? `${key}.${(taskId ?? '').slice(0, 12)}`;
    emit({ unit, service: key, stream, text, timestamp });
  });
  const request = {
    stdout: true,
    stderr: true,
    // Timestamps order lines across services; details name the task each line came from.
    timestamps: true,
    details: true,
    since: options.since ? sinceSeconds(options.since) : 0,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
  };
  const api = docker.getService(service.ID);
  if (!options.follow) {
    splitter.push((await api.logs({ ...request, follow: false })) as unknown as Buffer);
    splitter.end();
    return;
  }
  const stream = (await api.logs({
    ...request,
    follow: true,
    abortSignal: options.signal,
  })) as unknown as NodeJS.ReadableStream & { destroy?: () => void };
  await followLogStream(stream, splitter, options.signal);
}

/** Service logs; each line's unit is `service.slot` (global services: `service.<node>`). */
export async function swarmLogs(
  docker: Docker,
  deploymentName: string,
  services: Docker.Service[],
  options: LogOptions,
  onLine: (line: LogLine) => void,
): Promise<void> {
  const tasks = await tasksOf(
    docker,
    services.map((service) => service.ID),
  );
  const taskNames = new Map<string, string>();
  for (const task of tasks) {
    const service = services.find((candidate) => candidate.ID === task.ServiceID) as Docker.Service;
    const key = serviceKey(service, deploymentName);
    taskNames.set(task.ID, task.Slot ? `${key}.${task.Slot}` : `${key}.${(task.NodeID ?? task.ID).slice(0, 12)}`);
  }
  const show = (line: LogLine): void => onLine(options.timestamps ? line : { ...line, timestamp: undefined });
  const read = (emit: (line: LogLine) => void) =>
    Promise.all(
      services.map((service) =>
        readServiceLogs(docker, service, serviceKey(service, deploymentName), taskNames, options, emit),
      ),
    );
  if (options.follow) {
    await read(show);
    return;
  }
  const lines: LogLine[] = [];
  await read((line) => lines.push(line));
  lines.sort((a, b) => (a.timestamp ?? '').localeCompare(b.timestamp ?? ''));
  lines.forEach(show);
}

async function updateService(docker: Docker, service: Docker.Service, change: (spec: Docker.ServiceSpec) => void) {
  const spec = structuredClone(service.Spec ?? {});
  change(spec);
  await docker.getService(service.ID).update({ _query: { version: service.Version?.Index }, _body: spec });
}

/** Scales every replicated service to 0 and remembers its replicas; returns what could not be stopped. */
export async function stopSwarm(docker: Docker, services: Docker.Service[]): Promise<string[]> {
  const failures: string[] = [];
  for (const service of services) {
    const replicated = service.Spec?.Mode?.Replicated;
    if (service.Spec?.Labels?.[STOPPED_REPLICAS_LABEL] !== undefined) continue;
    if (!replicated) {
      failures.push(`${service.Spec?.Name}: a global service cannot be scaled to 0 (remove the deployment instead)`);
      continue;
    }
    try {
      await updateService(docker, service, (spec) => {
        spec.Labels = { ...spec.Labels, [STOPPED_REPLICAS_LABEL]: String(replicated.Replicas ?? 1) };
        spec.Mode = { Replicated: { Replicas: 0 } };
      });
    } catch (error) {
      failures.push(`${service.Spec?.Name}: ${engineMessage(error)}`);
    }
  }
  // Stopped means no task runs any more, not only that Swarm was asked.
  const ids = services.filter((service) => service.Spec?.Mode?.Replicated).map((service) => service.ID);
  const deadline = Date.now() + STOP_WAIT_MS;
  while (Date.now() < deadline) {
    const tasks = await tasksOf(docker, ids);
    if (!tasks.some((task) => task.Status.State === 'running' || task.DesiredState === 'running')) break;
    await sleep(250);
  }
  return failures;
}

/** Restores the replicas stop remembered; returns what could not be started. */
export async function startSwarm(docker: Docker, services: Docker.Service[]): Promise<string[]> {
  const failures: string[] = [];
  for (const service of services) {
    const remembered = service.Spec?.Labels?.[STOPPED_REPLICAS_LABEL];
    if (remembered === undefined) continue;
    try {
      await updateService(docker, service, (spec) => {
        const labels = { ...spec.Labels };
        delete labels[STOPPED_REPLICAS_LABEL];
        spec.Labels = labels;
        spec.Mode = { Replicated: { Replicas: Number(remembered) } };
      });
    } catch (error) {
      failures.push(`${service.Spec?.Name}: ${engineMessage(error)}`);
    }
  }
  return failures;
}

/** Services, networks, configs and secrets; named volumes only with deleteData. */
export async function removeSwarm(
  docker: Docker,
  deploymentName: string,
  services: Docker.Service[],
  deleteData: boolean,
): Promise<RemoveResult> {
  const removed: string[] = [];
  const kept = await removeServices(
    docker,
    services.map((service) => ({ id: service.ID, name: service.Spec?.Name ?? service.ID })),
    removed,
  );
  const networks = (await docker.listNetworks({ filters: labelFilter(deploymentName) })).filter((network) =>
    belongsTo(network.Labels, deploymentName),
  );
  kept.push(
    ...(await removeObjects(
      docker,
      [
        ...networks.map((network) => ({ kind: 'network' as const, id: network.Id, name: network.Name })),
        ...(await ourConfigs(docker, deploymentName)).map((config) => ({
          kind: 'config' as const,
          id: config.ID,
          name: config.Spec?.Name ?? config.ID,
        })),
        ...(await ourSecrets(docker, deploymentName)).map((secret) => ({
          kind: 'secret' as const,
          id: secret.ID,
          name: secret.Spec?.Name ?? secret.ID,
        })),
      ],
      removed,
    )),
  );
  const volumes = ((await docker.listVolumes({ filters: labelFilter(deploymentName) })).Volumes ?? []).filter((v) =>
    belongsTo(v.Labels, deploymentName),
  );
  await removeVolumes(
    docker,
    volumes.map((v) => v.Name),
    deleteData,
    { removed, kept },
  );
  return { removed, kept };
}
