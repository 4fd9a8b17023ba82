/**
 * Stopping and starting a deployment's containers in place. Compose projects keep their depends_on graph in the
 * com.docker.compose.depends_on label, so stop takes dependents down before what they depend on and start brings
 * dependencies up first; containers of one layer are handled in parallel.
 */
import type Docker from 'dockerode';
import { containerName } from './engine';
import { engineMessage, statusCodeOf } from './failures';
import { COMPOSE_LABELS } from './labels';

/** Seconds a container gets to exit after its stop signal before the engine kills it (Docker's own default). */
export const STOP_TIMEOUT_SECONDS = 10;

/** Engine states in which a container still has a process to stop. */
const ACTIVE_STATES = new Set(['running', 'restarting', 'paused']);

/** The services a container's depends_on label names ("db:service_healthy:false,migrate:…" → db, migrate). */
function dependenciesOf(info: Docker.ContainerInfo): string[] {
  const label = info.Labels[COMPOSE_LABELS.dependsOn] ?? '';
  return label
    .split(',')
    .map((entry) => entry.split(':')[0].trim())
    .filter((service) => service !== '');
}

/**
 * The containers in start order, as layers: each layer depends only on earlier ones. Without service labels, or when
 * the labels do not form an acyclic graph (edited by hand), every container goes in one layer.
 */
export function startLayers(containers: readonly Docker.ContainerInfo[]): Docker.ContainerInfo[][] {
  const serviceOf = (info: Docker.ContainerInfo) => info.Labels[COMPOSE_LABELS.service];
  if (containers.some((info) => serviceOf(info) === undefined)) return containers.length ? [[...containers]] : [];
  const services = new Set(containers.map(serviceOf));
  const layers: Docker.ContainerInfo[][] = [];
  const placed = new Set<string>();
  let remaining = [...containers];
  while (remaining.length > 0) {
    // A dependency with no container left (removed by hand) cannot hold anything back.
    const ready = remaining.filter((info) =>
      dependenciesOf(info).every((service) => placed.has(service) || !services.has(service)),
    );
    if (ready.length === 0) return [[...containers]];
    layers.push(ready);
    ready.forEach((info) => placed.add(serviceOf(info)));
    remaining = remaining.filter((info) => !ready.includes(info));
  }
  return layers;
}

/** Runs `action` on every container, layer after layer; collects failures rather than stopping at the first. */
async function inLayers(
  docker: Docker,
  layers: Docker.ContainerInfo[][],
  action: (container: Docker.Container) => Promise<unknown>,
): Promise<string[]> {
  const failures: string[] = [];
  for (const layer of layers) {
    await Promise.all(
      layer.map(async (info) => {
        try {
          await action(docker.getContainer(info.Id));
        } catch (error) {
          // 304: already in the wanted state; 404: removed meanwhile. Neither keeps the deployment from it.
          const code = statusCodeOf(error);
          if (code !== 304 && code !== 404) failures.push(`${containerName(info)}: ${engineMessage(error)}`);
        }
      }),
    );
  }
  return failures;
}

/** Stops the deployment's active containers, dependents first. Returns what could not be stopped. */
export function stopContainers(docker: Docker, containers: readonly Docker.ContainerInfo[]): Promise<string[]> {
  const active = containers.filter((info) => ACTIVE_STATES.has(info.State));
  return inLayers(docker, startLayers(active).reverse(), (container) => container.stop({ t: STOP_TIMEOUT_SECONDS }));
}

/**
 * Starts the deployment's containers that are not running, dependencies first. Like `docker compose start`, a
 * one-shot service that had finished runs again. Returns what could not be started.
 */
export function startContainers(docker: Docker, containers: readonly Docker.ContainerInfo[]): Promise<string[]> {
  const inactive = containers.filter((info) => !ACTIVE_STATES.has(info.State));
  return inLayers(docker, startLayers(inactive), (container) => container.start());
}
