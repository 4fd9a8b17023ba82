/**
 * `target_type: docker_swarm` (and `docker_compose` on a target set to `swarm: true`): the Compose document deployed
 * as a Swarm stack through the Engine API, named and labelled as `docker stack deploy` names it. A redeploy is a
 * rolling update that leaves unchanged services untouched; a deploy succeeds only once every service converged; a
 * failed first deploy removes what it created and a failed update is rolled back by Swarm to the previous spec.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type Docker from 'dockerode';
import { DeployError, DeployOptions, DeployProgress, DeployResult, LABELS, RenderedStack } from '../target';
import { sleep, uncancellable } from '../deadline';
import { canonicalJson } from './composeStrategy';
import { DEFAULT_SETTLE_MS } from './converge';
import { engineMessage, explainFailure, statusCodeOf } from './failures';
import { belongsTo, labelFilter } from './labels';
import { ConvergingService, waitConverged } from './swarmConverge';
import {
  deploymentServices,
  ourConfigs,
  ourSecrets,
  removeObjects,
  removeServices,
  requireManager,
} from './swarmEngine';
import {
  OBJECT_KEY_LABEL,
  planSwarm,
  SPEC_HASH_LABEL,
  SwarmObjectPlan,
  SwarmPlan,
  SwarmServicePlan,
  TASK_HASH_LABEL,
} from './swarmSpec';

/** How long a deploy waits for its services to converge unless the user says otherwise. */
export const DEFAULT_CONVERGE_TIMEOUT_MS = 300_000;
/** On a stopped service: the replica count `start` restores. */
export const STOPPED_REPLICAS_LABEL = 'windflow.stopped-replicas';
/** On configs and secrets: 1 for `<stack>_<key>`, then 2, 3… for `<stack>_<key>_v2`, … as the content changes. */
const OBJECT_VERSION_LABEL = 'windflow.object-version';
/** On secrets: a salted SHA-256 of the value, to tell whether it changed (the engine never returns secret data). */
const SECRET_DIGEST_LABEL = 'windflow.content-digest';
const ROLLBACK_WAIT_MS = 60_000;

type ObjectKind = 'config' | 'secret';
interface Stored {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string>; Data?: string };
}
interface Resolved {
  id: string;
  name: string;
}

function secretDigest(data: Buffer, salt = randomBytes(16).toString('hex')): string {
  return `sha256:${salt}:${createHash('sha256').update(salt).update(data).digest('hex')}`;
}

function sameContent(kind: ObjectKind, stored: Stored, data: Buffer): boolean {
  if (kind === 'config') return stored.Spec?.Data === data.toString('base64');
  const [scheme, salt] = (stored.Spec?.Labels?.[SECRET_DIGEST_LABEL] ?? '').split(':');
  return (
    scheme === 'sha256' && salt !== undefined && stored.Spec?.Labels?.[SECRET_DIGEST_LABEL] === secretDigest(data, salt)
  );
}

/** What this deploy changed, so a failure can undo exactly that. */
class SwarmUndo {
  readonly created: { kind: 'service' | 'network' | ObjectKind; id: string; name: string }[] = [];
  readonly updated: { id: string; name: string }[] = [];

  constructor(
    private readonly docker: Docker,
    private readonly deploymentName: string,
    private readonly volumesBefore: Set<string>,
  ) {}

  describeCreated(): string[] {
    return this.created.map((entry) => `${entry.kind} ${entry.name}`);
  }

  /** Undoes this deploy; says what it did, in words for the error message. */
  async rollback(report: (progress: DeployProgress) => void): Promise<string> {
    const removed: string[] = [];
    const kept: string[] = [];
    const rolledBack: string[] = [];
    kept.push(
      ...(await removeServices(
        this.docker,
        this.created.filter((entry) => entry.kind === 'service'),
        removed,
      )),
    );
    for (const service of this.updated) {
      report({ step: 'roll back', message: `rolling ${service.name} back to its previous spec` });
      try {
        await this.swarmRollback(service.id);
        rolledBack.push(service.name);
      } catch (error) {
        kept.push(`service ${service.name}: rollback failed: ${engineMessage(error)}`);
      }
    }
    kept.push(
      ...(await removeObjects(
        this.docker,
        this.created
          .filter((entry) => entry.kind !== 'service')
          .reverse()
          .map((entry) => ({ ...entry, kind: entry.kind as 'network' | ObjectKind })),
        removed,
      )),
    );
    // Volumes Swarm made for this deployment's tasks during this deploy (they did not exist before it).
    const volumes = (await this.docker.listVolumes({ filters: labelFilter(this.deploymentName) })).Volumes ?? [];
    for (const volume of volumes)
      if (belongsTo(volume.Labels, this.deploymentName) && !this.volumesBefore.has(volume.Name))
        try {
          await this.docker.getVolume(volume.Name).remove();
          removed.push(`volume ${volume.Name}`);
        } catch (error) {
          if (statusCodeOf(error) !== 404) kept.push(`volume ${volume.Name}: ${engineMessage(error)}`);
        }
    const parts: string[] = [];
    if (rolledBack.length > 0) parts.push(`Swarm rolled ${rolledBack.join(', ')} back to the previous spec`);
    if (removed.length > 0) parts.push(`removed ${removed.join(', ')}`);
    if (kept.length > 0) parts.push(`left: ${kept.join('; ')}`);
    return parts.length > 0 ? `rolled back: ${parts.join('; ')}` : 'nothing to roll back';
  }

  /** Swarm's own rollback (`docker service rollback`), then waits until it has finished. */
  private async swarmRollback(id: string): Promise<void> {
    const service = (await this.docker.getService(id).inspect()) as Docker.Service;
    if (service.UpdateStatus?.State !== 'rollback_completed' && service.UpdateStatus?.State !== 'rollback_started')
      await this.docker
        .getService(id)
        .update({ _query: { version: service.Version?.Index, rollback: 'previous' }, _body: service.Spec });
    const deadline = Date.now() + ROLLBACK_WAIT_MS;
    while (Date.now() < deadline) {
      const state = ((await this.docker.getService(id).inspect()) as Docker.Service).UpdateStatus?.State;
      if (state === 'rollback_completed' || state === 'rollback_paused') return;
      await sleep(250);
    }
  }
}

/** Creates the networks the plan needs that do not exist yet; existing ones are used as they are. */
async function ensureNetworks(docker: Docker, plan: SwarmPlan, undo: SwarmUndo, report: (p: DeployProgress) => void) {
  for (const network of plan.networks) {
    try {
      const existing = (await docker.getNetwork(network.name).inspect()) as { Labels?: Record<string, string> };
      if (!network.external && !belongsTo(existing.Labels, plan.namespace))
        report({
          step: 'create networks',
          message: `using the existing network ${network.name}, which this deployment did not create`,
        });
      continue;
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
    }
    if (network.external)
      throw new DeployError('create networks', `network ${network.name} is declared external but does not exist`);
    report({ step: 'create networks', message: `creating network ${network.name}` });
    const created = await docker.createNetwork(network.create);
    undo.created.push({ kind: 'network', id: created.id, name: network.name });
  }
}

/** The config or secret holding this content: an existing version of it, or a new version. */
async function ensureObject(
  docker: Docker,
  kind: ObjectKind,
  plan: SwarmObjectPlan,
  stored: Stored[],
  undo: SwarmUndo,
  report: (p: DeployProgress) => void,
): Promise<Resolved> {
  const step = `create ${kind}s`;
  if (plan.external) {
    try {
      const found = (await (
        kind === 'config' ? docker.getConfig(plan.baseName) : docker.getSecret(plan.baseName)
      ).inspect()) as Stored;
      return { id: found.ID, name: plan.baseName };
    } catch (error) {
      if (statusCodeOf(error) === 404)
        throw new DeployError(step, `${kind} ${plan.baseName} is declared external but does not exist`);
      throw error;
    }
  }
  const data = plan.data as Buffer;
  const versions = stored.filter((object) => object.Spec?.Labels?.[OBJECT_KEY_LABEL] === plan.key);
  const same = versions.find((object) => sameContent(kind, object, data));
  if (same) return { id: same.ID, name: same.Spec?.Name ?? plan.baseName };
  const version =
    Math.max(0, ...versions.map((object) => Number(object.Spec?.Labels?.[OBJECT_VERSION_LABEL] ?? 1))) + 1;
  const name = version === 1 ? plan.baseName : `${plan.baseName}_v${version}`;
  const labels: Record<string, string> = { ...plan.labels, [OBJECT_VERSION_LABEL]: String(version) };
  if (kind === 'secret') labels[SECRET_DIGEST_LABEL] = secretDigest(data);
  report({ step, message: `creating ${kind} ${name}` });
  const body = { Name: name, Labels: labels, Data: data.toString('base64') };
  const created = (await (kind === 'config' ? docker.createConfig(body) : docker.createSecret(body))) as {
    id?: string;
    ID?: string;
  };
  const id = created.id ?? created.ID ?? '';
  undo.created.push({ kind, id, name });
  return { id, name };
}

/** SHA-256 of a spec part, without object ids: they change when an object is recreated under the same name. */
function specHash(part: unknown): string {
  const withoutIds = JSON.stringify(part, (key, value: unknown) =>
    key === 'ConfigID' || key === 'SecretID' ? undefined : value,
  );
  return createHash('sha256')
    .update(canonicalJson(JSON.parse(withoutIds)))
    .digest('hex');
}

/**
 * The full service spec with its config and secret references, labelled with the hashes that decide on a redeploy
 * whether the service changed at all, and whether Swarm will replace its tasks.
 */
function serviceSpec(
  service: SwarmServicePlan,
  configs: Map<string, Resolved>,
  secrets: Map<string, Resolved>,
): Docker.ServiceSpec {
  const task = service.spec.TaskTemplate as Docker.ContainerTaskSpec;
  const container: Docker.ContainerSpec = { ...task.ContainerSpec };
  const file = (ref: SwarmServicePlan['configs'][number]) => ({
    Name: ref.target,
    UID: ref.uid,
    GID: ref.gid,
    Mode: ref.mode,
  });
  if (service.configs.length > 0)
    container.Configs = service.configs.map((ref) => {
      const config = configs.get(ref.key) as Resolved;
      return { File: file(ref), ConfigID: config.id, ConfigName: config.name };
    });
  if (service.secrets.length > 0)
    container.Secrets = service.secrets.map((ref) => {
      const secret = secrets.get(ref.key) as Resolved;
      return { File: file(ref), SecretID: secret.id, SecretName: secret.name };
    });
  const spec: Docker.ServiceSpec = { ...service.spec, TaskTemplate: { ...task, ContainerSpec: container } };
  spec.Labels = { ...spec.Labels, [SPEC_HASH_LABEL]: specHash(spec), [TASK_HASH_LABEL]: specHash(spec.TaskTemplate) };
  return spec;
}

export async function deploySwarm(
  docker: Docker,
  stack: RenderedStack,
  options: DeployOptions = {},
): Promise<DeployResult> {
  const report = options.onProgress ?? (() => undefined);
  // Task times are the engine's: "since this deploy began" is measured on its clock.
  const engineNow = await requireManager(docker);
  const plan = planSwarm(stack, {
    workingDir: options.sourceFile ? path.dirname(options.sourceFile) : process.cwd(),
  });
  for (const service of plan.services)
    if (service.ignoredKeys.length > 0)
      report({ step: 'prepare', message: `service ${service.key}: Swarm skips ${service.ignoredKeys.join(', ')}` });

  const previous = await deploymentServices(docker, plan.namespace);
  const volumesBefore = new Set(
    ((await docker.listVolumes({ filters: labelFilter(plan.namespace) })).Volumes ?? []).map((volume) => volume.Name),
  );
  const undo = new SwarmUndo(docker, plan.namespace, volumesBefore);
  let step = 'create networks';
  try {
    await ensureNetworks(docker, plan, undo, report);
    step = 'create configs';
    const storedConfigs = (await ourConfigs(docker, plan.namespace)) as Stored[];
    const configs = new Map<string, Resolved>();
    for (const config of plan.configs)
      configs.set(config.key, await ensureObject(docker, 'config', config, storedConfigs, undo, report));
    step = 'create secrets';
    const storedSecrets = (await ourSecrets(docker, plan.namespace)) as Stored[];
    const secrets = new Map<string, Resolved>();
    for (const secret of plan.secrets)
      secrets.set(secret.key, await ensureObject(docker, 'secret', secret, storedSecrets, undo, report));

    step = 'deploy services';
    // All services at once, as Swarm starts them anyway; every call settles before a failure is handled, so the
    // undo knows everything that was created or updated.
    const outcomes = await Promise.allSettled(
      plan.services.map(async (service): Promise<ConvergingService> => {
        const spec = serviceSpec(service, configs, secrets);
        const wanted = spec.Labels ?? {};
        const existing = previous.find((candidate) => candidate.Spec?.Name === service.name);
        if (!existing) {
          report({ step, message: `creating service ${service.name}` });
          const created = await docker.createService(spec);
          undo.created.push({ kind: 'service', id: created.id, name: service.name });
          return { id: created.id, key: service.key, rollout: false };
        }
        const labels = existing.Spec?.Labels ?? {};
        if (labels[SPEC_HASH_LABEL] === wanted[SPEC_HASH_LABEL] && labels[STOPPED_REPLICAS_LABEL] === undefined) {
          report({ step, message: `service ${service.name} unchanged` });
          return { id: existing.ID, key: service.key, rollout: false };
        }
        report({ step, message: `updating service ${service.name}` });
        await docker.getService(existing.ID).update({ _query: { version: existing.Version?.Index }, _body: spec });
        undo.updated.push({ id: existing.ID, name: service.name });
        return { id: existing.ID, key: service.key, rollout: labels[TASK_HASH_LABEL] !== wanted[TASK_HASH_LABEL] };
      }),
    );
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const converging = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<ConvergingService>).value);

    step = 'converge';
    await waitConverged(docker, converging, {
      timeoutMs: options.timeoutMs ?? DEFAULT_CONVERGE_TIMEOUT_MS,
      since: engineNow,
      settleMs: options.settleMs ?? DEFAULT_SETTLE_MS,
      report,
      signal: options.signal,
    });

    step = 'clean up';
    await removeLeftovers(docker, plan, previous, configs, secrets, report);
    return {
      deploymentName: plan.namespace,
      created: undo.describeCreated(),
      updated: undo.updated.map((service) => `service ${service.name}`),
      replaced: previous.length > 0,
    };
  } catch (error) {
    const failure = explainFailure(step, error);
    // A cancelled deploy is still rolled back: its engine calls must not inherit the cancellation.
    const outcome = await uncancellable(() => undo.rollback(report));
    throw new DeployError(failure.step, `${failure.message} (${outcome})`, failure.cause ?? failure);
  }
}

/** After a successful redeploy: services no longer in the stack, and config/secret versions no service uses. */
async function removeLeftovers(
  docker: Docker,
  plan: SwarmPlan,
  previous: Docker.Service[],
  configs: Map<string, Resolved>,
  secrets: Map<string, Resolved>,
  report: (p: DeployProgress) => void,
): Promise<void> {
  const names = new Set(plan.services.map((service) => service.name));
  const dropped = previous
    .filter((service) => !names.has(service.Spec?.Name ?? ''))
    .map((service) => ({ id: service.ID, name: service.Spec?.Name ?? service.ID }));
  const removed: string[] = [];
  await removeServices(docker, dropped, removed);
  const inUse = new Set([...configs.values(), ...secrets.values()].map((object) => object.id));
  const stale = [
    ...((await ourConfigs(docker, plan.namespace)) as Stored[]).map((o) => ({ kind: 'config' as const, o })),
    ...((await ourSecrets(docker, plan.namespace)) as Stored[]).map((o) => ({ kind: 'secret' as const, o })),
  ]
    .filter(({ o }) => !inUse.has(o.ID) && o.Spec?.Labels?.[LABELS.managed] === 'true')
    .map(({ kind, o }) => ({ kind, id: o.ID, name: o.Spec?.Name ?? o.ID }));
  await removeObjects(docker, stale, removed);
  if (removed.length > 0) report({ step: 'clean up', message: `removed ${removed.join(', ')}` });
}
