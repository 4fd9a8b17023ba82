/**
 * Turns one rendered container description (a `docker` template or one Compose service) into the Engine API's
 * container-create body. Pure: every problem in the description is found here, before anything is created.
 */
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { APPLIED_SERVICE_KEYS } from '../../../../server/src/stack/composeDeploy';
import { parseDuration, parsePortSpec, parseVolumeSpec } from '../../../../server/src/stack/specs';
import { DeployError } from '../target';

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How names in a description resolve on the engine (Compose prefixes volumes and networks with the project). */
export interface SpecContext {
  /** "service web" or "template", for error messages. */
  where: string;
  /** Engine volume name for a named-volume source; throws when the source is not declared. */
  volumeName(source: string): string;
  /** Engine network name for a network key; throws when the key is not declared. */
  networkName(key: string): string;
  /** Container name behind `network_mode: service:<name>` (Compose only). */
  serviceContainer?(service: string): string;
  /** Folder relative bind-mount paths resolve against. */
  workingDir: string;
  /** The key holding the restart policy: `restart_policy` for docker stacks, `restart` for Compose. */
  restartKey: 'restart' | 'restart_policy';
  defaultRestart: string;
}

export interface NetworkAttachment {
  name: string;
  aliases: string[];
}

export interface ContainerSpec {
  containerName: string;
  image: string;
  /** The create body; its NetworkingConfig holds the first network only (older engines accept one at create). */
  create: Docker.ContainerCreateOptions;
  /** Every network to attach, the first one included. */
  networks: NetworkAttachment[];
  /** Engine names of the named volumes this container mounts. */
  namedVolumes: string[];
  hasHealthcheck: boolean;
  /** How long the health check may take to pass before we call it failed. */
  healthWaitMs: number;
  /** Keys present but not applied (so the caller can say so instead of silently dropping them). */
  ignoredKeys: string[];
}

const RESTART_KEYS = ['restart', 'restart_policy'];

function fail(context: SpecContext, message: string): never {
  throw new DeployError('prepare', `${context.where}: ${message}`);
}

function text(context: SpecContext, key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(context, `${key} must be a string, not ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

function list(context: SpecContext, key: string, value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(context, `${key} must be a list, not ${describe(value)}`);
  return value;
}

/** Shell-like word splitting for string `command` / `entrypoint`, as Compose does (quotes and backslashes). */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]))
        current += line[++i];
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in '${line}'`);
  if (inWord) words.push(current);
  return words;
}

function commandWords(context: SpecContext, key: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    try {
      return splitShellWords(value);
    } catch (error) {
      return fail(context, `${key}: ${(error as Error).message}`);
    }
  }
  return list(context, key, value).map((item, index) => text(context, `${key}[${index}]`, item));
}

function keyValueList(context: SpecContext, key: string, value: unknown, separator: string): string[] {
  if (value === undefined || value === null) return [];
  if (isMapping(value)) {
    return Object.entries(value)
      .filter(([, item]) => item !== null && item !== undefined)
      .map(([name, item]) => `${name}${separator}${text(context, `${key}.${name}`, item)}`);
  }
  return list(context, key, value).map((item, index) => text(context, `${key}[${index}]`, item));
}

function labelMap(context: SpecContext, value: unknown): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of keyValueList(context, 'labels', value, '=')) {
    const eq = entry.indexOf('=');
    labels[eq < 0 ? entry : entry.slice(0, eq)] = eq < 0 ? '' : entry.slice(eq + 1);
  }
  return labels;
}

function nanoseconds(context: SpecContext, key: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    return fail(context, `${key} must be a duration like '10s'`);
  const parsed = parseDuration(value);
  if (!parsed.ok) return fail(context, `${key}: ${parsed.error}`);
  return parsed.nanoseconds;
}

const HEALTH_DEFAULTS = { intervalNs: 30e9, timeoutNs: 30e9, retries: 3, startPeriodNs: 0 };
/** Slack on top of the longest time the engine can take to declare a container healthy or unhealthy. */
const HEALTH_SLACK_MS = 15_000;

function healthcheck(context: SpecContext, value: unknown): { config?: Docker.HealthConfig; waitMs: number } {
  if (value === undefined || value === null) return { waitMs: 0 };
  if (!isMapping(value)) return fail(context, `healthcheck must be a mapping, not ${describe(value)}`);
  if (value.disable === true) return { config: { Test: ['NONE'] }, waitMs: 0 };
  let test: string[] | undefined;
  if (typeof value.test === 'string') test = ['CMD-SHELL', value.test];
  else if (value.test !== undefined) {
    test = list(context, 'healthcheck.test', value.test).map((item, i) =>
      text(context, `healthcheck.test[${i}]`, item),
    );
    if (!['CMD', 'CMD-SHELL', 'NONE'].includes(test[0] ?? ''))
      fail(context, `healthcheck.test must start with CMD, CMD-SHELL or NONE, not '${test[0] ?? ''}'`);
  }
  const config: Docker.HealthConfig = {};
  if (test) config.Test = test;
  const interval = nanoseconds(context, 'healthcheck.interval', value.interval);
  const timeout = nanoseconds(context, 'healthcheck.timeout', value.timeout);
  const startPeriod = nanoseconds(context, 'healthcheck.start_period', value.start_period);
  if (interval !== undefined) config.Interval = interval;
  if (timeout !== undefined) config.Timeout = timeout;
  if (startPeriod !== undefined) config.StartPeriod = startPeriod;
  let retries: number | undefined;
  if (value.retries !== undefined && value.retries !== null) {
    retries = Number(value.retries);
    if (!Number.isInteger(retries) || retries < 0) fail(context, `healthcheck.retries must be a whole number`);
    config.Retries = retries;
  }
  if (test?.[0] === 'NONE') return { config, waitMs: 0 };
  const waitNs =
    (startPeriod ?? HEALTH_DEFAULTS.startPeriodNs) +
    ((interval ?? HEALTH_DEFAULTS.intervalNs) + (timeout ?? HEALTH_DEFAULTS.timeoutNs)) *
      ((retries ?? HEALTH_DEFAULTS.retries) + 1);
  return { config, waitMs: Math.ceil(waitNs / 1e6) + HEALTH_SLACK_MS };
}

function restartPolicy(context: SpecContext, value: unknown): Docker.HostRestartPolicy {
  const policy =
    value === undefined || value === null ? context.defaultRestart : text(context, context.restartKey, value);
  // YAML 1.1 reads a bare `no` as false; Compose users mean the policy "no".
  const normalized = policy === 'false' ? 'no' : policy;
  const match = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(normalized);
  if (!match || (match[2] !== undefined && match[1] !== 'on-failure'))
    fail(context, `${context.restartKey} '${policy}' is not one of no, always, unless-stopped, on-failure[:N]`);
  return { Name: match[1] === 'no' ? '' : match[1], MaximumRetryCount: match[2] ? Number(match[2]) : 0 };
}

interface PortPlan {
  exposed: Record<string, object>;
  bindings: Record<string, { HostIp: string; HostPort: string }[]>;
}

function ports(context: SpecContext, value: unknown): PortPlan {
  const plan: PortPlan = { exposed: {}, bindings: {} };
  list(context, 'ports', value).forEach((entry, index) => {
    const where = `ports[${index}]`;
    let specs;
    if (isMapping(entry)) {
      const target = Number(entry.target);
      if (!Number.isInteger(target)) fail(context, `${where}: target must be a port number`);
      const protocol = entry.protocol === undefined ? 'tcp' : text(context, `${where}.protocol`, entry.protocol);
      const published = entry.published === undefined ? '' : text(context, `${where}.published`, entry.published);
      const ip = entry.host_ip === undefined ? '' : `${text(context, `${where}.host_ip`, entry.host_ip)}:`;
      const parsed = parsePortSpec(`${ip}${published ? `${published}:` : ''}${target}/${protocol}`);
      if (!parsed.ok) fail(context, `${where}: ${parsed.error}`);
      specs = parsed.ports;
    } else if (typeof entry === 'string' || typeof entry === 'number') {
      const parsed = parsePortSpec(entry);
      if (!parsed.ok) fail(context, `${where}: ${parsed.error}`);
      specs = parsed.ports;
    } else return fail(context, `${where} must be a string like "8080:80", not ${describe(entry)}`);
    for (const spec of specs) {
      const key = `${spec.containerPort}/${spec.protocol}`;
      plan.exposed[key] = {};
      (plan.bindings[key] ??= []).push({
        HostIp: spec.hostIp ?? '',
        HostPort: spec.hostPort ? String(spec.hostPort) : '',
      });
    }
  });
  return plan;
}

function hostPath(source: string, workingDir: string): string {
  if (source === '~' || source.startsWith('~/')) return path.join(os.homedir(), source.slice(1));
  return path.resolve(workingDir, source);
}

interface VolumePlan {
  binds: string[];
  anonymous: Record<string, object>;
  named: string[];
}

function volumes(context: SpecContext, value: unknown): VolumePlan {
  const plan: VolumePlan = { binds: [], anonymous: {}, named: [] };
  list(context, 'volumes', value).forEach((entry, index) => {
    const where = `volumes[${index}]`;
    let type: string;
    let source: string | undefined;
    let target: string;
    let mode: string | undefined;
    if (typeof entry === 'string') {
      const parsed = parseVolumeSpec(entry);
      if (!parsed.ok) return fail(context, `${where}: ${parsed.error}`);
      ({ type, source, target, mode } = parsed.volume);
    } else if (isMapping(entry)) {
      type = entry.type === undefined ? 'volume' : text(context, `${where}.type`, entry.type);
      source = entry.source === undefined ? undefined : text(context, `${where}.source`, entry.source);
      target = text(context, `${where}.target`, entry.target);
      mode = entry.read_only === true ? 'ro' : undefined;
      if (type === 'volume' && source === undefined) type = 'anonymous';
      if (!['volume', 'bind', 'anonymous'].includes(type))
        fail(context, `${where}: mount type '${type}' is not supported (use volume or bind)`);
    } else return fail(context, `${where} must be a string like "data:/var/lib/data", not ${describe(entry)}`);
    const suffix = mode ? `:${mode}` : '';
    if (type === 'anonymous' || source === undefined) plan.anonymous[target] = {};
    else if (type === 'bind') plan.binds.push(`${hostPath(source, context.workingDir)}:${target}${suffix}`);
    else {
      const name = context.volumeName(source);
      plan.named.push(name);
      plan.binds.push(`${name}:${target}${suffix}`);
    }
  });
  return plan;
}

function networks(context: SpecContext, value: unknown, alias: string | undefined): NetworkAttachment[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.map((key, index) => ({
      name: context.networkName(text(context, `networks[${index}]`, key)),
      aliases: alias ? [alias] : [],
    }));
  }
  if (!isMapping(value)) return fail(context, `networks must be a list or a mapping, not ${describe(value)}`);
  return Object.entries(value).map(([key, settings]) => {
    const aliases = isMapping(settings)
      ? list(context, `networks.${key}.aliases`, settings.aliases).map((a, i) =>
          text(context, `networks.${key}.aliases[${i}]`, a),
        )
      : [];
    return { name: context.networkName(key), aliases: alias ? [alias, ...aliases] : aliases };
  });
}

function networkMode(context: SpecContext, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const mode = text(context, 'network_mode', value);
  if (mode.startsWith('service:')) {
    if (!context.serviceContainer) fail(context, `network_mode '${mode}' only exists in Compose stacks`);
    return `container:${context.serviceContainer(mode.slice('service:'.length))}`;
  }
  return mode;
}

function flag(context: SpecContext, key: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') fail(context, `${key} must be true or false`);
  return value;
}

export interface SpecNaming {
  containerName: string;
  /** Compose service name: added as a network alias so other services reach it by name. */
  alias?: string;
  /** Labels from us (and Compose), applied over the description's own labels. */
  labels: Record<string, string>;
  /** Network to join when the description names none and sets no network_mode (Compose's `<project>_default`). */
  defaultNetwork?: string;
}

export function buildContainerSpec(service: Mapping, context: SpecContext, naming: SpecNaming): ContainerSpec {
  const image = service.image;
  if (typeof image !== 'string' || image.trim() === '')
    fail(
      context,
      service.build !== undefined ? 'build is not supported: give the service an image' : 'image is missing',
    );
  const mode = networkMode(context, service.network_mode);
  let attached = networks(context, service.networks, naming.alias);
  if (mode !== undefined && attached.length > 0) fail(context, 'network_mode and networks cannot be used together');
  if (mode === undefined && attached.length === 0 && naming.defaultNetwork)
    attached = [{ name: naming.defaultNetwork, aliases: naming.alias ? [naming.alias] : [] }];
  const portPlan = ports(context, service.ports);
  const volumePlan = volumes(context, service.volumes);
  const health = healthcheck(context, service.healthcheck);
  const stopGraceNs = nanoseconds(context, 'stop_grace_period', service.stop_grace_period);
  const tmpfs = Object.fromEntries(
    (typeof service.tmpfs === 'string' ? [service.tmpfs] : list(context, 'tmpfs', service.tmpfs)).map((entry, i) => {
      const [target, ...options] = text(context, `tmpfs[${i}]`, entry).split(':');
      return [target, options.join(':')];
    }),
  );
  const extraHosts = keyValueList(context, 'extra_hosts', service.extra_hosts, ':');
  const dns = typeof service.dns === 'string' ? [service.dns] : list(context, 'dns', service.dns).map(String);

  const hostConfig: Docker.HostConfig = {
    RestartPolicy: restartPolicy(context, service[context.restartKey]),
    PortBindings: portPlan.bindings,
    Binds: volumePlan.binds,
    NetworkMode: mode ?? attached[0]?.name,
  };
  if (flag(context, 'privileged', service.privileged)) hostConfig.Privileged = true;
  if (flag(context, 'read_only', service.read_only)) hostConfig.ReadonlyRootfs = true;
  if (flag(context, 'init', service.init)) hostConfig.Init = true;
  if (service.cap_add !== undefined) hostConfig.CapAdd = list(context, 'cap_add', service.cap_add).map(String);
  if (service.cap_drop !== undefined) hostConfig.CapDrop = list(context, 'cap_drop', service.cap_drop).map(String);
  if (extraHosts.length > 0) hostConfig.ExtraHosts = extraHosts;
  if (dns.length > 0) hostConfig.Dns = dns;
  if (Object.keys(tmpfs).length > 0) hostConfig.Tmpfs = tmpfs;

  const create: Docker.ContainerCreateOptions = {
    name: naming.containerName,
    Image: image.trim(),
    Env: keyValueList(context, 'environment', service.environment, '='),
    Labels: { ...labelMap(context, service.labels), ...naming.labels },
    ExposedPorts: portPlan.exposed,
    Volumes: volumePlan.anonymous,
    HostConfig: hostConfig,
  };
  const cmd = commandWords(context, 'command', service.command);
  const entrypoint = commandWords(context, 'entrypoint', service.entrypoint);
  if (cmd) create.Cmd = cmd;
  if (entrypoint) create.Entrypoint = entrypoint;
  if (service.user !== undefined) create.User = text(context, 'user', service.user);
  if (service.working_dir !== undefined) create.WorkingDir = text(context, 'working_dir', service.working_dir);
  if (service.hostname !== undefined) create.Hostname = text(context, 'hostname', service.hostname);
  if (service.stop_signal !== undefined) create.StopSignal = text(context, 'stop_signal', service.stop_signal);
  if (stopGraceNs !== undefined) create.StopTimeout = Math.ceil(stopGraceNs / 1e9);
  if (flag(context, 'tty', service.tty)) create.Tty = true;
  if (flag(context, 'stdin_open', service.stdin_open)) create.OpenStdin = true;
  if (health.config) create.Healthcheck = health.config;
  if (attached.length > 0) {
    create.NetworkingConfig = { EndpointsConfig: { [attached[0].name]: { Aliases: attached[0].aliases } } };
  }
  return {
    containerName: naming.containerName,
    image: image.trim(),
    create,
    networks: attached,
    namedVolumes: [...new Set(volumePlan.named)],
    hasHealthcheck: health.waitMs > 0,
    healthWaitMs: health.waitMs,
    ignoredKeys: Object.keys(service).filter(
      (key) => !APPLIED_SERVICE_KEYS.has(key) || (RESTART_KEYS.includes(key) && key !== context.restartKey),
    ),
  };
}
