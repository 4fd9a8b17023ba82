/**
 * Implementations of the 16 helper functions WindFlow puts in every template context (format spec §8.3–8.4). Their
 * signatures live in functions.ts; here arguments are bound to those signatures the way Python binds them, and every
 * random choice goes through a RandomSource (crypto.randomInt by default) so tests can make it deterministic.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { FUNCTIONS_BY_NAME, FunctionSignature } from './functions';
import { CODENAME_WORDS, CodenameTheme } from './names';

/** Uniform integers in [min, maxExclusive), like crypto.randomInt. */
export interface RandomSource {
  int(min: number, maxExclusive: number): number;
}

export const cryptoRandom: RandomSource = { int: (min, maxExclusive) => randomInt(min, maxExclusive) };

export interface HelperContext {
  random: RandomSource;
  /** The current time (rendered in UTC). */
  now: () => Date;
  /** Variables env() may read; undefined when env() is disabled (untrusted workspaces). */
  env?: Record<string, string | undefined>;
  /** The first port of `ports` that can be bound on this machine, if any. */
  firstFreePort: (ports: number[]) => number | undefined;
}

/** A helper called with arguments it cannot use; the renderer turns it into a render error. */
export class HelperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelperError';
  }
}

/** Guards generated lengths so a template cannot make the renderer build gigantic strings. */
export const MAX_GENERATED_LENGTH = 10_000;

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = LOWERCASE.toUpperCase();
const DIGITS = '0123456789';
const HEX_DIGITS = '0123456789abcdef';
const PASSWORD_SPECIALS = '!@#$%^&*()-_=+';
const CHARSETS: Record<string, string> = {
  alphanumeric: LOWERCASE + UPPERCASE + DIGITS,
  alpha: LOWERCASE + UPPERCASE,
  numeric: DIGITS,
  hex: HEX_DIGITS,
};
const HASH_ALGORITHMS = ['sha256', 'sha512', 'md5', 'sha1'];

type Implementation = (args: unknown[], context: HelperContext) => unknown;

const IMPLEMENTATIONS: Record<string, Implementation> = {
  generate_password: ([length, includeSpecial], { random }) => {
    const alphabet =
      CHARSETS.alphanumeric + (includeSpecial === undefined || isTruthy(includeSpecial) ? PASSWORD_SPECIALS : '');
    return randomText(random, alphabet, lengthArgument('generate_password', 'length', length, 24));
  },
  generate_secret: ([length], { random }) =>
    randomText(random, HEX_DIGITS, lengthArgument('generate_secret', 'length', length, 32)),
  random_string: ([length, charset], { random }) => {
    const name = charset === undefined ? 'alphanumeric' : pythonText(charset);
    const alphabet = Object.hasOwn(CHARSETS, name) ? CHARSETS[name] : undefined;
    if (alphabet === undefined) {
      throw new HelperError(
        `random_string(): unknown charset '${name}'; use 'alphanumeric', 'alpha', 'numeric' or 'hex'`,
      );
    }
    return randomText(random, alphabet, lengthArgument('random_string', 'length', length, 0));
  },
  generate_uuid: (_args, { random }) => uuid4(random),
  generate_uuid_short: (_args, { random }) => uuid4(random).replace(/-/g, ''),
  base64_encode: ([value]) => Buffer.from(pythonText(value), 'utf8').toString('base64'),
  base64_decode: ([value]) => decodeBase64(pythonText(value)),
  hash_value: ([value, algorithm]) => {
    const name = algorithm === undefined ? 'sha256' : pythonText(algorithm);
    if (!HASH_ALGORITHMS.includes(name)) {
      throw new HelperError(`hash_value(): unsupported algorithm '${name}'; use 'sha256', 'sha512', 'md5' or 'sha1'`);
    }
    return createHash(name).update(pythonText(value), 'utf8').digest('hex');
  },
  random_port: ([minPort, maxPort], { random }) => {
    const low = integerArgument('random_port', 'min_port', minPort, 10000);
    const high = integerArgument('random_port', 'max_port', maxPort, 65535);
    if (low > high) throw new HelperError(`random_port(): min_port ${low} is greater than max_port ${high}`);
    return random.int(low, high + 1);
  },
  get_valid_port: ([startPort, maxAttempts], { firstFreePort }) => {
    const start = integerArgument('get_valid_port', 'start_port', startPort, 5432);
    const attempts = integerArgument('get_valid_port', 'max_attempts', maxAttempts, 100);
    if (start < 1 || start > 65535)
      throw new HelperError(`get_valid_port(): start_port ${start} is not a port (1–65535)`);
    const candidates: number[] = [];
    for (let port = start; port < start + attempts && port <= 65535; port++) candidates.push(port);
    const found = firstFreePort(candidates);
    if (found === undefined) {
      throw new HelperError(
        `get_valid_port(): no free port in ${start}–${Math.min(start + attempts - 1, 65535)} on this machine`,
      );
    }
    return found;
  },
  env: ([varName, fallback], { env }) => {
    if (!env) throw new HelperError('env() is disabled in untrusted workspaces');
    const value = env[pythonText(varName)];
    return value ?? (fallback === undefined ? '' : fallback);
  },
  now: ([format], context) =>
    strftimeUtc(context.now(), format === undefined ? '%Y-%m-%d %H:%M:%S' : pythonText(format)),
  random_choice: ([choices], { random }) => {
    const options = choices as unknown[];
    if (options.length === 0) throw new HelperError('random_choice() needs at least one choice');
    return options[random.int(0, options.length)];
  },
  generate_animalname: (args, { random }) => codename('animal', args, random),
  generate_cosmicname: (args, { random }) => codename('cosmic', args, random),
  generate_mythologyname: (args, { random }) => codename('mythology', args, random),
};

/** Calls helper `name` with Jinja call arguments; throws HelperError for arguments Python would reject. */
export function callHelper(
  name: string,
  positional: unknown[],
  keywords: Record<string, unknown>,
  context: HelperContext,
): unknown {
  const signature = FUNCTIONS_BY_NAME.get(name);
  const implementation = IMPLEMENTATIONS[name];
  if (!signature || !implementation) throw new HelperError(`no helper function named '${name}'`);
  return implementation(bindArguments(signature, positional, keywords), context);
}

/** Python-style binding: one entry per parameter (undefined = not given, use the default); `*choices` collects the rest. */
export function bindArguments(
  signature: FunctionSignature,
  positional: unknown[],
  keywords: Record<string, unknown>,
): unknown[] {
  const { name, parameters } = signature;
  if (parameters.length === 1 && parameters[0].variadic) {
    const unexpected = Object.keys(keywords)[0];
    if (unexpected !== undefined) throw new HelperError(`${name}() got an unexpected keyword argument '${unexpected}'`);
    return [positional];
  }
  if (positional.length > parameters.length) {
    throw new HelperError(
      `${name}() takes at most ${parameters.length} argument${parameters.length === 1 ? '' : 's'} (${positional.length} given)`,
    );
  }
  const bound: unknown[] = parameters.map((_, index) => positional[index]);
  for (const [keyword, value] of Object.entries(keywords)) {
    const index = parameters.findIndex((parameter) => parameter.name === keyword);
    if (index < 0) throw new HelperError(`${name}() got an unexpected keyword argument '${keyword}'`);
    if (index < positional.length) throw new HelperError(`${name}() got multiple values for argument '${keyword}'`);
    bound[index] = value;
  }
  parameters.forEach((parameter, index) => {
    if (bound[index] === undefined && parameter.default === undefined) {
      throw new HelperError(`${name}() missing required argument '${parameter.name}'`);
    }
  });
  return bound;
}

/** Python truthiness for plain data. */
function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Python's str() of a plain value, for helpers that take text. */
function pythonText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  return String(value);
}

function integerArgument(fn: string, parameter: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new HelperError(`${fn}(): ${parameter} must be an integer, not ${JSON.stringify(value) ?? String(value)}`);
}

function lengthArgument(fn: string, parameter: string, value: unknown, fallback: number): number {
  const length = integerArgument(fn, parameter, value, fallback);
  if (length > MAX_GENERATED_LENGTH)
    throw new HelperError(`${fn}(): ${parameter} ${length} is larger than ${MAX_GENERATED_LENGTH}`);
  // Python's range() of a negative number is empty, so upstream returns ''.
  return Math.max(0, length);
}

function randomText(random: RandomSource, alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[random.int(0, alphabet.length)];
  return text;
}

function uuid4(random: RandomSource): string {
  const bytes = Array.from({ length: 16 }, () => random.int(0, 256));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function decodeBase64(text: string): string {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new HelperError('base64_decode(): the value is not valid base64 (wrong characters or padding)');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64'));
  } catch {
    throw new HelperError('base64_decode(): the decoded bytes are not UTF-8 text');
  }
}

const CODENAME_STYLES = ['ubuntu', 'docker', 'full'];

function codename(theme: CodenameTheme, [name, style]: unknown[], random: RandomSource): string {
  const words = CODENAME_WORDS[theme];
  const pick = (list: readonly string[]) => list[random.int(0, list.length)];
  const suffix = (length: number) => randomText(random, LOWERCASE + DIGITS, length);
  const prefix = name === undefined ? '' : pythonText(name);
  const fn = `generate_${theme}name`;
  if (style !== undefined && style !== null && !CODENAME_STYLES.includes(pythonText(style))) {
    throw new HelperError(`${fn}(): unknown style '${pythonText(style)}'; use None, 'ubuntu', 'docker' or 'full'`);
  }
  let parts: string[];
  if (style === 'ubuntu') parts = [pick(words.adjectives), pick(words.nouns), suffix(3)];
  else if (style === 'docker') parts = [pick(words.adverbs), pick(words.nouns), suffix(4)];
  else if (style === 'full')
    parts = [suffix(3), pick(words.adverbs), pick(words.adjectives), pick(words.nouns), suffix(4)];
  else parts = [pick(words.adjectives), pick(words.nouns)];
  return `${prefix}-${parts.join('-')}`;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** strftime in UTC for the common directives (glibc spelling); unknown directives stay as written, like glibc. */
export function strftimeUtc(date: Date, format: string): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const hour12 = date.getUTCHours() % 12 === 0 ? 12 : date.getUTCHours() % 12;
  const startOfYear = Date.UTC(date.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((date.getTime() - startOfYear) / 86_400_000) + 1;
  const directives: Record<string, () => string> = {
    Y: () => String(date.getUTCFullYear()),
    y: () => pad(date.getUTCFullYear() % 100),
    m: () => pad(date.getUTCMonth() + 1),
    d: () => pad(date.getUTCDate()),
    e: () => String(date.getUTCDate()).padStart(2, ' '),
    H: () => pad(date.getUTCHours()),
    I: () => pad(hour12),
    M: () => pad(date.getUTCMinutes()),
    S: () => pad(date.getUTCSeconds()),
    f: () => pad(date.getUTCMilliseconds() * 1000, 6),
    p: () => (date.getUTCHours() < 12 ? 'AM' : 'PM'),
    j: () => pad(dayOfYear, 3),
    a: () => WEEKDAYS[date.getUTCDay()].slice(0, 3),
    A: () => WEEKDAYS[date.getUTCDay()],
    w: () => String(date.getUTCDay()),
    u: () => String(date.getUTCDay() === 0 ? 7 : date.getUTCDay()),
    b: () => MONTHS[date.getUTCMonth()].slice(0, 3),
    h: () => MONTHS[date.getUTCMonth()].slice(0, 3),
    B: () => MONTHS[date.getUTCMonth()],
    z: () => '+0000',
    Z: () => 'UTC',
    s: () => String(Math.floor(date.getTime() / 1000)),
    F: () => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`,
    T: () => `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`,
    R: () => `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`,
    D: () => `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${pad(date.getUTCFullYear() % 100)}`,
    '%': () => '%',
  };
  return format.replace(/%(.)/gs, (directive, code: string) =>
    Object.hasOwn(directives, code) ? directives[code]() : directive,
  );
}

/** A child Node process tries each port on all interfaces, so the check stays synchronous like the Jinja call. */
const PORT_PROBE_SCRIPT = `
const net = require('node:net');
const ports = JSON.parse(process.argv[1]);
const tryPort = (index) => {
  if (index >= ports.length) return;
  const server = net.createServer();
  server.once('error', () => tryPort(index + 1));
  server.listen({ port: ports[index], host: '0.0.0.0', exclusive: true }, () => {
    process.stdout.write(String(ports[index]));
    server.close();
  });
};
tryPort(0);
`;

export function firstBindablePort(ports: number[]): number | undefined {
  if (ports.length === 0) return undefined;
  const probe = spawnSync(process.execPath, ['-e', PORT_PROBE_SCRIPT, JSON.stringify(ports)], {
    encoding: 'utf8',
    timeout: 10_000,
    // Inside VS Code the server may run on Electron's binary, which acts as Node only with this variable.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  const port = Number.parseInt(probe.stdout ?? '', 10);
  return Number.isInteger(port) ? port : undefined;
}
