/**
 * The labels a Docker deploy puts on what it creates. Ours find resources again (status, logs, remove, redeploy);
 * Docker Compose's own make `docker compose ps` and other Compose-aware tools recognise a project we deployed.
 */
import { LABELS } from '../target';

/** The stack's target_type, so status and logs know how a deployment was made. */
export const TARGET_TYPE_LABEL = 'windflow.target-type';
/** JSON list of the volume names `remove --delete-data` deletes (rendered target_parameters.volumes, docker stacks). */
export const DATA_VOLUMES_LABEL = 'windflow.data-volumes';

/** On every container Swarm runs for a service: such containers belong to a Swarm deployment, not a container one. */
export const SWARM_SERVICE_ID_LABEL = 'com.docker.swarm.service.id';

export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  configHash: 'com.docker.compose.config-hash',
  version: 'com.docker.compose.version',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/**
 * What we write into com.docker.compose.version. Compose tools read it only for display; saying who made the
 * project is more honest than impersonating a Compose release.
 */
export const COMPOSE_VERSION_VALUE = 'windflow-stacks';

export function ownLabels(stackName: string, deploymentName: string, targetType: string): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.stack]: stackName,
    [LABELS.deployment]: deploymentName,
    [TARGET_TYPE_LABEL]: targetType,
  };
}

/** Engine list filter: everything of one deployment, or of all our deployments. */
export function labelFilter(deploymentName?: string): { label: string[] } {
  const label = [`${LABELS.managed}=true`];
  if (deploymentName !== undefined) label.push(`${LABELS.deployment}=${deploymentName}`);
  return { label };
}

/** True when a resource's labels say this deployment made it: the only resources we ever change or delete. */
export function belongsTo(labels: Record<string, string> | null | undefined, deploymentName: string): boolean {
  return labels?.[LABELS.managed] === 'true' && labels[LABELS.deployment] === deploymentName;
}
