/**
 * `target_type: docker_compose`: a Compose project through the Engine API. Names and labels follow Docker Compose
 * (`<project>_default`, `<project>_<volume>`, `<project>-<service>-1`, com.docker.compose.*) so Compose-aware tools
 * recognise the project; services start in depends_on order, independent ones in parallel.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type Docker from 'dockerode';
import { isValidComposeProjectName } from '../../../../server/src/stack/specs';
import { DeployError, DeployOptions, DeployProgress, DeployResult, RenderedStack } from '../target';
import { buildContainerSpec, ContainerSpec, isMapping, Mapping } from './containerSpec';
import {
  createContainer,
  ensureNetwork,
  ensureVolume,
  existingDeployment,
  NetworkRequest,
  removeDeploymentContainers,
  removeDeploymentNetworks,
  VolumeRequest,
  waitCompleted,
  waitHealthy,
} from './engine';
import { DEFAULT_SETTLE_MS, SETTLE_STEP, waitUntilStable } from './converge';
import { allOrNothing, CreatedResources } from './failures';
import { ensureImage } from './images';
import { COMPOSE_LABELS, COMPOSE_VERSION_VALUE, ownLabels } from './labels';

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ServicePlan {
  service: string;
  spec: ContainerSpec;
  dependsOn: { service: string; condition: DependencyCondition }[];
}

export interface ComposePlan {
  project: string;
  networks: NetworkRequest[];
  volumes: VolumeRequest[];
  services: ServicePlan[];
}

const CONDITIONS: DependencyCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

function fail(message: string): never {
  throw new DeployError('prepare', message);
}

/** JSON with sorted keys, so the config hash does not depend on key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isMapping(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value ?? null);
}

function dependencies(service: string, value: unknown, known: Set<string>): ServicePlan['dependsOn'] {
  if (value === undefined || value === null) return [];
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((name) => [String(name), undefined])
    : isMapping(value)
      ? Object.entries(value)
      : fail(`service ${service}: depends_on must be a list or a mapping`);
  return entries.map(([name, settings]) => {
    if (!known.has(name)) fail(`service ${service}: depends_on names '${name}', which is not a service of this stack`);
    const condition =
      isMapping(settings) && settings.condition !== undefined ? String(settings.condition) : 'service_started';
    if (!CONDITIONS.includes(condition as DependencyCondition))
      fail(`service ${service}: depends_on.${name}.condition '${condition}' is not one of ${CONDITIONS.join(', ')}`);
    return { service: name, condition: condition as DependencyCondition };
  });
}

function findCycle(services: ServicePlan[]): string[] | undefined {
  const byName = new Map(services.map((plan) => [plan.service, plan]));
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...trail.slice(trail.indexOf(name)), name];
    state.set(name, 'visiting');
    trail.push(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) {
      const cycle = visit(dependency.service);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const plan of services) {
    const cycle = visit(plan.service);
    if (cycle) return cycle;
  }
  return undefined;
}

function topLevel(template: Mapping, key: 'networks' | 'volumes'): Map<string, Mapping> {
  const value = template[key];
  const entries = new Map<string, Mapping>();
  if (value === undefined || value === null) return entries;
  if (!isMapping(value)) fail(`top-level ${key} must be a mapping`);
  for (const [name, settings] of Object.entries(value)) entries.set(name, isMapping(settings) ? settings : {});
  return entries;
}

/** Engine name of a top-level network/volume: its `name:`, else `<project>_<key>`; external ones keep their key. */
function resourceName(project: string, key: string, settings: Mapping): string {
  if (typeof settings.name === 'string' && settings.name !== '') return settings.name;
  if (settings.external === true) return key;
  return `${project}_${key}`;
}

export function planCompose(stack: RenderedStack, options: DeployOptions = {}): ComposePlan {
  const project = stack.deploymentName;
  if (!isValidComposeProjectName(project))
    fail(
      `deployment name '${project}' is not a valid Compose project name (lowercase letters, digits, '-', '_'; starting with a letter or digit)`,
    );
  if (!isMapping(stack.template)) fail('the rendered template is not a mapping');
  const template = stack.template;
  if (!isMapping(template.services) || Object.keys(template.services).length === 0)
    fail('the rendered template has no services');
  const services = template.services;
  const serviceNames = new Set(Object.keys(services));
  const declaredNetworks = topLevel(template, 'networks');
  const declaredVolumes = topLevel(template, 'volumes');
  const workingDir = options.sourceFile ? path.dirname(options.sourceFile) : process.cwd();
  const ours = ownLabels(stack.stackName, stack.deploymentName, stack.targetType);
  const projectLabels = { [COMPOSE_LABELS.project]: project, [COMPOSE_LABELS.version]: COMPOSE_VERSION_VALUE };
  const containerNames = new Map<string, string>();
  for (const [name, service] of Object.entries(services)) {
    if (!isMapping(service)) fail(`service ${name} must be a mapping`);
    const explicit = service.container_name;
    containerNames.set(name, typeof explicit === 'string' && explicit !== '' ? explicit : `${project}-${name}-1`);
  }

  const usedNetworks = new Set<string>();
  const defaultNetworkKey = 'default';
  const plans: ServicePlan[] = Object.entries(services).map(([name, value]) => {
    const service = value as Mapping;
    const dependsOn = dependencies(name, service.depends_on, serviceNames);
    if (typeof service.network_mode === 'string' && service.network_mode.startsWith('service:')) {
      // Sharing another service's network namespace needs that container running first.
      const other = service.network_mode.slice('service:'.length);
      if (!dependsOn.some((d) => d.service === other)) dependsOn.push({ service: other, condition: 'service_started' });
    }
    const needsDefault = service.network_mode === undefined && service.networks === undefined;
    if (needsDefault) usedNetworks.add(defaultNetworkKey);
    const spec = buildContainerSpec(
      service,
      {
        where: `service ${name}`,
        volumeName: (source) => {
          const settings = declaredVolumes.get(source);
          if (!settings)
            fail(`service ${name} mounts volume '${source}', which is not declared under top-level volumes`);
          return resourceName(project, source, settings);
        },
        networkName: (key) => {
          const settings = declaredNetworks.get(key);
          if (!settings && key !== defaultNetworkKey)
            fail(`service ${name} joins network '${key}', which is not declared under top-level networks`);
          usedNetworks.add(key);
          return resourceName(project, key, settings ?? {});
        },
        serviceContainer: (other) => {
          const container = containerNames.get(other);
          if (!container) fail(`service ${name}: network_mode names service '${other}', which does not exist`);
          return container;
        },
        workingDir,
        restartKey: 'restart',
        defaultRestart: 'no',
      },
      {
        containerName: containerNames.get(name) as string,
        alias: name,
        defaultNetwork: needsDefault
          ? resourceName(project, defaultNetworkKey, declaredNetworks.get(defaultNetworkKey) ?? {})
          : undefined,
        labels: {
          ...projectLabels,
          [COMPOSE_LABELS.service]: name,
          [COMPOSE_LABELS.containerNumber]: '1',
          [COMPOSE_LABELS.oneoff]: 'False',
          [COMPOSE_LABELS.workingDir]: workingDir,
          [COMPOSE_LABELS.configFiles]: options.sourceFile ?? '',
          [COMPOSE_LABELS.configHash]: createHash('sha256').update(canonicalJson(service)).digest('hex'),
          [COMPOSE_LABELS.dependsOn]: dependsOn.map((d) => `${d.service}:${d.condition}:false`).join(','),
          [COMPOSE_LABELS.image]: typeof service.image === 'string' ? service.image : '',
          ...ours,
        },
      },
    );
    return { service: name, spec, dependsOn };
  });
  for (const plan of plans)
    for (const dependency of plan.dependsOn) {
      const other = plans.find((candidate) => candidate.service === dependency.service) as ServicePlan;
      if (dependency.condition === 'service_healthy' && !other.spec.hasHealthcheck)
        fail(
          `service ${plan.service} waits for ${other.service} to be healthy, but ${other.service} has no healthcheck`,
        );
    }
  const cycle = findCycle(plans);
  if (cycle) fail(`depends_on forms a cycle: ${cycle.join(' → ')}`);

  const networks: NetworkRequest[] = [...usedNetworks].map((key) => {
    const settings = declaredNetworks.get(key) ?? {};
    return {
      name: resourceName(project, key, settings),
      external: settings.external === true,
      driver: typeof settings.driver === 'string' ? settings.driver : undefined,
      labels: { ...projectLabels, [COMPOSE_LABELS.network]: key, ...ours },
    };
  });
  // Compose creates every declared volume, used or not.
  const volumes: VolumeRequest[] = [...declaredVolumes].map(([key, settings]) => ({
    name: resourceName(project, key, settings),
    external: settings.external === true,
    driver: typeof settings.driver === 'string' ? settings.driver : undefined,
    labels: { ...projectLabels, [COMPOSE_LABELS.volume]: key, ...ours },
  }));
  return { project, networks, volumes, services: plans };
}

/** Services some other service waits for with service_completed_successfully: they are meant to exit (with 0). */
export function completionDependencies(plan: Pick<ComposePlan, 'services'>): Set<string> {
  return new Set(
    plan.services.flatMap((service) =>
      service.dependsOn.filter((d) => d.condition === 'service_completed_successfully').map((d) => d.service),
    ),
  );
}

/** Runs every task, waits for all of them to settle (so nothing is still creating during a rollback), then throws. */
async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/** Starts services as soon as what they depend on is satisfied; independent services start together. */
async function startInOrder(
  docker: Docker,
  plan: ComposePlan,
  containers: Map<string, Docker.Container>,
  report: (progress: DeployProgress) => void,
  signal?: AbortSignal,
): Promise<Set<string>> {
  const started = new Map<string, Promise<void>>();
  const healthy = new Map<string, Promise<void>>();
  const completed = new Map<string, Promise<void>>();
  const byName = new Map(plan.services.map((service) => [service.service, service]));
  const waitedForHealth = new Set<string>();

  const once = (cache: Map<string, Promise<void>>, service: string, make: () => Promise<void>): Promise<void> => {
    let promise = cache.get(service);
    if (!promise) {
      promise = make();
      cache.set(service, promise);
    }
    return promise;
  };
  const start = (service: string): Promise<void> =>
    once(started, service, async () => {
      const servicePlan = byName.get(service) as ServicePlan;
      await settleAll(servicePlan.dependsOn.map((dependency) => satisfied(dependency.service, dependency.condition)));
      report({ step: 'start containers', message: `starting ${servicePlan.spec.containerName}` });
      await (containers.get(service) as Docker.Container).start();
    });
  const satisfied = (service: string, condition: DependencyCondition): Promise<void> => {
    const servicePlan = byName.get(service) as ServicePlan;
    const container = containers.get(service) as Docker.Container;
    if (condition === 'service_healthy') {
      waitedForHealth.add(service);
      return once(healthy, service, async () => {
        await start(service);
        report({ step: 'wait for health', message: `waiting for ${servicePlan.spec.containerName} to become healthy` });
        await waitHealthy(docker, container.id, servicePlan.spec, signal);
      });
    }
    if (condition === 'service_completed_successfully')
      return once(completed, service, async () => {
        await start(service);
        await waitCompleted(docker, container.id, servicePlan.spec.containerName, signal);
      });
    return start(service);
  };
  await settleAll(plan.services.map((service) => start(service.service)));
  // Promises for health waits started by dependents must settle before we return, or a rollback could race them.
  await settleAll([...healthy.values(), ...completed.values()]);
  return waitedForHealth;
}

export async function deployCompose(
  docker: Docker,
  stack: RenderedStack,
  options: DeployOptions = {},
): Promise<DeployResult> {
  const report = options.onProgress ?? (() => undefined);
  const plan = planCompose(stack, options);
  for (const service of plan.services)
    if (service.spec.ignoredKeys.length > 0)
      report({
        step: 'prepare',
        message: `service ${service.service}: not applied: ${service.spec.ignoredKeys.join(', ')}`,
      });
  const created = new CreatedResources(docker);

  return allOrNothing(created, async (step) => {
    step('pull images');
    const images = [...new Set(plan.services.map((service) => service.spec.image))];
    await settleAll(images.map((image) => ensureImage(docker, image, report, options.signal)));
    step('replace previous deployment');
    const replaced = await existingDeployment(docker, plan.project);
    if (replaced) {
      report({ step: 'replace previous deployment', message: `removing the running ${plan.project}` });
      await removeDeploymentContainers(docker, plan.project);
    }
    step('create networks');
    for (const network of plan.networks) await ensureNetwork(docker, network, created, report);
    step('create volumes');
    for (const volume of plan.volumes) await ensureVolume(docker, volume, created, report);
    step('create containers');
    const containers = new Map<string, Docker.Container>();
    await settleAll(
      plan.services.map(async (service) => {
        containers.set(service.service, await createContainer(docker, service.spec, created));
      }),
    );
    step('start containers');
    const alreadyHealthy = await startInOrder(docker, plan, containers, report, options.signal);
    step('wait for health');
    // Like `docker compose up --wait`: a deploy succeeds only when every health-checked service is healthy.
    await settleAll(
      plan.services
        .filter((service) => service.spec.hasHealthcheck && !alreadyHealthy.has(service.service))
        .map((service) => {
          report({ step: 'wait for health', message: `waiting for ${service.spec.containerName} to become healthy` });
          return waitHealthy(
            docker,
            (containers.get(service.service) as Docker.Container).id,
            service.spec,
            options.signal,
          );
        }),
    );
    step(SETTLE_STEP);
    report({ step: SETTLE_STEP, message: `checking that the containers of ${plan.project} stay up` });
    const oneShots = completionDependencies(plan);
    await waitUntilStable(
      docker,
      plan.services.map((service) => ({
        id: (containers.get(service.service) as Docker.Container).id,
        name: service.spec.containerName,
        oneShot: oneShots.has(service.service),
      })),
      options.settleMs ?? DEFAULT_SETTLE_MS,
      options.signal,
    );
    if (replaced) await removeDeploymentNetworks(docker, plan.project, new Set(plan.networks.map((n) => n.name)));
    return { deploymentName: plan.project, created: created.describe(), updated: [], replaced };
  });
}
