/**
 * Values a user supplies at deploy time (`--set key=value`, `--values file.yaml`, the deploy form): read them, convert
 * them to each variable's type and check them against its constraints before anything is created. The values stay
 * literals: nothing here (or in the renderer) evaluates them as Jinja.
 */
import { parseDocument } from 'yaml';
import { isPlainObject, StackModel, VariableDecl } from './model';
import { matchPattern } from './safeRegex';
import { didYouMean } from './suggest';

/** A value source that cannot be read; the message names the argument or file and the problem. */
export class ValuesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValuesError';
  }
}

export interface ValueProblem {
  /** The variable, `group.member` for a group member. */
  name: string;
  message: string;
}

/** Sets an own property even for keys like `__proto__`, which plain assignment would treat as the prototype. */
export function defineValue(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** `key=value` arguments; the value is everything after the first `=` (it may itself contain `=`). */
export function parseSetArguments(args: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const arg of args) {
    const equals = arg.indexOf('=');
    if (equals < 0) throw new ValuesError(`--set '${arg}': expected key=value`);
    const key = arg.slice(0, equals).trim();
    if (key === '') throw new ValuesError(`--set '${arg}': the variable name before '=' is empty`);
    defineValue(values, key, arg.slice(equals + 1));
  }
  return values;
}

/** A YAML mapping of values; nested mappings become dotted keys (`performance: {work_mem: 8MB}` → `performance.work_mem`). */
export function loadValuesFile(text: string, fileName: string): Record<string, unknown> {
  const document = parseDocument(text, { prettyErrors: false });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    // An error at the very end (an unclosed quote) belongs to the last line that has content.
    const line = text.slice(0, Math.min(syntaxError.pos[0], text.trimEnd().length)).split('\n').length;
    throw new ValuesError(`${fileName}:${line}: YAML syntax error: ${syntaxError.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new ValuesError(
      `${fileName}: cannot read the values: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) {
    throw new ValuesError(
      `${fileName}: expected a mapping of variable names to values, found ${Array.isArray(data) ? 'a list' : 'a single value'}`,
    );
  }
  const values: Record<string, unknown> = {};
  const flatten = (mapping: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(mapping)) {
      if (isPlainObject(value) && Object.keys(value).length > 0) flatten(value, `${prefix}${key}.`);
      else defineValue(values, `${prefix}${key}`, value);
    }
  };
  flatten(data, '');
  return values;
}

const NUMERIC_TYPES = new Set(['integer', 'number']);
const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

/**
 * Converts each value to its variable's type and checks enum, pattern, bounds, lengths and required. Returns the
 * converted values under dotted names (a group given as a mapping is split into its members); a null value is left
 * out, so the default applies.
 */
export function coerceAndValidateValues(
  model: StackModel,
  values: Record<string, unknown>,
): { values: Record<string, unknown>; problems: ValueProblem[] } {
  const converted: Record<string, unknown> = {};
  const problems: ValueProblem[] = [];

  const accept = (name: string, value: unknown) => {
    if (value === null || value === undefined) return;
    const decl = model.declarations.get(name);
    if (!decl) {
      problems.push({ name, message: `no variable named '${name}'${didYouMean(name, model.declarations.keys())}` });
      return;
    }
    if (decl.children.length > 0 || decl.type === 'group') {
      if (!isPlainObject(value)) {
        const example = decl.children[0] ? `, e.g. ${decl.children[0].qualifiedName}=…` : '';
        problems.push({ name, message: `'${name}' is a group: set its members${example}` });
        return;
      }
      for (const [member, memberValue] of Object.entries(value)) accept(`${name}.${member}`, memberValue);
      return;
    }
    const result = coerce(decl, value);
    if ('problem' in result) {
      problems.push({ name, message: result.problem });
      return;
    }
    const problem = constraintProblem(decl, result.value);
    if (problem) problems.push({ name, message: problem });
    else defineValue(converted, name, result.value);
  };

  for (const [name, value] of Object.entries(values)) accept(name, value);
  return { values: converted, problems };
}

/**
 * The values a render actually used that nobody supplied — defaults, rendered defaults, generated ones — checked
 * against their variable's type and rules like supplied ones: a deploy must not go out with a default its own
 * definition rejects. `supplied` are the qualified names the user gave (they were checked already).
 */
export function unsuppliedValueProblems(
  model: StackModel,
  resolved: Record<string, unknown>,
  supplied: Iterable<string>,
): ValueProblem[] {
  const given = new Set(supplied);
  const problems: ValueProblem[] = [];
  for (const decl of model.declarations.values()) {
    if (decl.children.length > 0 || decl.type === 'group') continue;
    const name = decl.qualifiedName;
    if (given.has(name) || given.has(name.split('.')[0])) continue;
    let value: unknown = resolved;
    for (const segment of name.split('.'))
      value = isPlainObject(value) ? (value as Record<string, unknown>)[segment] : undefined;
    if (value === undefined || value === null || value === '') continue;
    const result = coerce(decl, value);
    const problem = 'problem' in result ? result.problem : constraintProblem(decl, result.value);
    if (problem) problems.push({ name, message: `the default: ${problem}` });
  }
  return problems;
}

/** How a value is quoted in a problem: passwords are never echoed. */
function shown(decl: VariableDecl, value: unknown): string {
  return decl.type === 'password' ? 'the value' : `'${String(value)}'`;
}

function coerce(decl: VariableDecl, value: unknown): { value: unknown } | { problem: string } {
  if (Array.isArray(value) || isPlainObject(value))
    return { problem: `expected a single value, got a ${Array.isArray(value) ? 'list' : 'mapping'}` };
  const text = typeof value === 'string' ? value.trim() : undefined;
  switch (decl.type) {
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return { value };
      if (text !== undefined && /^[+-]?\d+$/.test(text)) return { value: Number.parseInt(text, 10) };
      return { problem: `expected an integer, got ${shown(decl, value)}` };
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return { value };
      if (text !== undefined && text !== '' && Number.isFinite(Number(text))) return { value: Number(text) };
      return { problem: `expected a number, got ${shown(decl, value)}` };
    case 'boolean':
      if (typeof value === 'boolean') return { value };
      if (value === 1 || value === 0) return { value: value === 1 };
      if (text !== undefined && TRUE_WORDS.has(text.toLowerCase())) return { value: true };
      if (text !== undefined && FALSE_WORDS.has(text.toLowerCase())) return { value: false };
      return { problem: `expected a boolean (true/false, yes/no, 1/0), got ${shown(decl, value)}` };
    default:
      return { value: typeof value === 'string' ? value : String(value) };
  }
}

function constraintProblem(decl: VariableDecl, value: unknown): string | undefined {
  const definition = decl.definition;
  if (
    Array.isArray(definition.enum) &&
    definition.enum.length > 0 &&
    !definition.enum.some((option) => String(option) === String(value))
  ) {
    return `${shown(decl, value)} is not one of: ${definition.enum.map(String).join(', ')}`;
  }
  if (NUMERIC_TYPES.has(decl.type ?? '') && typeof value === 'number') {
    if (typeof definition.minimum === 'number' && value < definition.minimum)
      return `${value} is less than the minimum ${definition.minimum}`;
    if (typeof definition.maximum === 'number' && value > definition.maximum)
      return `${value} is more than the maximum ${definition.maximum}`;
  }
  if (typeof value !== 'string') return undefined;
  if (definition.required === true && value.trim() === '') return 'a value is required';
  const length = [...value].length;
  if (typeof definition.min_length === 'number' && length < definition.min_length) {
    return `${shown(decl, value)} is shorter than ${definition.min_length} characters`;
  }
  if (typeof definition.max_length === 'number' && length > definition.max_length) {
    return `${shown(decl, value)} is longer than ${definition.max_length} characters`;
  }
  if (typeof definition.pattern === 'string') {
    const match = matchPattern(definition.pattern, value);
    if (!match.ok) return `the pattern ${definition.pattern} cannot be checked: ${match.reason}`;
    if (!match.matches) return `${shown(decl, value)} does not match the pattern ${definition.pattern}`;
  }
  return undefined;
}
