/**
 * Parsers for the short strings of Docker and Compose (port mappings, volume mounts, durations) and the name rules
 * that Docker, Compose and Kubernetes enforce. Pure functions shared by the diagnostics and the deploy engines.
 */

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

export interface PortSpec {
  hostIp?: string;
  /** Absent when the engine picks a free host port ("80", "127.0.0.1::80"). */
  hostPort?: number;
  containerPort: number;
  protocol: PortProtocol;
}

export type PortSpecResult = { ok: true; ports: PortSpec[] } | { ok: false; error: string };

export interface VolumeSpec {
  type: 'volume' | 'bind' | 'anonymous';
  /** Volume name or host path; absent for anonymous volumes. */
  source?: string;
  target: string;
  readOnly: boolean;
  /** The mode suffix exactly as written ("ro", "rw,z", …). */
  mode?: string;
}

export type VolumeSpecResult = { ok: true; volume: VolumeSpec } | { ok: false; error: string };

export type DurationResult = { ok: true; nanoseconds: number } | { ok: false; error: string };

const PROTOCOLS: readonly PortProtocol[] = ['tcp', 'udp', 'sctp'];
const PORT_NUMBER = /^\d+$/;
const PORT_RANGE = /^(\d+)-(\d+)$/;

/** Compose short port syntax: `[[ip:]host:]container[/protocol]`, ranges expanded into one spec per port. */
export function parsePortSpec(spec: string | number): PortSpecResult {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 1 || spec > 65535) {
      return { ok: false, error: `port ${spec} is not a whole number between 1 and 65535` };
    }
    return { ok: true, ports: [{ containerPort: spec, protocol: 'tcp' }] };
  }
  const text = spec.trim();
  if (text === '') return { ok: false, error: 'empty port mapping' };

  let mapping = text;
  let protocol: PortProtocol = 'tcp';
  const slash = text.lastIndexOf('/');
  if (slash >= 0) {
    const written = text.slice(slash + 1);
    if (!(PROTOCOLS as readonly string[]).includes(written)) {
      return { ok: false, error: `unknown protocol '${written}' in '${text}' (use tcp, udp or sctp)` };
    }
    protocol = written as PortProtocol;
    mapping = text.slice(0, slash);
  }

  let hostIp: string | undefined;
  if (mapping.startsWith('[')) {
    // Bracketed IPv6 address: its colons must not split the mapping.
    const close = mapping.indexOf(']');
    if (close < 0 || mapping[close + 1] !== ':') return { ok: false, error: `malformed IPv6 address in '${text}'` };
    hostIp = mapping.slice(1, close);
    if (!/^[0-9a-fA-F:.]+$/.test(hostIp)) return { ok: false, error: `invalid IPv6 address '${hostIp}' in '${text}'` };
    mapping = mapping.slice(close + 2);
  }

  const parts = mapping.split(':');
  let hostPart: string | undefined;
  let containerPart: string;
  if (parts.length === 1) {
    containerPart = parts[0];
  } else if (parts.length === 2) {
    [hostPart, containerPart] = parts;
  } else if (parts.length === 3 && hostIp === undefined) {
    [hostIp, hostPart, containerPart] = parts;
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIp) && hostIp !== '') {
      return { ok: false, error: `invalid host IP '${hostIp}' in '${text}' (write IPv6 addresses in brackets)` };
    }
    if (hostIp === '') hostIp = undefined;
  } else {
    return { ok: false, error: `too many ':' in '${text}' (expected [ip:]host:container[/protocol])` };
  }

  const container = parsePortRange(containerPart, 'container', text);
  if (!container.ok) return container;
  if (hostPart === undefined || hostPart === '') {
    return { ok: true, ports: container.ports.map((containerPort) => withIp({ containerPort, protocol }, hostIp)) };
  }
  const host = parsePortRange(hostPart, 'host', text);
  if (!host.ok) return host;
  if (host.ports.length !== container.ports.length) {
    return {
      ok: false,
      error: `host range has ${host.ports.length} port(s) but container range has ${container.ports.length} in '${text}'`,
    };
  }
  return {
    ok: true,
    ports: container.ports.map((containerPort, index) =>
      withIp({ hostPort: host.ports[index], containerPort, protocol }, hostIp),
    ),
  };
}

function withIp(port: PortSpec, hostIp: string | undefined): PortSpec {
  return hostIp === undefined ? port : { hostIp, ...port };
}

function parsePortRange(
  part: string,
  side: 'host' | 'container',
  whole: string,
): { ok: true; ports: number[] } | { ok: false; error: string } {
  const range = PORT_RANGE.exec(part);
  const bounds = range ? [range[1], range[2]] : PORT_NUMBER.test(part) ? [part, part] : undefined;
  if (!bounds) return { ok: false, error: `${side} port '${part}' is not a number in '${whole}'` };
  const [first, last] = bounds.map(Number);
  for (const port of [first, last]) {
    if (port < 1 || port > 65535) return { ok: false, error: `${side} port ${port} is outside 1-65535 in '${whole}'` };
  }
  if (last < first) return { ok: false, error: `${side} port range '${part}' ends before it starts in '${whole}'` };
  return { ok: true, ports: Array.from({ length: last - first + 1 }, (_, offset) => first + offset) };
}

/** Mount options Docker accepts after the target (several may be joined with commas). */
const VOLUME_MODES = new Set([
  'ro',
  'rw',
  'z',
  'Z',
  'nocopy',
  'shared',
  'rshared',
  'slave',
  'rslave',
  'private',
  'rprivate',
  'consistent',
  'cached',
  'delegated',
]);
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Compose short volume syntax: `[source:]target[:mode]`; a source starting with `/`, `.` or `~` is a bind mount. */
export function parseVolumeSpec(spec: string): VolumeSpecResult {
  const text = spec.trim();
  if (text === '') return { ok: false, error: 'empty volume mapping' };
  const parts = text.split(':');
  if (parts.length > 3) return { ok: false, error: `too many ':' in '${text}' (expected [source:]target[:mode])` };
  if (parts.some((part) => part === '')) return { ok: false, error: `empty part in '${text}'` };

  if (parts.length === 1) {
    if (!text.startsWith('/')) return { ok: false, error: `volume target '${text}' must be an absolute path` };
    return { ok: true, volume: { type: 'anonymous', target: text, readOnly: false } };
  }

  const [source, target, mode] = parts;
  if (!target.startsWith('/'))
    return { ok: false, error: `volume target '${target}' must be an absolute path in '${text}'` };
  const isBind = source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
  if (!isBind && !VOLUME_NAME.test(source)) {
    return {
      ok: false,
      error: `'${source}' is neither a volume name (letters, digits, '_', '.', '-') nor a path in '${text}'`,
    };
  }

  let readOnly = false;
  if (mode !== undefined) {
    const options = mode.split(',');
    const unknown = options.find((option) => !VOLUME_MODES.has(option));
    if (unknown !== undefined) return { ok: false, error: `unknown volume mode '${unknown}' in '${text}'` };
    if (options.includes('ro') && options.includes('rw')) {
      return { ok: false, error: `volume mode '${mode}' is both read-only and read-write` };
    }
    readOnly = options.includes('ro');
  }
  const volume: VolumeSpec = { type: isBind ? 'bind' : 'volume', source, target, readOnly };
  if (mode !== undefined) volume.mode = mode;
  return { ok: true, volume };
}

const NANOSECONDS_PER_UNIT: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
const DURATION_TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Go duration syntax as Compose reads it ("1m30s", "500ms"); a bare YAML number counts as seconds. */
export function parseDuration(value: string | number): DurationResult {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { ok: false, error: `duration ${value} is not a positive number` };
    return { ok: true, nanoseconds: Math.round(value * 1e9) };
  }
  const text = value.trim();
  if (text === '0') return { ok: true, nanoseconds: 0 };
  if (text === '') return { ok: false, error: 'empty duration' };
  if (/^\d+(\.\d+)?$/.test(text)) return { ok: false, error: `duration '${text}' has no unit (write e.g. '${text}s')` };

  let nanoseconds = 0;
  DURATION_TERM.lastIndex = 0;
  while (DURATION_TERM.lastIndex < text.length) {
    const start = DURATION_TERM.lastIndex;
    const term = DURATION_TERM.exec(text);
    if (!term) {
      return {
        ok: false,
        error: `invalid duration '${text}' at '${text.slice(start)}' (expected e.g. '10s', '1m30s', '500ms'; units ns, us, ms, s, m, h)`,
      };
    }
    nanoseconds += Number(term[1]) * NANOSECONDS_PER_UNIT[term[2]];
  }
  return { ok: true, nanoseconds: Math.round(nanoseconds) };
}

/** Docker container names (and WindFlow's own check on `container_name`). */
export function isValidContainerName(name: string): boolean {
  return /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name);
}

/** Compose project names: lowercase letters, digits, '-' and '_', starting with a letter or digit. */
export function isValidComposeProjectName(name: string): boolean {
  return /^[a-z0-9][a-z0-9_-]*$/.test(name);
}

/** Kubernetes object names such as Deployments and ConfigMaps: DNS-1123 subdomain, at most 253 characters. */
export function isValidDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

/** Kubernetes names such as Namespaces and Services: DNS-1123 label, at most 63 characters. */
export function isValidDns1123Label(name: string): boolean {
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/** Kubernetes label values: empty, or at most 63 letters, digits, '-', '_', '.' starting and ending alphanumeric. */
export function isValidKubernetesLabelValue(value: string): boolean {
  return value.length <= 63 && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value);
}

/** Kubernetes Service names: DNS-1035 label (like DNS-1123 but starting with a letter). */
export function isValidDns1035Label(name: string): boolean {
  return name.length <= 63 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `$NAME` and the `$$` escape of Compose. */
const COMPOSE_INTERPOLATION =
  /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * A Compose string as docker compose sees it once interpolated, when that is known without the environment: `$$`
 * becomes `$` and `${NAME:-default}` its default. Undefined when a variable without default decides the value.
 */
export function interpolateComposeDefaults(text: string): string | undefined {
  if (!text.includes('$')) return text;
  let known = true;
  const result = text.replace(COMPOSE_INTERPOLATION, (match, _braced, operator: string | undefined, word = '') => {
    if (match === '$$') return '$';
    if (operator === ':-' || operator === '-') return String(word);
    known = false;
    return '';
  });
  return known ? result : undefined;
}
