/**
 * Container logs as lines. Non-TTY containers send a multiplexed stream (8-byte frame headers naming stdout or
 * stderr); TTY containers send raw text. Lines of several containers are merged in time order.
 */
import type Docker from 'dockerode';
import { parseDuration } from '../../../../server/src/stack/specs';
import { LogLine, LogOptions } from '../target';

type StreamName = LogLine['stream'];
const FRAME_HEADER_BYTES = 8;

/** Splits the engine's multiplexed log stream into stdout/stderr text, then into whole lines. */
export class LogLineSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<StreamName, string> = { stdout: '', stderr: '' };

  constructor(
    private readonly multiplexed: boolean,
    private readonly onLine: (stream: StreamName, text: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (!this.multiplexed) return this.text('stdout', chunk.toString('utf8'));
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= FRAME_HEADER_BYTES) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < FRAME_HEADER_BYTES + size) break;
      // Stream type 2 is stderr; 0 (stdin) and 1 are shown as stdout.
      const stream: StreamName = this.pending[0] === 2 ? 'stderr' : 'stdout';
      this.text(stream, this.pending.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + size).toString('utf8'));
      this.pending = this.pending.subarray(FRAME_HEADER_BYTES + size);
    }
  }

  /** Emits what is left of an unterminated last line. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.onLine(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  private text(stream: StreamName, text: string): void {
    const lines = (this.partial[stream] + text).split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.onLine(stream, line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}

/** `--since` as the engine wants it (unix seconds): accepts unix seconds, a duration back from now, or a date. */
export function sinceSeconds(since: string, now = Date.now()): number {
  const text = since.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.floor(Number(text));
  const duration = parseDuration(text);
  if (duration.ok) return Math.floor((now - duration.nanoseconds / 1e6) / 1000);
  const date = Date.parse(text);
  if (!Number.isNaN(date)) return Math.floor(date / 1000);
  throw new Error(
    `--since '${since}' is neither unix seconds, a duration like 10m, nor a date like 2024-05-01T10:00:00Z`,
  );
}

/** The engine prefixes each line with an RFC 3339 nano timestamp and a space when asked for timestamps. */
export function splitTimestamp(text: string): { timestamp?: string; text: string } {
  const space = text.indexOf(' ');
  if (space > 0 && /^\d{4}-\d\d-\d\dT/.test(text))
    return { timestamp: text.slice(0, space), text: text.slice(space + 1) };
  return { text };
}

export interface LogSource {
  id: string;
  unit: string;
  service?: string;
}

async function readContainer(
  docker: Docker,
  source: LogSource,
  options: LogOptions,
  emit: (line: LogLine) => void,
): Promise<void> {
  const container = docker.getContainer(source.id);
  const info = await container.inspect();
  const splitter = new LogLineSplitter(!info.Config.Tty, (stream, raw) => {
    const { timestamp, text } = splitTimestamp(raw);
    emit({ unit: source.unit, service: source.service, stream, text, timestamp });
  });
  const request: Docker.ContainerLogsOptions = {
    stdout: true,
    stderr: true,
    // Always with timestamps: lines of several containers are ordered by them; the caller decides whether to show them.
    timestamps: true,
    since: options.since ? sinceSeconds(options.since) : 0,
  };
  if (options.tail !== undefined) request.tail = options.tail;
  if (!options.follow) {
    splitter.push(await container.logs({ ...request, follow: false }));
    splitter.end();
    return;
  }
  const stream = await container.logs({ ...request, follow: true, abortSignal: options.signal });
  await followLogStream(stream, splitter, options.signal);
}

/** Feeds a followed log stream to the splitter until the stream ends or the signal aborts. */
export async function followLogStream(
  stream: NodeJS.ReadableStream & { destroy?: () => void },
  splitter: LogLineSplitter,
  signal: AbortSignal | undefined,
): Promise<void> {
  await new Promise<void>((resolve) => {
    const finish = () => {
      splitter.end();
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      stream.destroy?.();
      finish();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => splitter.push(chunk));
    stream.on('end', finish);
    stream.on('close', finish);
    // An aborted request ends with an error; the logs simply stop there.
    stream.on('error', finish);
  });
}

/** Streams the logs of several containers; without follow, all lines come sorted by time across containers. */
export async function streamLogs(
  docker: Docker,
  sources: LogSource[],
  options: LogOptions,
  onLine: (line: LogLine) => void,
): Promise<void> {
  const show = (line: LogLine): void => onLine(options.timestamps ? line : { ...line, timestamp: undefined });
  if (options.follow) {
    await Promise.all(sources.map((source) => readContainer(docker, source, options, show)));
    return;
  }
  const lines: LogLine[] = [];
  await Promise.all(sources.map((source) => readContainer(docker, source, options, (line) => lines.push(line))));
  // RFC 3339 nano timestamps in UTC sort correctly as strings; the sort is stable within one container.
  lines.sort((a, b) => (a.timestamp ?? '').localeCompare(b.timestamp ?? ''));
  lines.forEach(show);
}
