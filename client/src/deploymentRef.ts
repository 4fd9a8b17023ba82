/** What lifecycle commands, panels and tree items pass around to name a deployment (and optionally one unit). */
export interface DeploymentRef {
  targetName: string;
  deploymentName: string;
  /** A container or pod of the deployment, when the command was invoked on one. */
  unitName?: string;
  /** The unit's Compose service, when it has one. */
  service?: string;
}

export function isDeploymentRef(value: unknown): value is DeploymentRef {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<DeploymentRef>;
  return typeof candidate.targetName === 'string' && typeof candidate.deploymentName === 'string';
}
