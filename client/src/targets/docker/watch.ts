/**
 * Tells a view when our deployments change: the engine's events stream (filtered to our labels) while it is
 * connected, and polling the deployment list while it is not, reconnecting with back-off.
 */
import type Docker from 'dockerode';
import { DeploymentSummary } from '../target';
import { labelFilter } from './labels';

const DEBOUNCE_MS = 150;
const POLL_INTERVAL_MS = 5_000;
const MAX_RECONNECT_DELAY_MS = 30_000;

export class DeploymentWatcher {
  private disposed = false;
  private events?: NodeJS.ReadableStream & { destroy?: () => void };
  private debounce?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private pollTimer?: NodeJS.Timeout;
  private reconnectDelay = 1_000;
  private lastSnapshot?: string;

  constructor(
    private readonly connect: () => Promise<Docker>,
    private readonly list: () => Promise<DeploymentSummary[]>,
    private readonly onChange: () => void,
  ) {
    void this.subscribe();
  }

  private changed(): void {
    clearTimeout(this.debounce);
    // A deploy produces a burst of events (create, attach, start…): report it once.
    this.debounce = setTimeout(() => {
      if (!this.disposed) this.onChange();
    }, DEBOUNCE_MS);
  }

  private async subscribe(): Promise<void> {
    if (this.disposed) return;
    try {
      const docker = await this.connect();
      const stream = (await docker.getEvents({
        filters: { ...labelFilter(), type: ['container', 'network', 'volume'] },
      })) as NodeJS.ReadableStream & { destroy?: () => void };
      if (this.disposed) return stream.destroy?.();
      this.events = stream;
      this.stopPolling();
      this.reconnectDelay = 1_000;
      stream.on('data', (chunk: Buffer | string) => {
        if (!onlyExecEvents(chunk.toString())) this.changed();
      });
      const lost = () => {
        if (this.events !== stream) return;
        this.events = undefined;
        this.fallBack();
      };
      stream.on('end', lost);
      stream.on('close', lost);
      stream.on('error', lost);
    } catch {
      this.fallBack();
    }
  }

  /** Polls while the events stream is down and schedules the next reconnect attempt. */
  private fallBack(): void {
    if (this.disposed) return;
    if (!this.pollTimer) this.pollTimer = setInterval(() => void this.poll(), POLL_INTERVAL_MS);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.subscribe(), this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
  }

  private async poll(): Promise<void> {
    try {
      const snapshot = JSON.stringify(await this.list());
      if (this.lastSnapshot !== undefined && snapshot !== this.lastSnapshot) this.changed();
      this.lastSnapshot = snapshot;
    } catch {
      // The engine is still away; the next poll or reconnect tries again.
    }
  }

  private stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.lastSnapshot = undefined;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.debounce);
    clearTimeout(this.reconnectTimer);
    this.stopPolling();
    this.events?.destroy?.();
    this.events = undefined;
  }
}

/**
 * Whether a chunk of the events stream holds only exec events: health checks and shells in a container emit them
 * all the time, and they change nothing a view shows (a health change comes as its own health_status event).
 */
export function onlyExecEvents(chunk: string): boolean {
  const lines = chunk.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return false;
  return lines.every((line) => {
    try {
      const action = (JSON.parse(line) as { Action?: unknown }).Action;
      return typeof action === 'string' && action.startsWith('exec_');
    } catch {
      return false;
    }
  });
}
