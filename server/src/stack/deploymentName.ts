/**
 * The default deployment name, one function for the CLI, the server's preview and the extension's deploy form.
 * Upstream WindFlow uses `<metadata.name>-<UTC YYYYmmdd-HHMMSS>` verbatim, so "Hello web" gives "Hello web-2026…",
 * which no Docker engine, Compose or Kubernetes accepts. We derive a name every target accepts instead: lowercase
 * letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (a Kubernetes label
 * value; container and Compose project names are looser).
 */

/** The longest name Kubernetes accepts as a label value and as most object names. */
export const MAX_DEPLOYMENT_NAME_LENGTH = 63;
const FALLBACK = 'stack';

function timestamp(now: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`
  );
}

/** "Hello Wörld!" → "hello-world": accents dropped, everything else but letters and digits becomes '-'. */
export function deploymentNameStem(stackName: string, maxLength = MAX_DEPLOYMENT_NAME_LENGTH): string {
  const stem = stackName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
  return stem === '' ? FALLBACK : stem;
}

/** `hello-web-20261201-213417`: the stack's name made valid for every target, then the UTC time. */
export function defaultDeploymentName(stackName: string, now: Date): string {
  const suffix = `-${timestamp(now)}`;
  return `${deploymentNameStem(stackName, MAX_DEPLOYMENT_NAME_LENGTH - suffix.length)}${suffix}`;
}

/** What upstream WindFlow would name the deployment (for hints that explain the difference). */
export function upstreamDefaultDeploymentName(stackName: string, now: Date): string {
  return `${stackName}-${timestamp(now)}`;
}
