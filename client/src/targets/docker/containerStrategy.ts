/**
 * `target_type: docker`: one container from the rendered template. The deployment name is the container name (it
 * wins over container_name, as upstream WindFlow does); target_parameters.volumes is remembered for --delete-data.
 */
import path from 'node:path';
import type Docker from 'dockerode';
import { isValidContainerName } from '../../../../server/src/stack/specs';
import { DeployError, DeployOptions, DeployResult, RenderedStack } from '../target';
import { buildContainerSpec, ContainerSpec, isMapping } from './containerSpec';
import {
  createContainer,
  ensureNetwork,
  ensureVolume,
  existingDeployment,
  removeDeploymentContainers,
  removeDeploymentNetworks,
  waitHealthy,
} from './engine';
import { DEFAULT_SETTLE_MS, SETTLE_STEP, waitUntilStable } from './converge';
import { allOrNothing, CreatedResources } from './failures';
import { ensureImage } from './images';
import { DATA_VOLUMES_LABEL, ownLabels } from './labels';

/** Network modes that name no network of ours. */
const BUILT_IN_NETWORK_MODES = new Set(['host', 'none', 'bridge', 'default']);

/** Bare volume names listed in target_parameters.volumes (non-strings are ignored, as upstream does). */
export function dataVolumes(targetParameters: unknown): string[] {
  if (!isMapping(targetParameters) || !Array.isArray(targetParameters.volumes)) return [];
  return targetParameters.volumes
    .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    .map((v) => v.trim());
}

export function planContainer(stack: RenderedStack, options: DeployOptions = {}): ContainerSpec {
  if (!isValidContainerName(stack.deploymentName))
    throw new DeployError(
      'prepare',
      `deployment name '${stack.deploymentName}' is not a valid container name (letters, digits, '_', '.', '-'; starting with a letter or digit)`,
    );
  if (!isMapping(stack.template)) throw new DeployError('prepare', 'the rendered template is not a mapping');
  const labels = ownLabels(stack.stackName, stack.deploymentName, stack.targetType);
  labels[DATA_VOLUMES_LABEL] = JSON.stringify(dataVolumes(stack.targetParameters));
  return buildContainerSpec(
    stack.template,
    {
      where: 'template',
      volumeName: (source) => source,
      networkName: (key) => key,
      workingDir: options.sourceFile ? path.dirname(options.sourceFile) : process.cwd(),
      restartKey: 'restart_policy',
      // Upstream's `docker run` path defaults to unless-stopped.
      defaultRestart: 'unless-stopped',
    },
    { containerName: stack.deploymentName, labels },
  );
}

export async function deployContainer(
  docker: Docker,
  stack: RenderedStack,
  options: DeployOptions = {},
): Promise<DeployResult> {
  const report = options.onProgress ?? (() => undefined);
  const spec = planContainer(stack, options);
  if (spec.ignoredKeys.length > 0)
    report({ step: 'prepare', message: `not applied for docker stacks: ${spec.ignoredKeys.join(', ')}` });
  const labels = ownLabels(stack.stackName, stack.deploymentName, stack.targetType);
  const created = new CreatedResources(docker);
  const mode = spec.create.HostConfig?.NetworkMode;
  const networks = spec.networks.map((n) => n.name);
  if (mode && !BUILT_IN_NETWORK_MODES.has(mode) && !mode.startsWith('container:') && !networks.includes(mode))
    networks.push(mode);

  return allOrNothing(created, async (step) => {
    step('pull image');
    await ensureImage(docker, spec.image, report, options.signal);
    // The old deployment goes only once the new image is there, so a bad image never takes a running one down.
    step('replace previous deployment');
    const replaced = await existingDeployment(docker, stack.deploymentName);
    if (replaced) {
      report({ step: 'replace previous deployment', message: `removing the running ${stack.deploymentName}` });
      await removeDeploymentContainers(docker, stack.deploymentName);
    }
    step('create networks');
    for (const name of networks) await ensureNetwork(docker, { name, labels }, created, report);
    step('create volumes');
    for (const name of spec.namedVolumes) await ensureVolume(docker, { name, labels }, created, report);
    step('create container');
    report({ step: 'create container', message: `creating ${spec.containerName}` });
    const container = await createContainer(docker, spec, created);
    step('start container');
    await container.start();
    if (spec.hasHealthcheck) {
      step('wait for health');
      report({ step: 'wait for health', message: `waiting for ${spec.containerName} to become healthy` });
      await waitHealthy(docker, container.id, spec, options.signal);
    }
    step(SETTLE_STEP);
    report({ step: SETTLE_STEP, message: `checking that ${spec.containerName} stays up` });
    await waitUntilStable(
      docker,
      [{ id: container.id, name: spec.containerName }],
      options.settleMs ?? DEFAULT_SETTLE_MS,
      options.signal,
    );
    if (replaced) await removeDeploymentNetworks(docker, stack.deploymentName, new Set(networks));
    return { deploymentName: stack.deploymentName, created: created.describe(), updated: [], replaced };
  });
}
