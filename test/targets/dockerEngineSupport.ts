/**
 * Shared by the tests that use the real Docker engine: skip (or fail under CI=true) when it is absent, unique
 * deployment names per run, rendering fixture stacks the way the CLI does, and finding what a deployment left.
 */
import net from 'node:net';
import path from 'node:path';
import Docker from 'dockerode';
import { readStackInput } from '../../client/src/cli/stackInput';
import { DockerTarget } from '../../client/src/targets/docker/dockerTarget';
import { LOCK_LABELS } from '../../client/src/targets/docker/engineLock';
import { LABELS, RenderedStack } from '../../client/src/targets/target';

export const SOCKET = '/var/run/docker.sock';
export const IMAGE = 'local/busybox:1';
export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'stacks');
/** Every deployment of this run starts with it, so the after hooks clean up only what this run made. */
export const RUN_PREFIX = `wft${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

export const docker = new Docker({ socketPath: SOCKET });
let counter = 0;

export function uniqueName(label: string): string {
  counter += 1;
  return `${RUN_PREFIX}-${label}-${counter}`;
}

export function localTarget(): DockerTarget {
  return new DockerTarget({ name: 'local', kind: 'docker', host: `unix://${SOCKET}` });
}

/** Mocha `before` hook body: skip without an engine, but fail when CI promises one. */
/**
 * A target on the local engine for the enclosing `describe`: its hooks skip the suite without an engine (fail in
 * CI) and remove everything this run created afterwards.
 */
export function engineTarget(): DockerTarget {
  const target = localTarget();
  before(async function () {
    await requireEngine(this);
  });
  after(async () => {
    target.dispose();
    await cleanUpRun();
  });
  return target;
}

export async function requireEngine(context: Mocha.Context): Promise<void> {
  try {
    await docker.ping();
    await docker.getImage(IMAGE).inspect();
  } catch (error) {
    const reason = `Docker engine at ${SOCKET} with image ${IMAGE} is not available (${(error as Error).message}); start it with .ci/start-docker.sh`;
    if (process.env.CI === 'true') throw new Error(reason, { cause: error });
    console.warn(`      skipped: ${reason}`);
    context.skip();
  }
}

/** Renders a fixture stack through the same path as `windflow-stack deploy`. */
export async function renderFixture(file: string, deploymentName: string, sets: string[] = []): Promise<RenderedStack> {
  const input = await readStackInput({ file: path.join(FIXTURES, file), cwd: FIXTURES, sets, deploymentName });
  if (!input.ok) throw new Error(`fixture ${file} did not render: ${input.problems.join('; ')}`);
  return input.rendered;
}

/** Everything on the engine carrying this deployment's label, as "kind name", sorted (Swarm objects too). */
export async function resourcesOf(deploymentName: string): Promise<string[]> {
  const filters = { label: [`${LABELS.deployment}=${deploymentName}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  const swarm = await swarmObjects(filters);
  return [
    ...containers.map((c) => `container ${c.Names[0].replace(/^\//, '')}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...volumes.map((v) => `volume ${v.Name}`),
    ...swarm.services.map((s) => `service ${s.Spec?.Name}`),
    ...swarm.configs.map((c) => `config ${c.Spec?.Name}`),
    ...swarm.secrets.map((s) => `secret ${s.Spec?.Name}`),
  ].sort();
}

/** Swarm services, configs and secrets matching a label filter; none when the engine is not a swarm manager. */
export async function isSwarmManager(): Promise<boolean> {
  const info = (await docker.info()) as { Swarm?: { ControlAvailable?: boolean } };
  return info.Swarm?.ControlAvailable === true;
}

async function swarmObjects(filters: { label: string[] }) {
  if (!(await isSwarmManager())) return { services: [], configs: [], secrets: [] };
  return {
    services: await docker.listServices({ filters }),
    configs: await docker.listConfigs({ filters }),
    secrets: await docker.listSecrets({ filters }),
  };
}

/**
 * Removes every resource carrying our managed label whose labels `belongs` accepts: Swarm services first (and their
 * tasks), then configs, secrets, containers, networks and volumes.
 */
export async function removeOurs(belongs: (labels: Record<string, string> | null | undefined) => boolean) {
  const filters = { label: [`${LABELS.managed}=true`] };
  const swarm = await swarmObjects(filters);
  const leftServices = swarm.services.filter((service) => belongs(service.Spec?.Labels));
  for (const service of leftServices) await docker.getService(service.ID).remove();
  // Networks and volumes of services are free only once their task containers are gone.
  for (let i = 0; i < 100; i++) {
    const tasks = await docker.listContainers({ all: true, filters: { label: ['com.docker.swarm.service.id'] } });
    if (!tasks.some((task) => leftServices.some((s) => s.ID === task.Labels['com.docker.swarm.service.id']))) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const config of swarm.configs) if (belongs(config.Spec?.Labels)) await docker.getConfig(config.ID).remove();
  for (const secret of swarm.secrets) if (belongs(secret.Spec?.Labels)) await docker.getSecret(secret.ID).remove();
  for (const info of await docker.listContainers({ all: true, filters }))
    if (belongs(info.Labels)) await docker.getContainer(info.Id).remove({ force: true, v: true });
  for (const network of await docker.listNetworks({ filters }))
    if (belongs(network.Labels)) await docker.getNetwork(network.Id).remove();
  for (const volume of (await docker.listVolumes({ filters })).Volumes ?? [])
    if (belongs(volume.Labels)) await docker.getVolume(volume.Name).remove();
}

/** Removes whatever this run's deployments left behind (only resources with our labels and this run's prefix). */
export async function cleanUpRun(): Promise<void> {
  await removeOurs(
    (labels) => labels?.[LABELS.managed] === 'true' && (labels[LABELS.deployment] ?? '').startsWith(RUN_PREFIX),
  );
  // Deployment locks a failed test may have left (they carry the deployment name in their own label).
  for (const info of await docker.listContainers({ all: true, filters: { label: [LOCK_LABELS.deployment] } }))
    if (info.Labels[LOCK_LABELS.deployment].startsWith(RUN_PREFIX))
      await docker.getContainer(info.Id).remove({ force: true });
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Occupies a loopback port until closed: the genuine "port already allocated" conflict. */
export async function occupyPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Fetches a page from a published loopback port. A container counts as running before its server listens, so a
 * refused or dropped connection is retried for a few seconds.
 */
export async function httpGet(port: number, urlPath = '/'): Promise<{ status: number; body: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${urlPath}`);
      return { status: response.status, body: await response.text() };
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
