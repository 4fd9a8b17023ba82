import { FILTER_NAMES } from './jinja2/catalogue';

/**
 * The 16 helper functions WindFlow puts in every template's context (format spec §8.3), described once here for
 * checks, completion, hover and the renderer. Implementations live in helpers.ts.
 */
export interface FunctionParameter {
  name: string;
  /** Python spelling of the default, when the parameter is optional. */
  default?: string;
  /** `*choices`: any number of arguments. */
  variadic?: boolean;
  /** Literal values accepted, when the function rejects anything else. */
  allowed?: string[];
}

export interface FunctionSignature {
  name: string;
  parameters: FunctionParameter[];
  returns: string;
  documentation: string;
  /** Produces a secret: its result is masked in previews and never sent to an AI endpoint. */
  secret?: boolean;
}

export const HELPER_FUNCTIONS: FunctionSignature[] = [
  {
    name: 'generate_password',
    parameters: [
      { name: 'length', default: '24' },
      { name: 'include_special', default: 'True' },
    ],
    returns: 'string',
    documentation:
      '`length` random characters from A–Z, a–z, 0–9 and, when `include_special`, `!@#$%^&*()-_=+` (cryptographically random). In Compose templates a `$` in the result is interpolated: prefer `generate_password(n, False)` there.',
    secret: true,
  },
  {
    name: 'generate_secret',
    parameters: [{ name: 'length', default: '32' }],
    returns: 'string',
    documentation: 'Exactly `length` lowercase hexadecimal characters (cryptographically random).',
    secret: true,
  },
  {
    name: 'random_string',
    parameters: [
      { name: 'length' },
      { name: 'charset', default: "'alphanumeric'", allowed: ['alphanumeric', 'alpha', 'numeric', 'hex'] },
    ],
    returns: 'string',
    documentation: '`length` random characters from `charset`: `alphanumeric`, `alpha`, `numeric` or `hex`.',
    secret: true,
  },
  {
    name: 'generate_uuid',
    parameters: [],
    returns: 'string',
    documentation: 'A random UUID v4 with dashes (36 characters).',
  },
  {
    name: 'generate_uuid_short',
    parameters: [],
    returns: 'string',
    documentation: 'A random UUID v4 without dashes (32 characters).',
  },
  {
    name: 'base64_encode',
    parameters: [{ name: 'value' }],
    returns: 'string',
    documentation: 'Base64 of the UTF-8 bytes of `value`.',
  },
  {
    name: 'base64_decode',
    parameters: [{ name: 'value' }],
    returns: 'string',
    documentation: 'Decodes base64 `value` to UTF-8 text.',
  },
  {
    name: 'hash_value',
    parameters: [
      { name: 'value' },
      { name: 'algorithm', default: "'sha256'", allowed: ['sha256', 'sha512', 'md5', 'sha1'] },
    ],
    returns: 'string',
    documentation: 'Hexadecimal digest of `value` with `sha256`, `sha512`, `md5` or `sha1`.',
  },
  {
    name: 'random_port',
    parameters: [
      { name: 'min_port', default: '10000' },
      { name: 'max_port', default: '65535' },
    ],
    returns: 'integer',
    documentation: 'A random port in `[min_port, max_port]`; whether it is free is not checked.',
  },
  {
    name: 'get_valid_port',
    parameters: [
      { name: 'start_port', default: '5432' },
      { name: 'max_attempts', default: '100' },
    ],
    returns: 'integer',
    documentation:
      'The first port from `start_port` that can be bound on the machine that renders the stack (WindFlow: the API host, not the deployment target).',
  },
  {
    name: 'env',
    parameters: [{ name: 'var_name' }, { name: 'default', default: "''" }],
    returns: 'string',
    documentation:
      "An environment variable of the process that renders the stack. On a WindFlow server that exposes the server's own secrets; this extension evaluates it only in trusted workspaces.",
  },
  {
    name: 'now',
    parameters: [{ name: 'format', default: "'%Y-%m-%d %H:%M:%S'" }],
    returns: 'string',
    documentation: 'The current UTC time formatted with strftime `format`.',
  },
  {
    name: 'random_choice',
    parameters: [{ name: 'choices', variadic: true }],
    returns: 'any',
    documentation: 'One of the arguments, chosen at random (at least one is required).',
  },
  {
    name: 'generate_animalname',
    parameters: [
      { name: 'name', default: "''" },
      { name: 'style', default: 'None', allowed: ['ubuntu', 'docker', 'full'] },
    ],
    returns: 'string',
    documentation:
      '`name` + `-` + an adjective-animal codename, e.g. `pg-bright-dolphin`. `style`: `ubuntu` (adds 3 random characters), `docker` (adverb-noun-xxxx) or `full`.',
  },
  {
    name: 'generate_cosmicname',
    parameters: [
      { name: 'name', default: "''" },
      { name: 'style', default: 'None', allowed: ['ubuntu', 'docker', 'full'] },
    ],
    returns: 'string',
    documentation: '`name` + `-` + an astronomy codename. Some nouns contain `_`, which Kubernetes names reject.',
  },
  {
    name: 'generate_mythologyname',
    parameters: [
      { name: 'name', default: "''" },
      { name: 'style', default: 'None', allowed: ['ubuntu', 'docker', 'full'] },
    ],
    returns: 'string',
    documentation:
      '`name` + `-` + a mythology codename. Nouns are capitalised and one contains an apostrophe: not valid for Docker or Kubernetes names.',
  },
];

export const FUNCTIONS_BY_NAME = new Map(HELPER_FUNCTIONS.map((fn) => [fn.name, fn]));

export function signatureLabel(fn: FunctionSignature): string {
  const params = fn.parameters.map((p) =>
    p.variadic ? `*${p.name}` : p.default !== undefined ? `${p.name}=${p.default}` : p.name,
  );
  return `${fn.name}(${params.join(', ')}) -> ${fn.returns}`;
}

/** Filters available in Jinja2's default environment, for checks and completion (the interpreter's catalogue). */
export const JINJA_FILTERS = FILTER_NAMES;
