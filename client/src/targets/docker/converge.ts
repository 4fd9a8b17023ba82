/**
 * "Deployed" means running: after its containers start, a deploy watches them for a settle time and succeeds only if
 * every one stays up (no exit, no restart, not unhealthy). One-shot services others wait for with
 * `service_completed_successfully` must have exited with 0 instead. A failure names the container, its own exit code
 * and its last log lines.
 */
import type Docker from 'dockerode';
import { DeployError } from '../target';
import { sleep } from '../deadline';
import { streamLogs } from './logs';

/** How long containers must stay up after they started (and became healthy) before a deploy counts as done. */
export const DEFAULT_SETTLE_MS = 2_000;
const POLL_INTERVAL_MS = 200;
/** Polls for the exit code of a container that was restarted and is up again (about two seconds). */
const EXIT_CODE_POLLS = 10;
/** Log lines quoted in a failure. */
const LOG_LINES_SHOWN = 10;
const LOG_LINE_LENGTH = 300;

export const SETTLE_STEP = 'wait until stable';

export interface WatchedContainer {
  id: string;
  name: string;
  /** A one-shot service a dependent waits for with service_completed_successfully: exit 0 is its success. */
  oneShot?: boolean;
}

/** The container's last log lines, indented, for a failure message; empty when it printed nothing. */
export async function lastLogLines(docker: Docker, container: WatchedContainer): Promise<string> {
  const lines: string[] = [];
  try {
    await streamLogs(docker, [{ id: container.id, unit: container.name }], { tail: LOG_LINES_SHOWN }, (line) =>
      lines.push(line.text.length > LOG_LINE_LENGTH ? `${line.text.slice(0, LOG_LINE_LENGTH)}…` : line.text),
    );
  } catch {
    // Logs are a courtesy here: the failure itself is what must be reported.
    return '';
  }
  const shown = lines.filter((line) => line.trim() !== '').slice(-LOG_LINES_SHOWN);
  return shown.length > 0 ? `; its last log lines:\n${shown.map((line) => `    ${line}`).join('\n')}` : '';
}

/** What is wrong with a container that should be up, or undefined when it is fine. */
export function containerProblem(
  info: Pick<Docker.ContainerInspectInfo, 'State' | 'RestartCount'>,
  oneShot = false,
): string | undefined {
  const state = info.State;
  if (oneShot) {
    if (state.Running || state.Status === 'created') return undefined;
    return state.ExitCode === 0 ? undefined : `exited with code ${state.ExitCode}`;
  }
  // Deploys create fresh containers: any restart at all means the process died. Once its next run is up, the engine
  // no longer says how the last one ended.
  if (state.Restarting || info.RestartCount > 0)
    return state.Running && !state.Restarting
      ? `keeps restarting (restarted ${info.RestartCount} times)`
      : `keeps restarting (last exit code ${state.ExitCode}, restarted ${info.RestartCount} times)`;
  if (!state.Running) return `exited with code ${state.ExitCode}${state.Error ? ` (${state.Error})` : ''}`;
  if (state.Health?.Status === 'unhealthy') {
    const said = state.Health.Log?.at(-1)?.Output?.trim();
    return `is unhealthy${said ? ` (last check said: ${said.slice(0, 200)})` : ''}`;
  }
  return undefined;
}

/**
 * Watches the containers for `settleMs`; throws a DeployError at the first one that exits, restarts or turns
 * unhealthy. One-shot containers still running are waited for until they exit.
 */
export async function waitUntilStable(
  docker: Docker,
  containers: WatchedContainer[],
  settleMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    let oneShotRunning = false;
    for (const container of containers) {
      let info = await docker.getContainer(container.id).inspect();
      // Restarted and up again: wait a moment for the exit code of a run that dies at once.
      for (
        let i = 0;
        i < EXIT_CODE_POLLS && info.RestartCount > 0 && info.State.Running && !info.State.Restarting;
        i++
      ) {
        await sleep(POLL_INTERVAL_MS, signal);
        info = await docker.getContainer(container.id).inspect();
      }
      const problem = containerProblem(info, container.oneShot);
      if (problem)
        throw new DeployError(SETTLE_STEP, `${container.name} ${problem}${await lastLogLines(docker, container)}`);
      if (container.oneShot && info.State.Running) oneShotRunning = true;
    }
    if (Date.now() >= deadline && !oneShotRunning) return;
    await sleep(POLL_INTERVAL_MS, signal);
  }
}
