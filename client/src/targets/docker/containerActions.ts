/**
 * What a user does to one container of a deployment (Container Tools style): a shell through the Engine API's exec,
 * its published HTTP addresses, its inspect document with secrets masked, a restart, and the deployment's recent
 * engine events. Pure Node (dockerode): the VS Code commands around it live in commands/containerCommands.ts.
 * Every function first checks the container carries our labels for the deployment: nothing else is touched.
 */
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { TargetError } from '../target';
import { belongsTo, labelFilter } from './labels';

/** The container of a deployment with this id or name, refused when it is not ours. */
export async function deploymentContainer(
  docker: Docker,
  targetName: string,
  deploymentName: string,
  unit: string,
): Promise<Docker.Container> {
  const containers = await docker.listContainers({ all: true, filters: labelFilter(deploymentName) });
  const found = containers.find(
    (info) => info.Id === unit || info.Names.some((name) => name.replace(/^\//, '') === unit),
  );
  if (!found || !belongsTo(found.Labels, deploymentName)) {
    throw new TargetError(targetName, `${unit} is not a container of the deployment ${deploymentName}`);
  }
  return docker.getContainer(found.Id);
}

/** An interactive shell in a running container, as a raw TTY stream. */
export interface ShellSession {
  /** Output and input of the shell's terminal (a TTY: one stream, no stdout/stderr framing). */
  stream: Duplex;
  resize(columns: number, rows: number): Promise<void>;
  /** The shell's exit code, once the stream ended. */
  exitCode(): Promise<number | undefined>;
}

/** bash when the image has it, else sh: what `docker exec -it … sh` users expect. */
const SHELL_COMMAND = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

/** Starts a shell in the container through exec (Tty, stdin attached), sized to the terminal. */
export async function openShell(container: Docker.Container, columns: number, rows: number): Promise<ShellSession> {
  const state = await container.inspect();
  if (!state.State.Running) throw new Error(`${state.Name.replace(/^\//, '')} is not running`);
  const exec = await container.exec({
    Cmd: SHELL_COMMAND,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: [`COLUMNS=${columns}`, `LINES=${rows}`, 'TERM=xterm-256color'],
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  const resize = async (width: number, height: number) => {
    try {
      await exec.resize({ w: width, h: height });
    } catch {
      // The shell has already ended, or the engine refuses a size: the terminal keeps working at the old size.
    }
  };
  await resize(columns, rows);
  return {
    stream,
    resize,
    exitCode: async () => (await exec.inspect()).ExitCode ?? undefined,
  };
}

/** The HTTP address of each published TCP port (`http://localhost:8080/`); the host's address for a remote engine. */
export function publishedHttpUrls(
  ports: Record<string, { HostIp?: string; HostPort?: string }[] | null | undefined> | undefined,
  engineHost: string,
): string[] {
  const urls = new Set<string>();
  for (const [containerPort, bindings] of Object.entries(ports ?? {})) {
    if (!containerPort.endsWith('/tcp')) continue;
    for (const binding of bindings ?? []) {
      if (!binding.HostPort) continue;
      const ip = binding.HostIp ?? '';
      const wildcard = ip === '' || ip === '0.0.0.0' || ip === '::';
      const host = wildcard ? engineHost : ip.includes(':') ? `[${ip}]` : ip;
      const scheme = containerPort.startsWith('443/') || binding.HostPort === '443' ? 'https' : 'http';
      urls.add(`${scheme}://${host}:${binding.HostPort}/`);
    }
  }
  return [...urls];
}

/** Where published ports are reached: localhost for a local socket, the host name of a tcp:// or ssh:// engine. */
export function engineHostName(dockerHost: string): string {
  if (dockerHost.startsWith('unix://') || dockerHost.startsWith('npipe://')) return 'localhost';
  try {
    return new URL(dockerHost).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
}

const SECRET_NAME = /pass|secret|token|key|credential|auth|private/i;
const MASK = '••••••••';

/**
 * The inspect document as JSON text, read-only: the values of environment variables whose names look secret are
 * masked, and every string goes through `redact` (which masks the secrets of this session's deploys).
 */
export function inspectDocument(inspected: unknown, redact: (text: string) => string): string {
  return JSON.stringify(
    inspected,
    (key, value: unknown) => {
      if (key === 'Env' && Array.isArray(value)) {
        return value.map((entry: unknown) => {
          if (typeof entry !== 'string') return entry;
          const equals = entry.indexOf('=');
          if (equals < 0) return entry;
          const name = entry.slice(0, equals);
          const setting = entry.slice(equals + 1);
          return SECRET_NAME.test(name) ? `${name}=${MASK}` : `${name}=${redact(setting)}`;
        });
      }
      return typeof value === 'string' ? redact(value) : value;
    },
    2,
  );
}

export interface EngineEvent {
  time: Date;
  message: string;
}

/** The engine's events about the deployment's containers in the last `sinceSeconds` (oldest first). */
export async function recentEvents(
  docker: Docker,
  deploymentName: string,
  sinceSeconds: number,
  now = new Date(),
): Promise<EngineEvent[]> {
  const until = Math.floor(now.getTime() / 1000);
  const stream = (await docker.getEvents({
    since: until - sinceSeconds,
    until,
    filters: { ...labelFilter(deploymentName), type: ['container'] },
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return parseEvents(text);
}

interface RawEvent {
  Action?: string;
  time?: number;
  timeNano?: number;
  Actor?: { Attributes?: Record<string, string> };
}

/** Engine events (JSON lines) as sentences, leaving out exec events (health checks, shells). */
export function parseEvents(text: string): EngineEvent[] {
  const events: EngineEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let event: RawEvent;
    try {
      event = JSON.parse(line) as RawEvent;
    } catch {
      continue;
    }
    const action = event.Action ?? '';
    if (action === '' || action.startsWith('exec_')) continue;
    const attributes = event.Actor?.Attributes ?? {};
    const container = attributes.name ?? 'container';
    const detail = action === 'die' && attributes.exitCode !== undefined ? ` (exit code ${attributes.exitCode})` : '';
    const time = event.timeNano ? new Date(event.timeNano / 1e6) : new Date((event.time ?? 0) * 1000);
    events.push({ time, message: `${container}: ${action.replace(/^health_status: /, 'health ')}${detail}` });
  }
  return events;
}
