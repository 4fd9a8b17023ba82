/**
 * Engine calls the Swarm strategy and the Swarm deployment views share: is this engine a manager, which services,
 * tasks, networks, configs and secrets are a deployment's (only through our labels), and taking them away again.
 */
import type Docker from 'dockerode';
import { sleep } from '../deadline';
import { DeployError, LABELS } from '../target';
import { engineMessage, statusCodeOf } from './failures';
import { belongsTo, labelFilter } from './labels';

export const NOT_A_MANAGER = 'this engine is not a swarm manager; run `docker swarm init` or pick a manager';

/** The parts of a Swarm task we read (dockerode leaves tasks untyped). */
export interface SwarmTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt: string;
  UpdatedAt?: string;
  DesiredState: string;
  Status: {
    State: string;
    Message?: string;
    Err?: string;
    Timestamp?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    PortStatus?: { Ports?: Docker.PortConfig[] };
  };
}

const POLL_MS = 250;
const TASKS_GONE_MS = 60_000;
/** How long a removal that the engine refuses as "in use" is retried: Swarm frees networks asynchronously. */
const IN_USE_RETRY_MS = 30_000;

/**
 * Fails unless the engine manages an active swarm (only a manager takes services); returns the engine's clock, which
 * task times are measured on.
 */
export async function requireManager(docker: Docker): Promise<number> {
  const info = (await docker.info()) as {
    Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
    SystemTime?: string;
  };
  if (info.Swarm?.LocalNodeState !== 'active' || info.Swarm.ControlAvailable !== true)
    throw new DeployError('connect', NOT_A_MANAGER);
  return Date.parse(info.SystemTime ?? '') || Date.now();
}

/** The services of one deployment (or of all of ours), by our labels; [] on an engine that is not a manager. */
export async function deploymentServices(docker: Docker, deploymentName?: string): Promise<Docker.Service[]> {
  let services: Docker.Service[];
  try {
    services = await docker.listServices({ filters: labelFilter(deploymentName), status: true });
  } catch (error) {
    // 503: this node is not a swarm manager, so it has no services of ours.
    if (statusCodeOf(error) === 503) return [];
    throw error;
  }
  return services.filter((service) =>
    deploymentName === undefined
      ? service.Spec?.Labels?.[LABELS.managed] === 'true'
      : belongsTo(service.Spec?.Labels, deploymentName),
  );
}

export async function tasksOf(docker: Docker, serviceIds: string[]): Promise<SwarmTask[]> {
  if (serviceIds.length === 0) return [];
  return (await docker.listTasks({ filters: { service: serviceIds } })) as SwarmTask[];
}

/** The key a service has in its stack: `<stack>_web` → `web`. */
export function serviceKey(service: Docker.Service, namespace: string): string {
  const name = service.Spec?.Name ?? service.ID;
  return name.startsWith(`${namespace}_`) ? name.slice(namespace.length + 1) : name;
}

export async function ourConfigs(docker: Docker, deploymentName: string): Promise<Docker.ConfigInfo[]> {
  const configs = await docker.listConfigs({ filters: labelFilter(deploymentName) });
  return configs.filter((config) => belongsTo(config.Spec?.Labels, deploymentName));
}

export async function ourSecrets(docker: Docker, deploymentName: string): Promise<Docker.Secret[]> {
  const secrets = await docker.listSecrets({ filters: labelFilter(deploymentName) });
  return secrets.filter((secret) => belongsTo(secret.Spec?.Labels, deploymentName));
}

/**
 * Removes services and waits until their task containers are gone: networks and volumes they used can only be
 * removed after that. Returns what could not be removed.
 */
export async function removeServices(
  docker: Docker,
  services: { id: string; name: string }[],
  removed: string[],
): Promise<string[]> {
  const kept: string[] = [];
  await Promise.all(
    services.map(async (service) => {
      try {
        await docker.getService(service.id).remove();
        removed.push(`service ${service.name}`);
      } catch (error) {
        if (statusCodeOf(error) !== 404) kept.push(`service ${service.name}: ${engineMessage(error)}`);
      }
    }),
  );
  // Gone means: Swarm has dropped the tasks (and with them their network attachments) and their containers.
  const ids = new Set(services.map((service) => service.id));
  const deadline = Date.now() + TASKS_GONE_MS;
  while (ids.size > 0 && Date.now() < deadline) {
    // Not filtered by service: the engine refuses a filter naming a service that no longer exists.
    const tasks = ((await docker.listTasks()) as SwarmTask[]).filter((task) => ids.has(task.ServiceID));
    const containers = await docker.listContainers({ all: true, filters: { label: ['com.docker.swarm.service.id'] } });
    if (tasks.length === 0 && !containers.some((info) => ids.has(info.Labels['com.docker.swarm.service.id']))) break;
    await sleep(POLL_MS);
  }
  return kept;
}

/**
 * Removes networks, then configs and secrets, by id. A network is still in use for a moment after its last task
 * container goes, so that removal is retried briefly.
 */
export async function removeObjects(
  docker: Docker,
  objects: { kind: 'network' | 'config' | 'secret'; id: string; name: string }[],
  removed: string[],
): Promise<string[]> {
  const kept: string[] = [];
  for (const object of objects) {
    const deadline = Date.now() + IN_USE_RETRY_MS;
    for (;;) {
      try {
        if (object.kind === 'network') await docker.getNetwork(object.id).remove();
        else if (object.kind === 'config') await docker.getConfig(object.id).remove();
        else await docker.getSecret(object.id).remove();
        removed.push(`${object.kind} ${object.name}`);
        break;
      } catch (error) {
        if (statusCodeOf(error) === 404) break;
        if (Date.now() > deadline) {
          kept.push(`${object.kind} ${object.name}: ${engineMessage(error)}`);
          break;
        }
        await sleep(POLL_MS);
      }
    }
  }
  return kept;
}
