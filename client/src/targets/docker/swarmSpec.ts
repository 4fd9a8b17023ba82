/**
 * Turns a rendered Compose document into what a Swarm stack is made of — overlay networks, configs, secrets and one
 * service spec per Compose service — named and labelled as `docker stack deploy` names them (`<stack>_<key>`,
 * `com.docker.stack.namespace`). Pure: every problem in the document is found here, before anything is created.
 * Values Compose accepts as strings after interpolation (`replicas: "2"`, `cpus: "0.5"`, `memory: "64M"`) are
 * converted as Compose converts them.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import {
  isValidComposeProjectName,
  parseDuration,
  parsePortSpec,
  parseVolumeSpec,
} from '../../../../server/src/stack/specs';
import { DeployError, RenderedStack } from '../target';
import { isMapping, Mapping, splitShellWords } from './containerSpec';
import { ownLabels } from './labels';

export const STACK_LABELS = {
  namespace: 'com.docker.stack.namespace',
  image: 'com.docker.stack.image',
} as const;

/** On configs and secrets: the top-level key they were declared under (their engine names carry a version). */
export const OBJECT_KEY_LABEL = 'windflow.object-key';
/** On services: SHA-256 of the spec we rendered, so a redeploy leaves an unchanged service untouched. */
export const SPEC_HASH_LABEL = 'windflow.spec-hash';
/** On services: SHA-256 of the task template alone; when it changes, Swarm replaces the tasks (a rolling update). */
export const TASK_HASH_LABEL = 'windflow.task-hash';

const HANDLED_SERVICE_KEYS = new Set([
  'image',
  'command',
  'entrypoint',
  'environment',
  'labels',
  'hostname',
  'user',
  'working_dir',
  'stop_signal',
  'stop_grace_period',
  'tty',
  'stdin_open',
  'read_only',
  'init',
  'cap_add',
  'cap_drop',
  'extra_hosts',
  'dns',
  'dns_search',
  'sysctls',
  'healthcheck',
  'logging',
  'volumes',
  'ports',
  'networks',
  'configs',
  'secrets',
  'deploy',
  'restart',
]);

export interface SwarmNetworkPlan {
  key: string;
  name: string;
  external: boolean;
  create: Docker.NetworkCreateOptions;
}

/** A config or a secret: created under `<base>` (or a versioned name when that exists with other content). */
export interface SwarmObjectPlan {
  key: string;
  /** `<stack>_<key>`, or the declared `name:`. */
  baseName: string;
  external: boolean;
  /** Absent for external objects. */
  data?: Buffer;
  labels: Record<string, string>;
}

export interface ObjectReference {
  key: string;
  /** Path in the container (configs) or file name under /run/secrets (secrets). */
  target: string;
  uid: string;
  gid: string;
  mode: number;
}

export interface SwarmServicePlan {
  key: string;
  name: string;
  /** The spec without its config and secret references, which need the engine's ids. */
  spec: Docker.ServiceSpec;
  configs: ObjectReference[];
  secrets: ObjectReference[];
  global: boolean;
  replicas: number;
  hasHealthcheck: boolean;
  /** Keys Swarm does not use, skipped (the editor reports them as information, WF160). */
  ignoredKeys: string[];
}

export interface SwarmPlan {
  namespace: string;
  networks: SwarmNetworkPlan[];
  configs: SwarmObjectPlan[];
  secrets: SwarmObjectPlan[];
  services: SwarmServicePlan[];
}

export interface SwarmPlanOptions {
  /** The folder `file:` configs and secrets and relative bind mounts resolve against. */
  workingDir: string;
}

function fail(message: string): never {
  throw new DeployError('prepare', message);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

function text(where: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(`${where} must be a string, not ${describe(value)}`);
}

function list(where: string, value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(`${where} must be a list, not ${describe(value)}`);
  return value;
}

function mapping(where: string, value: unknown): Mapping {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) fail(`${where} must be a mapping, not ${describe(value)}`);
  return value;
}

/** A whole number, also from a string ("2" after interpolation), as Compose converts it. */
export function toInteger(where: string, value: unknown, min = 0): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min)
    fail(`${where} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, not ${describe(value)}`);
  return number;
}

/** A number, also from a string ("0.5"). */
export function toNumber(where: string, value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 0)
    fail(`${where} must be a number, not ${describe(value)}`);
  return number;
}

/** true/false, also from the strings Compose reads as booleans after interpolation. */
export function toBoolean(where: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (['true', 'yes', 'y', 'on', '1'].includes(word)) return true;
    if (['false', 'no', 'n', 'off', '0'].includes(word)) return false;
  }
  return fail(`${where} must be true or false, not ${describe(value)}`);
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A memory size ("64M", "1.5g", "512kb", 1048576) in bytes; units are binary, as Docker reads them. */
export function toBytes(where: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)b?\s*$/i.exec(value) : null;
  if (!match) return fail(`${where} must be a size like 64M or 1g, not ${describe(value)}`);
  return Math.round(Number(match[1]) * BYTE_UNITS[match[2].toLowerCase()]);
}

function nanoseconds(where: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') return fail(`${where} must be a duration like '10s'`);
  const parsed = parseDuration(value);
  if (!parsed.ok) return fail(`${where}: ${parsed.error}`);
  return parsed.nanoseconds;
}

function oneOf<T extends string>(where: string, value: unknown, allowed: readonly T[]): T {
  const word = text(where, value);
  if (!allowed.includes(word as T)) fail(`${where} '${word}' is not one of ${allowed.join(', ')}`);
  return word as T;
}

function keyValues(where: string, value: unknown, separator: string): string[] {
  if (value === undefined || value === null) return [];
  if (isMapping(value))
    return Object.entries(value)
      .filter(([, item]) => item !== null && item !== undefined)
      .map(([name, item]) => `${name}${separator}${text(`${where}.${name}`, item)}`);
  return list(where, value).map((item, index) => text(`${where}[${index}]`, item));
}

function labelMap(where: string, value: unknown): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of keyValues(where, value, '=')) {
    const eq = entry.indexOf('=');
    labels[eq < 0 ? entry : entry.slice(0, eq)] = eq < 0 ? '' : entry.slice(eq + 1);
  }
  return labels;
}

function words(where: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    try {
      return splitShellWords(value);
    } catch (error) {
      return fail(`${where}: ${(error as Error).message}`);
    }
  }
  return list(where, value).map((item, index) => text(`${where}[${index}]`, item));
}

/** Engine name of a top-level network, volume, config or secret: its `name:`, else `<stack>_<key>`. */
function resourceName(namespace: string, key: string, settings: Mapping): string {
  if (typeof settings.name === 'string' && settings.name !== '') return settings.name;
  if (settings.external === true) return key;
  return `${namespace}_${key}`;
}

function topLevel(template: Mapping, key: string): Map<string, Mapping> {
  const entries = new Map<string, Mapping>();
  for (const [name, settings] of Object.entries(mapping(`top-level ${key}`, template[key])))
    entries.set(name, isMapping(settings) ? settings : {});
  return entries;
}

function healthcheck(where: string, value: unknown): Docker.HealthConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const settings = mapping(`${where}: healthcheck`, value);
  if (settings.disable !== undefined && toBoolean(`${where}: healthcheck.disable`, settings.disable))
    return { Test: ['NONE'] };
  const config: Docker.HealthConfig = {};
  if (typeof settings.test === 'string') config.Test = ['CMD-SHELL', settings.test];
  else if (settings.test !== undefined) {
    config.Test = list(`${where}: healthcheck.test`, settings.test).map((item, i) =>
      text(`${where}: healthcheck.test[${i}]`, item),
    );
    if (!['CMD', 'CMD-SHELL', 'NONE'].includes(config.Test[0] ?? ''))
      fail(`${where}: healthcheck.test must start with CMD, CMD-SHELL or NONE`);
  }
  const interval = nanoseconds(`${where}: healthcheck.interval`, settings.interval);
  const timeout = nanoseconds(`${where}: healthcheck.timeout`, settings.timeout);
  const startPeriod = nanoseconds(`${where}: healthcheck.start_period`, settings.start_period);
  if (interval !== undefined) config.Interval = interval;
  if (timeout !== undefined) config.Timeout = timeout;
  if (startPeriod !== undefined) config.StartPeriod = startPeriod;
  if (settings.retries !== undefined) config.Retries = toInteger(`${where}: healthcheck.retries`, settings.retries);
  return config;
}

function hostPath(source: string, workingDir: string): string {
  if (source === '~' || source.startsWith('~/')) return path.join(os.homedir(), source.slice(1));
  return path.resolve(workingDir, source);
}

interface PlanContext {
  namespace: string;
  where: string;
  volumes: Map<string, Mapping>;
  networks: Map<string, Mapping>;
  labels: Record<string, string>;
  workingDir: string;
}

/** A service mount as the Engine API takes it (dockerode's type makes optional fields required). */
interface Mount {
  Type: 'volume' | 'bind' | 'tmpfs';
  Source?: string;
  Target: string;
  ReadOnly: boolean;
  VolumeOptions?: { Labels: Record<string, string>; DriverConfig?: { Name: string; Options: Record<string, string> } };
}

function mounts(context: PlanContext, value: unknown): Mount[] {
  const { where } = context;
  return list(`${where}: volumes`, value).map((entry, index): Mount => {
    const at = `${where}: volumes[${index}]`;
    let type: string;
    let source: string | undefined;
    let target: string;
    let readOnly: boolean;
    if (typeof entry === 'string') {
      const parsed = parseVolumeSpec(entry);
      if (!parsed.ok) return fail(`${at}: ${parsed.error}`);
      ({ type, source, target, readOnly } = parsed.volume);
    } else if (isMapping(entry)) {
      type = entry.type === undefined ? 'volume' : text(`${at}.type`, entry.type);
      source = entry.source === undefined ? undefined : text(`${at}.source`, entry.source);
      target = text(`${at}.target`, entry.target);
      readOnly = entry.read_only !== undefined && toBoolean(`${at}.read_only`, entry.read_only);
      if (type === 'volume' && source === undefined) type = 'anonymous';
      if (!['volume', 'bind', 'tmpfs', 'anonymous'].includes(type))
        fail(`${at}: mount type '${type}' is not supported by Swarm services (use volume, bind or tmpfs)`);
    } else return fail(`${at} must be a string like "data:/var/lib/data", not ${describe(entry)}`);
    if (type === 'tmpfs') return { Type: 'tmpfs', Target: target, ReadOnly: readOnly };
    if (type === 'anonymous' || source === undefined) return { Type: 'volume', Target: target, ReadOnly: readOnly };
    if (type === 'bind')
      return { Type: 'bind', Source: hostPath(source, context.workingDir), Target: target, ReadOnly: readOnly };
    const settings = context.volumes.get(source);
    if (!settings) fail(`${at}: volume '${source}' is not declared under top-level volumes`);
    const mount: Mount = {
      Type: 'volume',
      Source: resourceName(context.namespace, source, settings),
      Target: target,
      ReadOnly: readOnly,
    };
    // Swarm creates the volume on the node when a task first mounts it, with these labels and driver.
    if (settings.external !== true) {
      const labels = { ...labelMap(`volumes.${source}.labels`, settings.labels), ...context.labels };
      mount.VolumeOptions = { Labels: labels };
      if (settings.driver !== undefined)
        mount.VolumeOptions.DriverConfig = {
          Name: text(`volumes.${source}.driver`, settings.driver),
          Options: labelMap(`volumes.${source}.driver_opts`, settings.driver_opts),
        };
    }
    return mount;
  });
}

function publishedPorts(where: string, value: unknown): Docker.PortConfig[] {
  return list(`${where}: ports`, value).flatMap((entry, index): Docker.PortConfig[] => {
    const at = `${where}: ports[${index}]`;
    if (isMapping(entry)) {
      const port: Docker.PortConfig = {
        Protocol:
          entry.protocol === undefined
            ? 'tcp'
            : oneOf(`${at}.protocol`, entry.protocol, ['tcp', 'udp', 'sctp'] as const),
        TargetPort: toInteger(`${at}.target`, entry.target, 1),
        PublishMode:
          entry.mode === undefined ? 'ingress' : oneOf(`${at}.mode`, entry.mode, ['ingress', 'host'] as const),
      };
      if (entry.published !== undefined && entry.published !== '')
        port.PublishedPort = toInteger(`${at}.published`, entry.published, 1);
      return [port];
    }
    if (typeof entry !== 'string' && typeof entry !== 'number')
      return fail(`${at} must be a string like "8080:80" or a mapping, not ${describe(entry)}`);
    const parsed = parsePortSpec(entry);
    if (!parsed.ok) return fail(`${at}: ${parsed.error}`);
    return parsed.ports.map((spec) => {
      if (spec.hostIp) fail(`${at}: Swarm cannot publish on one host address (${spec.hostIp}); publish on all of them`);
      const port: Docker.PortConfig = {
        Protocol: spec.protocol,
        TargetPort: spec.containerPort,
        PublishMode: 'ingress',
      };
      if (spec.hostPort) port.PublishedPort = spec.hostPort;
      return port;
    });
  });
}

function attachments(context: PlanContext, service: string, value: unknown): Docker.NetworkAttachmentConfig[] {
  const { where } = context;
  const join = (key: string, aliases: string[]): Docker.NetworkAttachmentConfig => {
    const settings = context.networks.get(key);
    if (!settings && key !== 'default')
      fail(`${where} joins network '${key}', which is not declared under top-level networks`);
    return { Target: resourceName(context.namespace, key, settings ?? {}), Aliases: [service, ...aliases] };
  };
  if (value === undefined || value === null) return [join('default', [])];
  if (Array.isArray(value)) return value.map((key, i) => join(text(`${where}: networks[${i}]`, key), []));
  return Object.entries(mapping(`${where}: networks`, value)).map(([key, settings]) =>
    join(
      key,
      isMapping(settings)
        ? list(`${where}: networks.${key}.aliases`, settings.aliases).map((a, i) =>
            text(`${where}: networks.${key}.aliases[${i}]`, a),
          )
        : [],
    ),
  );
}

function objectReferences(
  where: string,
  kind: 'configs' | 'secrets',
  value: unknown,
  declared: Map<string, Mapping>,
): ObjectReference[] {
  return list(`${where}: ${kind}`, value).map((entry, index) => {
    const at = `${where}: ${kind}[${index}]`;
    const settings = typeof entry === 'string' ? { source: entry } : mapping(at, entry);
    const key = text(`${at}.source`, settings.source);
    if (!declared.has(key)) fail(`${at}: ${kind.slice(0, -1)} '${key}' is not declared under top-level ${kind}`);
    const defaultTarget = kind === 'configs' ? `/${key}` : key;
    const mode = settings.mode === undefined ? 0o444 : settings.mode;
    return {
      key,
      target: settings.target === undefined ? defaultTarget : text(`${at}.target`, settings.target),
      uid: settings.uid === undefined ? '0' : text(`${at}.uid`, settings.uid),
      gid: settings.gid === undefined ? '0' : text(`${at}.gid`, settings.gid),
      // A quoted mode ("0440") is octal, as in Compose; a YAML number is taken as read.
      mode: typeof mode === 'string' ? parseInt(mode, 8) : toInteger(`${at}.mode`, mode),
    };
  });
}

function updateConfig(where: string, value: unknown): Docker.UpdateConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const settings = mapping(where, value);
  const config: Docker.UpdateConfig = {
    Parallelism: settings.parallelism === undefined ? 1 : toInteger(`${where}.parallelism`, settings.parallelism),
    Order:
      settings.order === undefined
        ? 'stop-first'
        : oneOf(`${where}.order`, settings.order, ['start-first', 'stop-first']),
  };
  const delay = nanoseconds(`${where}.delay`, settings.delay);
  const monitor = nanoseconds(`${where}.monitor`, settings.monitor);
  if (delay !== undefined) config.Delay = delay;
  if (monitor !== undefined) config.Monitor = monitor;
  if (settings.failure_action !== undefined)
    config.FailureAction = oneOf(`${where}.failure_action`, settings.failure_action, ['continue', 'rollback', 'pause']);
  if (settings.max_failure_ratio !== undefined)
    config.MaxFailureRatio = toNumber(`${where}.max_failure_ratio`, settings.max_failure_ratio);
  return config;
}

function restartPolicy(where: string, deploy: Mapping, restart: unknown): Docker.TaskRestartPolicy | undefined {
  if (deploy.restart_policy !== undefined) {
    const settings = mapping(`${where}: deploy.restart_policy`, deploy.restart_policy);
    const policy: Docker.TaskRestartPolicy = {};
    if (settings.condition !== undefined)
      policy.Condition = oneOf(`${where}: deploy.restart_policy.condition`, settings.condition, [
        'none',
        'on-failure',
        'any',
      ]);
    const delay = nanoseconds(`${where}: deploy.restart_policy.delay`, settings.delay);
    const window = nanoseconds(`${where}: deploy.restart_policy.window`, settings.window);
    if (delay !== undefined) policy.Delay = delay;
    if (window !== undefined) policy.Window = window;
    if (settings.max_attempts !== undefined)
      policy.MaxAttempts = toInteger(`${where}: deploy.restart_policy.max_attempts`, settings.max_attempts);
    return policy;
  }
  if (restart === undefined || restart === null) return undefined;
  // Compose's `restart`, converted as `docker stack deploy` converts it when deploy.restart_policy is absent.
  const word = restart === false ? 'no' : text(`${where}: restart`, restart);
  const match = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(word);
  if (!match) return fail(`${where}: restart '${word}' is not one of no, always, unless-stopped, on-failure[:N]`);
  if (match[1] === 'no') return { Condition: 'none' };
  if (match[1] === 'on-failure') return { Condition: 'on-failure', MaxAttempts: match[2] ? Number(match[2]) : 0 };
  return { Condition: 'any' };
}

function resources(where: string, value: unknown): Docker.ResourceRequirements | undefined {
  if (value === undefined || value === null) return undefined;
  const settings = mapping(where, value);
  const limits = mapping(`${where}.limits`, settings.limits);
  const reservations = mapping(`${where}.reservations`, settings.reservations);
  const result: Docker.ResourceRequirements = {};
  const amounts = (at: string, section: Mapping) => {
    const out: { NanoCPUs?: number; MemoryBytes?: number; Pids?: number } = {};
    if (section.cpus !== undefined) out.NanoCPUs = Math.round(toNumber(`${at}.cpus`, section.cpus) * 1e9);
    if (section.memory !== undefined) out.MemoryBytes = toBytes(`${at}.memory`, section.memory);
    if (section.pids !== undefined) out.Pids = toInteger(`${at}.pids`, section.pids);
    return out;
  };
  if (settings.limits !== undefined) result.Limits = amounts(`${where}.limits`, limits);
  if (settings.reservations !== undefined) result.Reservations = amounts(`${where}.reservations`, reservations);
  return result;
}

function placement(where: string, value: unknown): Docker.Placement | undefined {
  if (value === undefined || value === null) return undefined;
  const settings = mapping(where, value);
  const result: Docker.Placement & { MaxReplicas?: number } = {};
  if (settings.constraints !== undefined)
    result.Constraints = list(`${where}.constraints`, settings.constraints).map((c, i) =>
      text(`${where}.constraints[${i}]`, c),
    );
  if (settings.preferences !== undefined)
    result.Preferences = list(`${where}.preferences`, settings.preferences).map((p, i) => ({
      Spread: {
        SpreadDescriptor: text(`${where}.preferences[${i}].spread`, mapping(`${where}.preferences[${i}]`, p).spread),
      },
    }));
  if (settings.max_replicas_per_node !== undefined)
    result.MaxReplicas = toInteger(`${where}.max_replicas_per_node`, settings.max_replicas_per_node);
  return result;
}

/** Docker wants "IP host"; Compose writes "host:IP" (or "host=IP"). */
function hostEntries(where: string, value: unknown): string[] {
  return keyValues(where, value, ':').map((entry) => {
    const at = entry.search(/[:=]/);
    if (at < 0) return fail(`${where}: '${entry}' must be host:address`);
    return `${entry.slice(at + 1)} ${entry.slice(0, at)}`;
  });
}

function planService(
  context: PlanContext,
  key: string,
  service: Mapping,
  declared: {
    configs: Map<string, Mapping>;
    secrets: Map<string, Mapping>;
  },
): SwarmServicePlan {
  const { where } = context;
  const image = service.image;
  if (typeof image !== 'string' || image.trim() === '')
    fail(
      service.build !== undefined
        ? `${where}: a Swarm stack cannot build images: give it an image`
        : `${where}: image is missing`,
    );
  const deploy = mapping(`${where}: deploy`, service.deploy);
  const mode =
    deploy.mode === undefined ? 'replicated' : oneOf(`${where}: deploy.mode`, deploy.mode, ['replicated', 'global']);
  const global = mode === 'global';
  if (global && deploy.replicas !== undefined) fail(`${where}: deploy.replicas cannot be set for a global service`);
  const replicas = global
    ? 0
    : deploy.replicas === undefined
      ? 1
      : toInteger(`${where}: deploy.replicas`, deploy.replicas);
  const health = healthcheck(where, service.healthcheck);
  const stackImage = image.trim();

  const container: Docker.ContainerSpec = {
    Image: stackImage,
    Labels: { ...labelMap(`${where}: labels`, service.labels), ...context.labels },
  };
  const args = words(`${where}: command`, service.command);
  const command = words(`${where}: entrypoint`, service.entrypoint);
  if (command) container.Command = command;
  if (args) container.Args = args;
  const env = keyValues(`${where}: environment`, service.environment, '=');
  if (env.length > 0) container.Env = env.sort();
  if (service.hostname !== undefined) container.Hostname = text(`${where}: hostname`, service.hostname);
  if (service.user !== undefined) container.User = text(`${where}: user`, service.user);
  if (service.working_dir !== undefined) container.Dir = text(`${where}: working_dir`, service.working_dir);
  if (service.stop_signal !== undefined) container.StopSignal = text(`${where}: stop_signal`, service.stop_signal);
  const grace = nanoseconds(`${where}: stop_grace_period`, service.stop_grace_period);
  if (grace !== undefined) container.StopGracePeriod = grace;
  if (service.tty !== undefined) container.TTY = toBoolean(`${where}: tty`, service.tty);
  if (service.stdin_open !== undefined) container.OpenStdin = toBoolean(`${where}: stdin_open`, service.stdin_open);
  if (service.read_only !== undefined) container.ReadOnly = toBoolean(`${where}: read_only`, service.read_only);
  if (service.init !== undefined) container.Init = toBoolean(`${where}: init`, service.init);
  if (service.cap_add !== undefined) container.CapabilityAdd = list(`${where}: cap_add`, service.cap_add).map(String);
  if (service.cap_drop !== undefined)
    container.CapabilityDrop = list(`${where}: cap_drop`, service.cap_drop).map(String);
  const hosts = hostEntries(`${where}: extra_hosts`, service.extra_hosts);
  if (hosts.length > 0) container.Hosts = hosts;
  const dns = typeof service.dns === 'string' ? [service.dns] : list(`${where}: dns`, service.dns).map(String);
  const search =
    typeof service.dns_search === 'string'
      ? [service.dns_search]
      : list(`${where}: dns_search`, service.dns_search).map(String);
  if (dns.length > 0 || search.length > 0) container.DNSConfig = { Nameservers: dns, Search: search };
  if (service.sysctls !== undefined) container.Sysctls = labelMap(`${where}: sysctls`, service.sysctls);
  if (health) container.HealthCheck = health;
  const serviceMounts = mounts(context, service.volumes);
  if (serviceMounts.length > 0) container.Mounts = serviceMounts as Docker.MountSettings[];

  const taskTemplate: Docker.ContainerTaskSpec = {
    ContainerSpec: container,
    Networks: attachments(context, key, service.networks),
  };
  const restart = restartPolicy(where, deploy, service.restart);
  if (restart) taskTemplate.RestartPolicy = restart;
  const limits = resources(`${where}: deploy.resources`, deploy.resources);
  if (limits) taskTemplate.Resources = limits;
  const taskPlacement = placement(`${where}: deploy.placement`, deploy.placement);
  if (taskPlacement) taskTemplate.Placement = taskPlacement;
  if (service.logging !== undefined) {
    const logging = mapping(`${where}: logging`, service.logging);
    taskTemplate.LogDriver = {
      Name: logging.driver === undefined ? 'json-file' : text(`${where}: logging.driver`, logging.driver),
      Options: labelMap(`${where}: logging.options`, logging.options),
    };
  }

  const spec: Docker.ServiceSpec = {
    Name: `${context.namespace}_${key}`,
    Labels: {
      ...labelMap(`${where}: deploy.labels`, deploy.labels),
      ...context.labels,
      [STACK_LABELS.image]: stackImage,
    },
    TaskTemplate: taskTemplate,
    Mode: global ? { Global: {} } : { Replicated: { Replicas: replicas } },
  };
  const update = updateConfig(`${where}: deploy.update_config`, deploy.update_config);
  const rollback = updateConfig(`${where}: deploy.rollback_config`, deploy.rollback_config);
  if (update) spec.UpdateConfig = update;
  if (rollback) spec.RollbackConfig = rollback;
  const ports = publishedPorts(where, service.ports);
  const endpointMode =
    deploy.endpoint_mode === undefined
      ? undefined
      : oneOf(`${where}: deploy.endpoint_mode`, deploy.endpoint_mode, ['vip', 'dnsrr']);
  if (ports.length > 0 || endpointMode) spec.EndpointSpec = { Mode: endpointMode ?? 'vip', Ports: ports };

  const ignoredKeys = Object.keys(service).filter(
    (name) => !HANDLED_SERVICE_KEYS.has(name) || (name === 'restart' && deploy.restart_policy !== undefined),
  );
  return {
    key,
    name: `${context.namespace}_${key}`,
    spec,
    configs: objectReferences(where, 'configs', service.configs, declared.configs),
    secrets: objectReferences(where, 'secrets', service.secrets, declared.secrets),
    global,
    replicas,
    hasHealthcheck: health !== undefined && health.Test?.[0] !== 'NONE',
    ignoredKeys,
  };
}

function planObject(
  kind: 'configs' | 'secrets',
  namespace: string,
  key: string,
  settings: Mapping,
  labels: Record<string, string>,
  workingDir: string,
): SwarmObjectPlan {
  const where = `${kind}.${key}`;
  const baseName = resourceName(namespace, key, settings);
  const external = settings.external !== undefined && toBoolean(`${where}.external`, settings.external);
  const objectLabels = { ...labelMap(`${where}.labels`, settings.labels), ...labels, [OBJECT_KEY_LABEL]: key };
  if (external) return { key, baseName, external, labels: objectLabels };
  let data: Buffer;
  if (settings.content !== undefined) data = Buffer.from(text(`${where}.content`, settings.content), 'utf8');
  else if (settings.file !== undefined) {
    const file = hostPath(text(`${where}.file`, settings.file), workingDir);
    try {
      data = readFileSync(file);
    } catch (error) {
      return fail(`${where}.file: cannot read ${file}: ${(error as Error).message}`);
    }
  } else return fail(`${where} needs content:, file: or external: true`);
  return { key, baseName, external, data, labels: objectLabels };
}

export function planSwarm(stack: RenderedStack, options: SwarmPlanOptions): SwarmPlan {
  const namespace = stack.deploymentName;
  if (!isValidComposeProjectName(namespace))
    fail(
      `deployment name '${namespace}' is not a valid stack name (lowercase letters, digits, '-', '_'; starting with a letter or digit)`,
    );
  if (!isMapping(stack.template)) fail('the rendered template is not a mapping');
  const template = stack.template;
  if (!isMapping(template.services) || Object.keys(template.services).length === 0)
    fail('the rendered template has no services');
  const labels = { [STACK_LABELS.namespace]: namespace, ...ownLabels(stack.stackName, namespace, stack.targetType) };
  const declaredNetworks = topLevel(template, 'networks');
  const declared = { configs: topLevel(template, 'configs'), secrets: topLevel(template, 'secrets') };
  const volumes = topLevel(template, 'volumes');

  const services = Object.entries(template.services).map(([key, value]) => {
    if (!isMapping(value)) fail(`service ${key} must be a mapping`);
    const context: PlanContext = {
      namespace,
      where: `service ${key}`,
      volumes,
      networks: declaredNetworks,
      labels,
      workingDir: options.workingDir,
    };
    return planService(context, key, value, declared);
  });

  const used = new Set(
    services
      .flatMap((service) => (service.spec.TaskTemplate as Docker.ContainerTaskSpec).Networks ?? [])
      .map((n) => n.Target),
  );
  const networkKeys = [...new Set(['default', ...declaredNetworks.keys()])];
  const networks = networkKeys
    .map((key): SwarmNetworkPlan => {
      const settings = declaredNetworks.get(key) ?? {};
      const where = `networks.${key}`;
      const name = resourceName(namespace, key, settings);
      const create: Docker.NetworkCreateOptions = {
        Name: name,
        Driver: settings.driver === undefined ? 'overlay' : text(`${where}.driver`, settings.driver),
        Labels: { ...labelMap(`${where}.labels`, settings.labels), ...labels },
        CheckDuplicate: true,
      };
      if (create.Driver === 'overlay') create.Scope = 'swarm';
      if (settings.attachable !== undefined) create.Attachable = toBoolean(`${where}.attachable`, settings.attachable);
      if (settings.internal !== undefined) create.Internal = toBoolean(`${where}.internal`, settings.internal);
      if (settings.driver_opts !== undefined) create.Options = labelMap(`${where}.driver_opts`, settings.driver_opts);
      if (settings.ipam !== undefined) {
        const ipam = mapping(`${where}.ipam`, settings.ipam);
        create.IPAM = {
          Driver: ipam.driver === undefined ? 'default' : text(`${where}.ipam.driver`, ipam.driver),
          Config: list(`${where}.ipam.config`, ipam.config).map((entry, i) => {
            const pool = mapping(`${where}.ipam.config[${i}]`, entry);
            const config: Record<string, string> = {};
            if (pool.subnet !== undefined) config.Subnet = text(`${where}.ipam.config[${i}].subnet`, pool.subnet);
            if (pool.ip_range !== undefined)
              config.IPRange = text(`${where}.ipam.config[${i}].ip_range`, pool.ip_range);
            if (pool.gateway !== undefined) config.Gateway = text(`${where}.ipam.config[${i}].gateway`, pool.gateway);
            return config;
          }),
        };
      }
      const external = settings.external !== undefined && toBoolean(`${where}.external`, settings.external);
      return { key, name, external, create };
    })
    // Like `docker stack deploy`: only networks some service joins are created.
    .filter((network) => used.has(network.name));

  const objects = (kind: 'configs' | 'secrets') => {
    const referenced = new Set(services.flatMap((service) => service[kind].map((ref) => ref.key)));
    return [...declared[kind]]
      .filter(([key]) => referenced.has(key))
      .map(([key, settings]) => planObject(kind, namespace, key, settings, labels, options.workingDir));
  };
  return { namespace, networks, configs: objects('configs'), secrets: objects('secrets'), services };
}
