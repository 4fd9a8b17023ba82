/**
 * The engine steps both Docker strategies share: networks and volumes created on demand (with our labels), containers
 * created and attached, health and completion waits, and taking an old deployment's containers away on redeploy.
 */
import type Docker from 'dockerode';
import { sleep } from '../deadline';
import { DeployError, DeployProgress, LABELS } from '../target';
import { ContainerSpec } from './containerSpec';
import { containerProblem, lastLogLines } from './converge';
import { CreatedResources, engineMessage, statusCodeOf } from './failures';
import { belongsTo, labelFilter, SWARM_SERVICE_ID_LABEL } from './labels';

const POLL_INTERVAL_MS = 250;

export interface NetworkRequest {
  name: string;
  labels: Record<string, string>;
  driver?: string;
  /** Declared `external: true`: must exist already and is never created. */
  external?: boolean;
}

/** Says so when a deploy uses an existing network or volume that another deployment (or someone else) made. */
function noteReuse(
  kind: 'network' | 'volume',
  name: string,
  labels: Record<string, string> | null | undefined,
  request: { labels: Record<string, string> },
  report: (progress: DeployProgress) => void,
): void {
  const deployment = request.labels[LABELS.deployment];
  if (!belongsTo(labels, deployment))
    report({
      step: `create ${kind}s`,
      message: `using the existing ${kind} ${name}, which this deployment did not create`,
    });
}

/** Reuses the network when it exists (it is then not ours to remove), creates it with our labels otherwise. */
export async function ensureNetwork(
  docker: Docker,
  request: NetworkRequest,
  created: CreatedResources,
  report: (progress: DeployProgress) => void,
): Promise<void> {
  try {
    const existing = await docker.getNetwork(request.name).inspect();
    noteReuse('network', request.name, existing.Labels, request, report);
    return;
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw error;
  }
  if (request.external)
    throw new DeployError('create networks', `network ${request.name} is declared external but does not exist`);
  const network = await docker.createNetwork({
    Name: request.name,
    Driver: request.driver ?? 'bridge',
    Labels: request.labels,
    CheckDuplicate: true,
  });
  created.network(network.id, request.name);
}

export interface VolumeRequest {
  name: string;
  labels: Record<string, string>;
  driver?: string;
  external?: boolean;
}

/** Like ensureNetwork: an existing volume keeps its data and is never counted as created by this deploy. */
export async function ensureVolume(
  docker: Docker,
  request: VolumeRequest,
  created: CreatedResources,
  report: (progress: DeployProgress) => void,
): Promise<void> {
  try {
    const existing = await docker.getVolume(request.name).inspect();
    noteReuse('volume', request.name, existing.Labels, request, report);
    return;
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw error;
  }
  if (request.external)
    throw new DeployError('create volumes', `volume ${request.name} is declared external but does not exist`);
  await docker.createVolume({ Name: request.name, Driver: request.driver ?? 'local', Labels: request.labels });
  created.volume(request.name);
}

/** Creates the container and attaches the networks beyond the first (older engines take one at create time). */
export async function createContainer(
  docker: Docker,
  spec: ContainerSpec,
  created: CreatedResources,
): Promise<Docker.Container> {
  const container = await docker.createContainer(spec.create);
  created.container(container.id, spec.containerName);
  for (const network of spec.networks.slice(1)) {
    await docker
      .getNetwork(network.name)
      .connect({ Container: container.id, EndpointConfig: { Aliases: network.aliases } });
  }
  return container;
}

/** Waits until the container's health check reports healthy; a container that dies first fails with its exit code. */
export async function waitHealthy(
  docker: Docker,
  containerId: string,
  spec: ContainerSpec,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + spec.healthWaitMs;
  const watched = { id: containerId, name: spec.containerName };
  for (;;) {
    const info = await docker.getContainer(containerId).inspect();
    const health = info.State.Health;
    if (health?.Status === 'healthy') return;
    const lastOutput = health?.Log?.at(-1)?.Output?.trim();
    const detail = lastOutput ? ` (last check said: ${lastOutput.slice(0, 200)})` : '';
    // A process that exits or restarts is reported as such, never as "unhealthy" (which the engine also says then).
    const died =
      info.State.Running && !info.State.Restarting && info.RestartCount === 0 ? undefined : containerProblem(info);
    if (died)
      throw new DeployError(
        'wait for health',
        `${spec.containerName} ${died} before its health check passed${await lastLogLines(docker, watched)}`,
      );
    if (health?.Status === 'unhealthy')
      throw new DeployError(
        'wait for health',
        `health check never passed: ${spec.containerName} is unhealthy${detail}`,
      );
    if (Date.now() > deadline)
      throw new DeployError(
        'wait for health',
        `health check never passed: ${spec.containerName} was not healthy after ${Math.round(spec.healthWaitMs / 1000)} s${detail}`,
      );
    await sleep(POLL_INTERVAL_MS, signal);
  }
}

/** Waits for a one-shot container to finish; a non-zero exit code fails the deploy, with the container's last logs. */
export async function waitCompleted(
  docker: Docker,
  containerId: string,
  name: string,
  signal?: AbortSignal,
): Promise<void> {
  for (;;) {
    const info = await docker.getContainer(containerId).inspect();
    if (!info.State.Running && info.State.Status !== 'created') {
      if (info.State.ExitCode === 0) return;
      throw new DeployError(
        'wait for completion',
        `${name} exited with code ${info.State.ExitCode}${await lastLogLines(docker, { id: containerId, name })}`,
      );
    }
    await sleep(POLL_INTERVAL_MS, signal);
  }
}

/** Stops and removes the containers of a deployment (only those carrying its labels). */
export async function removeDeploymentContainers(docker: Docker, deploymentName: string): Promise<string[]> {
  const containers = await docker.listContainers({ all: true, filters: labelFilter(deploymentName) });
  const removed: string[] = [];
  await Promise.all(
    containers
      .filter((info) => belongsTo(info.Labels, deploymentName) && !info.Labels[SWARM_SERVICE_ID_LABEL])
      .map(async (info) => {
        try {
          await docker.getContainer(info.Id).remove({ force: true });
          removed.push(`container ${containerName(info)}`);
        } catch (error) {
          if (statusCodeOf(error) !== 404) throw error;
        }
      }),
  );
  return removed.sort();
}

/** The container's name without Docker's leading slash. */
export function containerName(info: { Names?: string[]; Name?: string; Id: string }): string {
  const name = info.Names?.[0] ?? info.Name;
  return name ? name.replace(/^\//, '') : info.Id.slice(0, 12);
}

/** Removes a deployment's volumes when data is to be deleted; otherwise lists them as kept, saying how to remove them. */
export async function removeVolumes(
  docker: Docker,
  names: Iterable<string>,
  deleteData: boolean | undefined,
  result: { removed: string[]; kept: string[] },
): Promise<void> {
  for (const volume of [...names].sort()) {
    if (!deleteData) {
      result.kept.push(`volume ${volume} (kept; --delete-data removes it)`);
      continue;
    }
    try {
      await docker.getVolume(volume).remove();
      result.removed.push(`volume ${volume}`);
    } catch (error) {
      if (statusCodeOf(error) !== 404) result.kept.push(`volume ${volume}: ${engineMessage(error)}`);
    }
  }
}

/** Removes the deployment's networks except those in `keep` (the ones a redeploy still uses). */
export async function removeDeploymentNetworks(
  docker: Docker,
  deploymentName: string,
  keep: Set<string> = new Set(),
): Promise<{ removed: string[]; kept: string[] }> {
  const removed: string[] = [];
  const kept: string[] = [];
  const networks = await docker.listNetworks({ filters: labelFilter(deploymentName) });
  for (const network of networks) {
    if (!belongsTo(network.Labels, deploymentName) || keep.has(network.Name)) continue;
    try {
      await docker.getNetwork(network.Id).remove();
      removed.push(`network ${network.Name}`);
    } catch (error) {
      if (statusCodeOf(error) !== 404) kept.push(`network ${network.Name}: ${engineMessage(error)}`);
    }
  }
  return { removed, kept };
}

/** Whether any container of this deployment exists (a deploy of the same name then replaces it). */
export async function existingDeployment(docker: Docker, deploymentName: string): Promise<boolean> {
  const containers = await docker.listContainers({ all: true, filters: labelFilter(deploymentName) });
  return containers.some(
    (info) => info.Labels[LABELS.deployment] === deploymentName && !info.Labels[SWARM_SERVICE_ID_LABEL],
  );
}
