/**
 * Deadlines and cancellation for every call a target makes to an engine or API. Pure Node: the Docker target wraps
 * its client's requests with it, other targets and the CLI use `withDeadline` directly.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** How long one engine or API request may take before we give up on it (pulls and log streams excepted). */
export const DEFAULT_CALL_DEADLINE_MS = 30_000;

/** A call that got no answer in time: "<what> did not answer within N s". */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not answer within ${formatSeconds(ms)} s`);
  }
}

/** Work stopped because the user cancelled it (Ctrl-C, SIGTERM, the editor's Cancel button). */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(what = 'the operation') {
    super(`${what} was cancelled`);
  }
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1);
}

export interface DeadlineOptions {
  /** Milliseconds before the call is abandoned with a DeadlineError. */
  ms: number;
  /** Who should have answered, for the message (e.g. "/var/run/docker.sock"). */
  what: string;
  /** Cancels the call with a CancelledError. */
  signal?: AbortSignal;
}

/**
 * Runs `work` with a signal that aborts at the deadline or when `signal` aborts, and settles at that moment even if
 * `work` ignores its signal: a caller is never left waiting on an engine that does not answer.
 */
export async function withDeadline<T>(work: (signal: AbortSignal) => Promise<T>, options: DeadlineOptions): Promise<T> {
  if (options.signal?.aborted) throw new CancelledError();
  const controller = new AbortController();
  let onAbort: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineError(options.what, options.ms);
      controller.abort(error);
      reject(error);
    }, options.ms);
    onAbort = () => {
      const error = new CancelledError();
      controller.abort(error);
      reject(error);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), stopped]);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The cancellation signal of the operation running in this async context. Deploys run their engine calls inside
 * `cancellable(signal, …)`, so every call they make is cancelled with them; rollback runs in `uncancellable(…)`,
 * because taking away what a cancelled deploy created must still happen (under deadlines).
 */
const currentSignal = new AsyncLocalStorage<AbortSignal | undefined>();

export function cancellable<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  return currentSignal.run(signal, work);
}

export function uncancellable<T>(work: () => Promise<T>): Promise<T> {
  return currentSignal.run(undefined, work);
}

export function activeSignal(): AbortSignal | undefined {
  return currentSignal.getStore();
}

/** True for an error that means "cancelled" (ours, or the platform's AbortError after a signal). */
export function isCancellation(error: unknown): boolean {
  return error instanceof CancelledError || (error as { name?: string } | undefined)?.name === 'AbortError';
}

/** Waits `ms`; a CancelledError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError('the deploy'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError('the deploy'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
