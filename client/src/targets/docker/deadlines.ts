/**
 * Every request a Docker client sends gets a deadline and the cancellation signal of the operation it belongs to.
 * Done once, at docker-modem's dial, so no engine call anywhere (ours or dockerode's) can wait forever. Streams
 * (logs, events, pulls) get the deadline until the engine answers with headers; after that they run until they end
 * or their operation is cancelled.
 */
import type Docker from 'dockerode';
import { activeSignal, CancelledError, DeadlineError } from '../deadline';

type DialCallback = (error: unknown, data?: unknown) => void;
interface DialOptions {
  path?: string;
  abortSignal?: AbortSignal;
  isStream?: boolean;
  options?: { t?: unknown };
}

/** A stop without `t` waits for the container's own stop timeout, which we do not know here: at most this long. */
const UNKNOWN_STOP_WAIT_MS = 10 * 60_000;

/** Requests that wait on purpose get that time on top of the deadline: a stop waits for the process to exit. */
function intendedWaitMs(options: DialOptions): number {
  if (!/^\/containers\/[^/]+\/(stop|restart)\?/.test(options.path ?? '')) return 0;
  const seconds = Number(options.options?.t);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : UNKNOWN_STOP_WAIT_MS;
}
interface Modem {
  dial(options: DialOptions, callback: DialCallback): void;
}

export interface EngineDeadlines {
  /** Milliseconds one request may take. */
  callMs: number;
  /** The engine, for "… did not answer within N s". */
  what: string;
}

export function applyDeadlines(docker: Docker, deadlines: EngineDeadlines): void {
  const modem = docker.modem as unknown as Modem;
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    const operation = activeSignal();
    if (operation?.aborted) return callback(new CancelledError());
    const controller = new AbortController();
    const deadlineMs = deadlines.callMs + intendedWaitMs(options);
    const timer = setTimeout(() => controller.abort(new DeadlineError(deadlines.what, deadlineMs)), deadlineMs);
    const signals = [controller.signal, options.abortSignal, operation].filter((s): s is AbortSignal => !!s);
    options.abortSignal = AbortSignal.any(signals);
    let settled = false;
    const onCancel = () => finish(new CancelledError());
    const finish: DialCallback = (error, data) => {
      clearTimeout(timer);
      operation?.removeEventListener('abort', onCancel);
      if (settled) return;
      settled = true;
      if (error && controller.signal.aborted) return callback(controller.signal.reason);
      if (error && operation?.aborted) return callback(new CancelledError());
      callback(error, data);
    };
    // The request itself ends on abort; this makes sure the caller hears of it even if the modem does not report it.
    controller.signal.addEventListener('abort', () => finish(controller.signal.reason), { once: true });
    operation?.addEventListener('abort', onCancel, { once: true });
    dial(options, finish);
  };
}
