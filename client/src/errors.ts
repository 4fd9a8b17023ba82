/** Turning errors into words, once, at the edge (notifications, the log). Pure. */

/** One line naming an error and its causes ("deploy failed: connect ENOENT /var/run/docker.sock"). */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.some((part) => part.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ') || 'unknown error';
}

/** Whether an error is a DeployError, checked by shape: targets are loaded lazily, so `instanceof` may not line up. */
export function deployStepOf(error: unknown): string | undefined {
  if (error instanceof Error && error.name === 'DeployError' && 'step' in error && typeof error.step === 'string') {
    return error.step;
  }
  return undefined;
}

/** The notification text for a failed deploy: the step that failed, and why. */
export function describeDeployFailure(deploymentName: string, error: unknown): string {
  const step = deployStepOf(error);
  const where = step ? ` at step "${step}"` : '';
  return `Deploying ${deploymentName} failed${where}: ${describeError(error)}`;
}
