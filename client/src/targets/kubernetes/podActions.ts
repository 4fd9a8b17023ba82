/**
 * What the editor does with one pod of a deployment: describe it (spec and status summary with its events), forward a
 * local loopback port to one of its ports, and run a command (a shell) in one of its containers. Port forwarding and
 * exec go through the API server's portforward and exec subresources (WebSockets), as kubectl does, so they work
 * wherever the API server is reachable. Pure Node: the extension wraps exec in a terminal.
 */
import net from 'node:net';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { V1Status } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { KubernetesConnection, explainFailure } from './connection';
import { RolloutEvent, eventTime } from './rollout';

/** The pod fields Describe shows. */
export interface DescribedPod {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    creationTimestamp?: unknown;
    deletionTimestamp?: unknown;
    ownerReferences?: { kind?: string; name?: string }[];
  };
  spec?: {
    nodeName?: string;
    serviceAccountName?: string;
    restartPolicy?: string;
    containers?: {
      name: string;
      image?: string;
      command?: string[];
      args?: string[];
      ports?: { containerPort?: number; protocol?: string; name?: string }[];
      resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
      readinessProbe?: unknown;
      livenessProbe?: unknown;
    }[];
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    hostIP?: string;
    startTime?: unknown;
    qosClass?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: {
      name: string;
      ready?: boolean;
      restartCount?: number;
      state?: ContainerStates;
      lastState?: ContainerStates;
    }[];
  };
}

function timeText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : '-';
}

function quantities(values: Record<string, unknown> | undefined): string {
  return Object.entries(values ?? {})
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(', ');
}

type ContainerStates = Record<string, Record<string, unknown> | undefined>;

/** "running since …", "waiting CrashLoopBackOff: …", "terminated Error exit code 3". */
function stateText(state: ContainerStates | undefined): string {
  const entries = Object.entries(state ?? {}).filter(([, detail]) => detail !== undefined && detail !== null);
  if (entries.length === 0) return 'unknown';
  const [name, detail = {}] = entries[0];
  const parts = [name];
  if (detail.reason) parts.push(String(detail.reason));
  if (detail.exitCode !== undefined) parts.push(`exit code ${String(detail.exitCode)}`);
  if (detail.startedAt) parts.push(`since ${timeText(detail.startedAt)}`);
  if (detail.message) parts.push(`: ${String(detail.message).split('\n')[0]}`);
  return parts.join(' ');
}

/** A `kubectl describe pod`-like text: identity, placement, containers with their state, conditions, events. */
export function describePodText(pod: DescribedPod, events: readonly RolloutEvent[]): string {
  const metadata = pod.metadata ?? {};
  const status = pod.status ?? {};
  const lines = [
    `Name:         ${metadata.name ?? '?'}`,
    `Namespace:    ${metadata.namespace ?? '?'}`,
    `Node:         ${pod.spec?.nodeName ?? '-'}${status.hostIP ? `/${status.hostIP}` : ''}`,
    `Started:      ${timeText(status.startTime)}`,
    `Status:       ${metadata.deletionTimestamp ? 'Terminating' : (status.phase ?? 'Unknown')}${status.reason ? ` (${status.reason})` : ''}`,
    `IP:           ${status.podIP ?? '-'}`,
    `Controlled by: ${(metadata.ownerReferences ?? []).map((owner) => `${owner.kind}/${owner.name}`).join(', ') || '-'}`,
    `Labels:       ${Object.entries(metadata.labels ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(', ')}`,
  ];
  if (status.message) lines.push(`Message:      ${status.message}`);
  lines.push('Containers:');
  for (const container of pod.spec?.containers ?? []) {
    const live = status.containerStatuses?.find((candidate) => candidate.name === container.name);
    lines.push(`  ${container.name}:`);
    lines.push(`    Image:      ${container.image ?? '-'}`);
    const command = [...(container.command ?? []), ...(container.args ?? [])];
    if (command.length > 0) lines.push(`    Command:    ${command.join(' ')}`);
    const ports = (container.ports ?? []).map((port) => `${port.containerPort}/${port.protocol ?? 'TCP'}`);
    if (ports.length > 0) lines.push(`    Ports:      ${ports.join(', ')}`);
    lines.push(`    State:      ${live ? stateText(live.state) : 'not created'}`);
    if (live?.lastState && Object.values(live.lastState).some(Boolean)) {
      lines.push(`    Last state: ${stateText(live.lastState)}`);
    }
    lines.push(`    Ready:      ${live?.ready ? 'true' : 'false'}`, `    Restarts:   ${live?.restartCount ?? 0}`);
    if (container.resources?.requests) lines.push(`    Requests:   ${quantities(container.resources.requests)}`);
    if (container.resources?.limits) lines.push(`    Limits:     ${quantities(container.resources.limits)}`);
    if (container.readinessProbe) lines.push(`    Readiness:  ${JSON.stringify(container.readinessProbe)}`);
    if (container.livenessProbe) lines.push(`    Liveness:   ${JSON.stringify(container.livenessProbe)}`);
  }
  lines.push('Conditions:');
  for (const condition of status.conditions ?? []) {
    const why = condition.reason ? ` (${condition.reason}${condition.message ? `: ${condition.message}` : ''})` : '';
    lines.push(`  ${condition.type}: ${condition.status}${why}`);
  }
  lines.push('Events:');
  const sorted = [...events].sort((a, b) => eventTime(a) - eventTime(b));
  if (sorted.length === 0) lines.push('  <none>');
  for (const event of sorted) {
    const count = (event.count ?? 1) > 1 ? ` (x${event.count})` : '';
    lines.push(
      `  ${new Date(eventTime(event)).toISOString()}  ${event.type ?? 'Normal'}  ${event.reason ?? ''}: ${event.message ?? ''}${count}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A pod of a deployment, located. */
export interface PodRef {
  namespace: string;
  name: string;
}

/** The pod's description with its events (events only add detail: without the right to list them there are none). */
export async function describePod(connection: KubernetesConnection, pod: PodRef): Promise<string> {
  const core = connection.kubeConfig.makeApiClient(connection.k8s.CoreV1Api);
  const live = await core.readNamespacedPod({ name: pod.name, namespace: pod.namespace });
  const events = await core
    .listNamespacedEvent({
      namespace: pod.namespace,
      fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod.name}`,
    })
    .then(
      (list) => list.items.filter((event) => event.involvedObject.uid === live.metadata?.uid) as RolloutEvent[],
      () => [] as RolloutEvent[],
    );
  return describePodText(live as DescribedPod, events);
}

export interface PortForwardSession {
  /** The loopback port that reaches the pod's port. */
  localPort: number;
  /** Called with a connection's failure (the pod went away, nothing listens on the port); the forward goes on. */
  onError?: (message: string) => void;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:`localPort` (0: any free port) and forwards each connection to `remotePort` of the pod through
 * the API server, one portforward WebSocket per connection as kubectl does.
 */
export async function forwardPort(
  connection: KubernetesConnection,
  pod: PodRef,
  remotePort: number,
  localPort = 0,
): Promise<PortForwardSession> {
  const forwarder = new connection.k8s.PortForward(connection.kubeConfig, true);
  const sockets = new Set<net.Socket>();
  const session: PortForwardSession = {
    localPort: 0,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Errors of the data stream (nothing listens on the port) end this connection only. The error channel's first
    // frame is just the port number (two bytes): not an error.
    const errors = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        const printable = [...chunk.toString('utf8')].filter((character) => character >= ' ' && character !== '\ufffd');
        const text = printable.join('').trim();
        if (text !== '') {
          session.onError?.(text);
          socket.destroy();
        }
        callback();
      },
    });
    socket.on('error', () => socket.destroy());
    forwarder.portForward(pod.namespace, pod.name, [remotePort], socket, errors, socket).then(
      (opened) => {
        const webSocket = typeof opened === 'function' ? opened() : opened;
        socket.on('close', () => webSocket?.close());
      },
      (error: unknown) => {
        session.onError?.(
          `cannot forward to ${pod.namespace}/${pod.name}:${remotePort}: ${explainFailure(error, connection.server)}`,
        );
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(localPort, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  session.localPort = (server.address() as net.AddressInfo).port;
  return session;
}

export interface ExecOptions {
  /** The container; the pod's first one by default. */
  container?: string;
  /** Defaults to a shell: bash when the image has one, else sh. */
  command?: string[];
  tty?: boolean;
  stdin?: Readable;
  stdout: Writable;
  stderr?: Writable;
}

export interface ExecSession {
  /** Resolves with the command's exit code when it ends (0 on success). */
  exited: Promise<number>;
  /** Tells the terminal size to the remote TTY. */
  resize(columns: number, rows: number): void;
  close(): void;
}

/** Starts the command in the container through the exec subresource. */
export async function execInPod(
  connection: KubernetesConnection,
  pod: PodRef,
  options: ExecOptions,
): Promise<ExecSession> {
  const command = options.command ?? [
    '/bin/sh',
    '-c',
    'if command -v bash >/dev/null; then exec bash; else exec sh; fi',
  ];
  let container = options.container;
  if (container === undefined) {
    const live = await connection.kubeConfig
      .makeApiClient(connection.k8s.CoreV1Api)
      .readNamespacedPod({ name: pod.name, namespace: pod.namespace });
    container = live.spec?.containers[0]?.name ?? '';
  }
  let settle: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (settle = resolve));
  const onStatus = (status: V1Status) => {
    if (status.status === 'Success') return settle(0);
    const exitCause = status.details?.causes?.find((cause) => cause.reason === 'ExitCode');
    settle(exitCause?.message ? Number(exitCause.message) : 1);
  };
  const webSocket = await new connection.k8s.Exec(connection.kubeConfig).exec(
    pod.namespace,
    pod.name,
    container,
    command,
    options.stdout,
    options.stderr ?? options.stdout,
    options.stdin ?? new PassThrough(),
    options.tty ?? false,
    onStatus,
  );
  webSocket.on('close', () => settle(1));
  return {
    exited,
    // Channel 4 of the Kubernetes exec protocol carries the terminal size as JSON.
    resize: (columns, rows) => {
      if (webSocket.readyState === webSocket.OPEN) {
        webSocket.send(
          Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: columns, Height: rows }))]),
        );
      }
    },
    close: () => webSocket.close(),
  };
}
