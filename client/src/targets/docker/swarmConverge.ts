/**
 * Waits until a Swarm deployment has converged: every service has its desired number of running tasks (Swarm keeps a
 * task with a healthcheck in `starting` until it is healthy, so running means healthy there) and every update has
 * completed. Fails early with the tasks' own errors: a rejected task ("No such image"), a task that cannot be placed
 * ("no suitable node"), a task that keeps exiting (a restart loop), an update Swarm paused or rolled back.
 */
import type Docker from 'dockerode';
import { sleep } from '../deadline';
import { DeployError, DeployProgress } from '../target';
import { SwarmTask, tasksOf } from './swarmEngine';

export interface ConvergingService {
  id: string;
  /** The service's key in the stack ("web"). */
  key: string;
  /** Its task template changed in this deploy: Swarm replaces its tasks in a rolling update, which must complete. */
  rollout: boolean;
}

export interface ConvergeOptions {
  timeoutMs: number;
  /** How long every service must stay converged (no task ending) before the deploy counts as done. */
  settleMs: number;
  /** Tasks created before this are history from earlier deploys and do not count as failures. */
  since: number;
  report: (progress: DeployProgress) => void;
  signal?: AbortSignal;
}

const POLL_MS = 200;
/** Failed tasks of one service, since the deploy began, after which it is a restart loop rather than a hiccup. */
const FAILED_TASKS_LIMIT = 3;
/** How long a task may wait for a node with an error ("no suitable node …") before that is the answer. */
const UNPLACEABLE_MS = 4_000;

/** A task that ended on its own: failed, refused by its node, or exited 0 although a service should keep running. */
const ENDED_STATES = new Set(['failed', 'rejected', 'complete']);

interface ServiceView {
  key: string;
  desired: number;
  running: number;
  done: boolean;
  failure?: string;
}

function latestError(tasks: SwarmTask[]): string | undefined {
  const failed = tasks
    .filter((task) => task.Status.Err)
    .sort((a, b) => (b.UpdatedAt ?? b.CreatedAt).localeCompare(a.UpdatedAt ?? a.CreatedAt));
  return failed[0]?.Status.Err;
}

/**
 * What the health check of the service's latest ended task said, when that task ended unhealthy: Swarm replaces an
 * unhealthy task without saying why, but its container keeps the check's output.
 */
async function lastHealthOutput(
  docker: Docker,
  tasks: SwarmTask[],
  serviceId: string,
  since: number,
): Promise<string | undefined> {
  const ended = tasks
    .filter(
      (task) =>
        task.ServiceID === serviceId &&
        task.DesiredState !== 'running' &&
        task.Status.ContainerStatus?.ContainerID &&
        Date.parse(task.CreatedAt) >= since,
    )
    .sort((a, b) => b.CreatedAt.localeCompare(a.CreatedAt));
  for (const task of ended) {
    try {
      const health = (await docker.getContainer(task.Status.ContainerStatus?.ContainerID as string).inspect()).State
        .Health;
      if (health?.Status === 'unhealthy') return health.Log?.at(-1)?.Output?.trim().slice(0, 200) || 'nothing';
    } catch {
      // The container is already gone with its task; the next older one may still be there.
    }
  }
  return undefined;
}

export async function waitConverged(
  docker: Docker,
  converging: ConvergingService[],
  options: ConvergeOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const pendingSince = new Map<string, number>();
  let lastProgress = '';
  let convergedAt: number | undefined;
  const ids = converging.map((service) => service.id);
  for (;;) {
    const services = new Map(
      (await docker.listServices({ filters: { id: ids }, status: true })).map((service) => [service.ID, service]),
    );
    const tasks = await tasksOf(docker, ids);
    const views = converging.map((service): ServiceView => {
      const info = services.get(service.id);
      if (!info) return { key: service.key, desired: 0, running: 0, done: false, failure: 'the service was removed' };
      const own = tasks.filter((task) => task.ServiceID === service.id);
      const current = own.filter((task) => task.DesiredState === 'running');
      const running = current.filter((task) => task.Status.State === 'running').length;
      const replicated = info.Spec?.Mode?.Replicated;
      const desired = replicated ? (replicated.Replicas ?? 1) : (info.ServiceStatus?.DesiredTasks ?? current.length);
      const recentFailures = own.filter(
        (task) => ENDED_STATES.has(task.Status.State) && Date.parse(task.CreatedAt) >= options.since,
      );
      // Only an update this deploy started counts: an earlier one may have ended paused or rolled back.
      const started = Date.parse(info.UpdateStatus?.StartedAt ?? '');
      const update = service.rollout && started >= options.since ? info.UpdateStatus?.State : undefined;
      const view: ServiceView = { key: service.key, desired, running, done: false };
      const taskError = latestError(recentFailures);
      const because = taskError ? `: ${taskError}` : '';
      if (update === 'paused' || update === 'rollback_paused' || update === 'rollback_completed') {
        const verb = update === 'paused' ? 'Swarm paused its update' : 'Swarm rolled its update back';
        view.failure = `${verb} (${info.UpdateStatus?.Message ?? 'no reason given'})${because}`;
        return view;
      }
      if (recentFailures.length >= FAILED_TASKS_LIMIT) {
        view.failure = `${recentFailures.length} tasks failed (a restart loop)${because}`;
        return view;
      }
      // Swarm gave up (restart condition none, or max_attempts used up): nothing will run any more.
      if (recentFailures.length > 0 && current.length === 0 && desired > 0) {
        view.failure = `its task failed and Swarm will not restart it${because}`;
        return view;
      }
      for (const task of current) {
        if (task.Status.State === 'pending' && task.Status.Err) {
          const first = pendingSince.get(task.ID) ?? Date.now();
          pendingSince.set(task.ID, first);
          if (Date.now() - first >= UNPLACEABLE_MS) {
            view.failure = `its task cannot be placed: ${task.Status.Err}`;
            return view;
          }
        }
      }
      // Until the update completes, running tasks may be of the old spec; and Swarm watches updated tasks for
      // `update_config.monitor` before it calls the update completed.
      view.done = (!service.rollout || update === 'completed') && running >= desired;
      return view;
    });
    const progress = views.map((view) => `${view.key} ${view.running}/${view.desired} running`).join(', ');
    if (progress !== lastProgress) {
      lastProgress = progress;
      options.report({ step: 'converge', message: progress });
    }
    const failed = views.filter((view) => view.failure);
    if (failed.length > 0) {
      const reasons = await Promise.all(
        failed.map(async (view) => {
          const service = converging.find((candidate) => candidate.key === view.key) as ConvergingService;
          const health = await lastHealthOutput(docker, tasks, service.id, options.since);
          return `service ${view.key}: ${view.failure}${health ? ` (unhealthy; last check said: ${health})` : ''}`;
        }),
      );
      throw new DeployError('converge', reasons.join('; '));
    }
    // A task that ends soon after it started drops its service below its replicas again: the clock restarts, and
    // a crash loop ends in the restart-loop failure above.
    if (views.every((view) => view.done)) {
      convergedAt ??= Date.now();
      if (Date.now() - convergedAt >= options.settleMs) return;
    } else convergedAt = undefined;
    if (Date.now() > deadline) {
      const behind = views.filter((view) => !view.done).map((view) => view.key);
      const lastError = latestError(tasks);
      throw new DeployError(
        'converge',
        `not converged after ${Math.round(options.timeoutMs / 1000)} s: ${progress} (waiting for ${behind.join(', ')}${lastError ? `; last task error: ${lastError}` : ''})`,
      );
    }
    await sleep(POLL_MS, options.signal);
  }
}
