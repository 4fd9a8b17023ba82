/** Makes sure an image is on the engine, pulling it with progress when missing. */
import type Docker from 'dockerode';
import { CancelledError, isCancellation } from '../deadline';
import { DeployError, DeployProgress } from '../target';
import { engineMessage, statusCodeOf } from './failures';

/** A pull that reports nothing for this long has stalled (the request itself has the usual deadline). */
const PULL_IDLE_MS = 120_000;

interface PullEvent {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

/** Turns the engine's per-layer pull events into a few readable progress lines ("3/5 layers done"). */
export class PullProgress {
  private readonly layers = new Map<string, string>();
  private lastReported = '';

  constructor(
    private readonly image: string,
    private readonly report: (progress: DeployProgress) => void,
  ) {}

  accept(event: PullEvent): void {
    if (event.id && event.status && event.id !== this.image.split(':').pop()) this.layers.set(event.id, event.status);
    const done = [...this.layers.values()].filter((status) => /complete|already exists/i.test(status)).length;
    const message =
      this.layers.size > 0 ? `pulling ${this.image}: ${done}/${this.layers.size} layers done` : `pulling ${this.image}`;
    if (message !== this.lastReported) {
      this.lastReported = message;
      this.report({ step: 'pull image', message });
    }
  }
}

async function imagePresent(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error) {
    if (statusCodeOf(error) === 404) return false;
    throw error;
  }
}

function missing(image: string, cause: string, error?: unknown): DeployError {
  return new DeployError(
    'pull image',
    `image missing: ${image} is not on the engine and pulling it failed: ${cause}`,
    error,
  );
}

/** Pulls `image` unless present. A failed pull is an "image missing" DeployError. */
export async function ensureImage(
  docker: Docker,
  image: string,
  report: (progress: DeployProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (await imagePresent(docker, image)) return;
  report({ step: 'pull image', message: `${image} is not on the engine, pulling it` });
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(image, { abortSignal: signal });
  } catch (error) {
    if (isCancellation(error) || signal?.aborted) throw new CancelledError('the deploy');
    throw missing(image, engineMessage(error), error);
  }
  const progress = new PullProgress(image, report);
  await new Promise<void>((resolve, reject) => {
    // A pull may take long, but not in silence: the engine reports progress every few seconds while it works.
    let idle: NodeJS.Timeout | undefined;
    const stall = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        reject(missing(image, `the engine reported no progress for ${PULL_IDLE_MS / 1000} s`));
      }, PULL_IDLE_MS);
    };
    stall();
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        clearTimeout(idle);
        if (signal?.aborted) reject(new CancelledError('the deploy'));
        else if (error) reject(missing(image, error.message, error));
        else resolve();
      },
      (event: PullEvent) => {
        stall();
        // Pull failures arrive as an event inside a 200 response, not as an HTTP error.
        const failure = event.errorDetail?.message ?? event.error;
        if (failure) reject(missing(image, failure));
        else progress.accept(event);
      },
    );
  });
  if (!(await imagePresent(docker, image))) throw missing(image, 'the engine reported success but has no such image');
}
