/**
 * Renders a stack like WindFlow does (product.md §4, format spec §8): every string leaf on its own, after YAML parsing,
 * through @huggingface/jinja — an interpreter with no access to JavaScript objects, so nothing in a stack file can run
 * code. On top of the library we give output Python's spelling (True/False/None, dict and list reprs), make attribute
 * access on an undefined name fail like Jinja2 does, and bound the work a hostile template can ask for.
 */
import type * as JinjaModule from '@huggingface/jinja' with { 'resolution-mode': 'import' };
import { stringify } from 'yaml';
import { FUNCTIONS_BY_NAME } from './functions';
import { callHelper, cryptoRandom, firstBindablePort, HelperContext, HelperError, RandomSource } from './helpers';
import { hasJinja, JINJA_KEYWORDS } from './jinja';
import { defaultDeploymentName } from './deploymentName';
import { isPlainObject, leafSpan, Path, spanOf, StackModel, StringLeaf, VariableDecl } from './model';
import { maskSecrets, SECRET_MASK, secretDerivedValues } from './secretTaint';
import { Span } from './text';
import { defineValue } from './values';

export interface RenderOptions {
  /** Values the user typed: literals, never evaluated. `group.member` sets one member; an object for a group replaces it. */
  values?: Record<string, unknown>;
  deploymentName?: string;
  /** env() reads the environment only when true (trusted workspaces, the CLI). */
  allowEnv?: boolean;
  /** The variables env() reads; process.env when omitted. */
  env?: Record<string, string | undefined>;
  random?: RandomSource;
  now?: () => Date;
  isPortFree?: (port: number) => boolean;
  /**
   * Reuses the output of strings already rendered with the same values. Honoured only when the render is
   * repeatable (random, now and isPortFree given, env() off), as it is for checks; a deploy always renders afresh.
   */
  cache?: RenderCache;
  /** Changes what secret helpers return (secretTaint.ts's second render); set, it also skips the taint renders. */
  secretVariant?: (secret: string) => string;
}

interface CachedRender {
  result: StringRender;
  /** Secrets that helper functions produced while rendering the string. */
  secrets: string[];
}

/** Rendered strings by source text, for one set of values at a time (see RenderOptions.cache). */
export class RenderCache {
  private valuesKey?: string;
  private results = new Map<string, CachedRender>();

  /** The results rendered with these values; a different set of values starts afresh. */
  resultsFor(valuesKey: string): Map<string, CachedRender> {
    if (valuesKey !== this.valuesKey) {
      this.valuesKey = valuesKey;
      this.results = new Map();
    }
    return this.results;
  }
}

export interface RenderIssue {
  message: string;
  /** Where in the file the failing string is. */
  path: Path;
  /** The document span of the `{{ }}` (or `{% %}`) that failed, when the string is in the file. */
  span?: Span;
}

export interface ResolvedValues {
  /** Values by variable name; groups are nested objects. */
  values: Record<string, unknown>;
  errors: RenderIssue[];
  secrets: string[];
}

export interface RenderResult {
  /** No errors: the render may be deployed. */
  ok: boolean;
  errors: RenderIssue[];
  /** Problems that do not stop a deploy: deployment_notes that failed to render (they stay verbatim). */
  warnings: RenderIssue[];
  stackName: string;
  targetType: string;
  deploymentName: string;
  values: Record<string, unknown>;
  template: unknown;
  targetParameters?: unknown;
  deploymentNotes?: string;
  /** Passwords and generated secrets of this render: mask them wherever the render is shown. */
  secrets: string[];
}

export { maskSecrets, SECRET_MASK };

// The package is an ES module with a CommonJS build; our CommonJS code loads that build (esbuild bundles it too).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Environment, Interpreter, parse, tokenize } = require('@huggingface/jinja') as typeof JinjaModule;
type Environment = JinjaModule.Environment;

/** Work limits per string, so a hostile template fails with an error instead of hanging or exhausting memory. */
const LIMITS = { steps: 50_000, outputLength: 5_000_000, rangeLength: 10_000 };

// ---------------------------------------------------------------------------------------------------------------
// Runtime values of @huggingface/jinja. The package exports only Environment and Interpreter, so the value classes
// are reached through the values its Environment creates.

interface RuntimeValue {
  type: string;
  value: unknown;
}
type RuntimeClass = new (value?: unknown) => RuntimeValue;

function runtimeClassOf(sample: unknown): RuntimeClass {
  return (new Environment().set('sample', sample) as object).constructor as RuntimeClass;
}

const Runtime = {
  string: runtimeClassOf(''),
  integer: runtimeClassOf(1),
  float: runtimeClassOf(1.5),
  boolean: runtimeClassOf(true),
  none: runtimeClassOf(null),
  undefined: runtimeClassOf(undefined),
  array: runtimeClassOf([]),
  object: runtimeClassOf({}),
  function: runtimeClassOf(() => null),
};

/** Names shown by a function's repr (`{{ env }}` prints `<function env>`). */
const functionNames = new WeakMap<RuntimeValue, string>();

function toRuntime(value: unknown): RuntimeValue {
  if (typeof value === 'string') return new Runtime.string(value);
  if (typeof value === 'boolean') return new Runtime.boolean(value);
  if (typeof value === 'number') return Number.isInteger(value) ? new Runtime.integer(value) : new Runtime.float(value);
  if (typeof value === 'bigint') return new Runtime.integer(Number(value));
  if (value === null) return new Runtime.none(null);
  if (value === undefined) return new Runtime.undefined(undefined);
  if (value instanceof Date) return new Runtime.string(pythonDate(value));
  if (Array.isArray(value)) return new Runtime.array(value.map(toRuntime));
  if (isPlainObject(value))
    return new Runtime.object(new Map(Object.entries(value).map(([key, item]) => [key, toRuntime(item)])));
  return new Runtime.string(String(value));
}

function fromRuntime(value: RuntimeValue): unknown {
  switch (value.type) {
    case 'ArrayValue':
    case 'TupleValue':
      return (value.value as RuntimeValue[]).map(fromRuntime);
    case 'ObjectValue':
    case 'KeywordArgumentsValue':
    case 'NamespaceValue':
      return Object.fromEntries(
        [...(value.value as Map<string, RuntimeValue>)].map(([key, item]) => [key, fromRuntime(item)]),
      );
    case 'FunctionValue':
      return pythonRepr(value);
    default:
      return value.value;
  }
}

/** PyYAML loads timestamps as dates; Python prints them like this. */
function pythonDate(date: Date): string {
  const iso = date.toISOString();
  return date.getTime() % 86_400_000 === 0 ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Python's str(): what `{{ value }}` prints. */
export function pythonStr(value: RuntimeValue): string {
  if (value.type === 'StringValue') return value.value as string;
  if (value.type === 'UndefinedValue') return '';
  return pythonRepr(value);
}

/** Python's repr(), used for values inside lists and dicts. */
function pythonRepr(value: RuntimeValue): string {
  switch (value.type) {
    case 'StringValue':
      return pythonQuote(value.value as string);
    case 'BooleanValue':
      return value.value ? 'True' : 'False';
    case 'NullValue':
      return 'None';
    case 'UndefinedValue':
      return '';
    case 'IntegerValue':
      return String(value.value);
    case 'FloatValue':
      return pythonFloat(value.value as number);
    case 'ArrayValue':
      return `[${(value.value as RuntimeValue[]).map(pythonRepr).join(', ')}]`;
    case 'TupleValue': {
      const items = (value.value as RuntimeValue[]).map(pythonRepr);
      return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    }
    case 'ObjectValue':
    case 'KeywordArgumentsValue':
      return pythonDict(value.value as Map<string, RuntimeValue>);
    case 'NamespaceValue':
      return `<Namespace ${pythonDict(value.value as Map<string, RuntimeValue>)}>`;
    case 'FunctionValue':
      return `<function ${functionNames.get(value) ?? 'function'}>`;
    default:
      return String(value.value);
  }
}

function pythonDict(entries: Map<string, RuntimeValue>): string {
  return `{${[...entries].map(([key, item]) => `${pythonQuote(key)}: ${pythonRepr(item)}`).join(', ')}}`;
}

function pythonQuote(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let quoted = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') quoted += '\\\\';
    else if (char === quote) quoted += `\\${quote}`;
    else if (char === '\n') quoted += '\\n';
    else if (char === '\r') quoted += '\\r';
    else if (char === '\t') quoted += '\\t';
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else quoted += char;
  }
  return quote + quoted + quote;
}

/** Python's float repr: positional between 1e-4 and 1e16, exponent (`1e+16`, `1.5e-05`) outside. */
function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16)
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  const text = String(value);
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

// ---------------------------------------------------------------------------------------------------------------
// The interpreter with Jinja2's behaviour where @huggingface/jinja differs.

/** A failure while rendering one string; `reference` names the variable or function involved, to place the error. */
class RenderFailure extends Error {
  constructor(
    message: string,
    readonly reference?: string,
  ) {
    super(message);
    this.name = 'RenderFailure';
  }
}

interface AstNode {
  type: string;
  [field: string]: unknown;
}

/** Interpreter methods we replace per instance (TypeScript declares them private; JavaScript dispatches through `this`). */
interface InterpreterInternals {
  evaluate(node: AstNode | undefined, environment: Environment): RuntimeValue;
  evaluateBlock(statements: AstNode[], environment: Environment): RuntimeValue;
  evaluateMemberExpression(node: AstNode, environment: Environment): RuntimeValue;
  evaluateCallExpression(node: AstNode, environment: Environment): RuntimeValue;
  evaluateBinaryExpression(node: AstNode, environment: Environment): RuntimeValue;
  applyFilter(operand: RuntimeValue, filter: AstNode, environment: Environment): RuntimeValue;
  run(program: unknown): RuntimeValue;
}

/** Statements whose result is not output (a `{{ none }}` expression prints None, a `{% set %}` prints nothing). */
const SILENT_STATEMENTS = new Set(['Set', 'Macro', 'Comment', 'Break', 'Continue']);
/** Marks an already evaluated object so member access does not evaluate it twice. */
const EVALUATED = 'WindFlowEvaluated';
/** Filters that decide themselves what to do with an undefined operand. */
const UNDEFINED_AWARE_FILTERS = new Set(['default', 'd']);

function createInterpreter(environment: Environment): InterpreterInternals {
  const interpreter = new Interpreter(environment) as unknown as InterpreterInternals;
  const base = {
    evaluate: interpreter.evaluate.bind(interpreter),
    evaluateMemberExpression: interpreter.evaluateMemberExpression.bind(interpreter),
    evaluateCallExpression: interpreter.evaluateCallExpression.bind(interpreter),
    evaluateBinaryExpression: interpreter.evaluateBinaryExpression.bind(interpreter),
    applyFilter: interpreter.applyFilter.bind(interpreter),
  };
  let steps = 0;
  const step = () => {
    if (++steps > LIMITS.steps)
      throw new RenderFailure(`rendering takes more than ${LIMITS.steps} steps (a loop that is too large?)`);
  };

  interpreter.evaluate = (node, scope) => {
    step();
    const value = node?.type === EVALUATED ? (node.value as RuntimeValue) : base.evaluate(node, scope);
    // Checked at every step, so repeated doubling (`{% set s = s ~ s %}` in a loop) stops before memory runs out.
    if (value.type === 'StringValue' && (value.value as string).length > LIMITS.outputLength) {
      throw new RenderFailure(`the rendered text is longer than ${LIMITS.outputLength} characters`);
    }
    return value;
  };

  // Loops run their body through here, so an empty body still counts.
  interpreter.evaluateBlock = (statements, scope) => {
    step();
    let output = '';
    for (const statement of statements) {
      const value = interpreter.evaluate(statement, scope);
      if (!SILENT_STATEMENTS.has(statement.type)) output += pythonStr(value);
      if (output.length > LIMITS.outputLength) {
        throw new RenderFailure(`the rendered text is longer than ${LIMITS.outputLength} characters`);
      }
    }
    return new Runtime.string(output);
  };

  interpreter.evaluateMemberExpression = (node, scope) => {
    const object = interpreter.evaluate(node.object as AstNode, scope);
    if (object.type === 'UndefinedValue') {
      const root = rootName(node);
      const property = node.computed ? 'an item' : `'${String((node.property as AstNode).value)}'`;
      throw new RenderFailure(
        `'${expressionText(node.object as AstNode)}' is undefined, so ${property} of it cannot be read`,
        root,
      );
    }
    return base.evaluateMemberExpression({ ...node, object: { type: EVALUATED, value: object } }, scope);
  };

  interpreter.evaluateCallExpression = (node, scope) => {
    const callee = node.callee as AstNode;
    if (callee.type === 'Identifier' && scope.lookupVariable(callee.value as string).type === 'UndefinedValue') {
      throw new RenderFailure(`no function named '${String(callee.value)}'`, callee.value as string);
    }
    return base.evaluateCallExpression(node, scope);
  };

  interpreter.evaluateBinaryExpression = (node, scope) => {
    if ((node.operator as { value: string }).value !== '~') return base.evaluateBinaryExpression(node, scope);
    const left = interpreter.evaluate(node.left as AstNode, scope);
    const right = interpreter.evaluate(node.right as AstNode, scope);
    return new Runtime.string(pythonStr(left) + pythonStr(right));
  };

  interpreter.applyFilter = (operand, filter, scope) => {
    const name = filter.type === 'Identifier' ? filter.value : (filter.callee as AstNode | undefined)?.value;
    if (name === 'string' && filter.type === 'Identifier') return new Runtime.string(pythonStr(operand));
    // Jinja2's Undefined acts as an empty string in filters (`{{ nope | upper }}` is '').
    if (operand.type === 'UndefinedValue' && !UNDEFINED_AWARE_FILTERS.has(String(name))) {
      return base.applyFilter(new Runtime.string(''), filter, scope);
    }
    return base.applyFilter(operand, filter, scope);
  };
  return interpreter;
}

function rootName(node: AstNode): string | undefined {
  if (node.type === 'Identifier') return node.value as string;
  if (node.type === 'MemberExpression') return rootName(node.object as AstNode);
  if (node.type === 'CallExpression') return rootName(node.callee as AstNode);
  return undefined;
}

function expressionText(node: AstNode): string {
  if (node.type === 'Identifier') return node.value as string;
  if (node.type === 'MemberExpression' && !node.computed)
    return `${expressionText(node.object as AstNode)}.${String((node.property as AstNode).value)}`;
  return rootName(node) ?? 'value';
}

/** Jinja2's globals (range, dict; namespace comes with every Environment) and its literal names. */
function installGlobals(environment: Environment): void {
  environment.setVariable(
    'range',
    jinjaFunction('range', (positional) => toRuntime(pythonRange(positional.map(fromRuntime)))) as never,
  );
  environment.setVariable('dict', jinjaFunction('dict', (_positional, keywords) => toRuntime(keywords)) as never);
}

function installLiterals(environment: Environment): void {
  for (const [name, value] of [
    ['true', true],
    ['false', false],
    ['none', null],
    ['True', true],
    ['False', false],
    ['None', null],
  ] as const) {
    environment.setVariable(name, toRuntime(value) as never);
  }
}

function pythonRange(args: unknown[]): number[] {
  if (!args.every((arg) => Number.isInteger(arg)) || args.length === 0 || args.length > 3) {
    throw new RenderFailure('range() takes one to three integers', 'range');
  }
  const [start, stop, step] =
    args.length === 1 ? [0, args[0] as number, 1] : [args[0] as number, args[1] as number, (args[2] as number) ?? 1];
  if (step === 0) throw new RenderFailure('range() step must not be zero', 'range');
  const length = Math.max(0, Math.ceil((stop - start) / step));
  if (length > LIMITS.rangeLength)
    throw new RenderFailure(`range() of ${length} numbers is larger than ${LIMITS.rangeLength}`, 'range');
  return Array.from({ length }, (_, index) => start + index * step);
}

function jinjaFunction(
  name: string,
  body: (positional: RuntimeValue[], keywords: Record<string, unknown>) => RuntimeValue,
): RuntimeValue {
  const value = new Runtime.function((args: RuntimeValue[]) => {
    const last = args.at(-1);
    const hasKeywords = last?.type === 'KeywordArgumentsValue';
    const keywords = hasKeywords ? (fromRuntime(last) as Record<string, unknown>) : {};
    return body(hasKeywords ? args.slice(0, -1) : args, keywords);
  });
  functionNames.set(value, name);
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering one string.

type StringRender = { ok: true; text: string } | { ok: false; message: string; reference?: string };

/** `{{ name }}` with nothing but a plain name inside: the most common expression by far. */
const PLAIN_REFERENCE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const LITERAL_NAMES = new Set(['true', 'false', 'none', 'True', 'False', 'None']);

/**
 * Renders a string whose only Jinja is plain `{{ name }}` substitutions without the interpreter: the output is
 * what the interpreter prints for an expression statement (pythonStr of the name's value in the same scope).
 * Anything else — filters, attributes, calls, statements, keywords, braces next to an expression — returns
 * undefined and goes through the interpreter.
 */
function renderPlainReferences(text: string, shared: Environment): string | undefined {
  let output = '';
  let last = 0;
  for (const match of text.matchAll(PLAIN_REFERENCE)) {
    const name = match[1];
    const literal = text.slice(last, match.index);
    const after = text[match.index + match[0].length];
    if (hasJinja(literal) || literal.endsWith('{') || after === '}') return undefined;
    if (JINJA_KEYWORDS.has(name) && !LITERAL_NAMES.has(name)) return undefined;
    output += literal + pythonStr(shared.lookupVariable(name) as RuntimeValue);
    last = match.index + match[0].length;
  }
  const rest = text.slice(last);
  return hasJinja(rest) ? undefined : output + rest;
}

/** Renders one string in its own scope on top of `shared` (a `{% set %}` does not leak into the next string). */
function renderString(source: string, shared: Environment): StringRender {
  // Jinja2 normalises line endings and drops one trailing newline (keep_trailing_newline is off).
  const text = source.replace(/\r\n?/g, '\n');
  const withoutTrailingNewline = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (!hasJinja(text)) return { ok: true, text: withoutTrailingNewline };
  const plain = renderPlainReferences(withoutTrailingNewline, shared);
  if (plain !== undefined) return { ok: true, text: plain };
  let program: unknown;
  try {
    // The tokenizer drops the trailing newline itself; block trimming stays off like Jinja2's defaults.
    program = parse(tokenize(text, { lstrip_blocks: false, trim_blocks: false }));
  } catch (error) {
    return { ok: false, message: `Jinja syntax error: ${errorMessage(error)}` };
  }
  try {
    const result = createInterpreter(new Environment(shared)).run(program);
    return { ok: true, text: pythonStr(result) };
  } catch (error) {
    return {
      ok: false,
      message: errorMessage(error),
      reference: error instanceof RenderFailure ? error.reference : undefined,
    };
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof RenderFailure || error instanceof HelperError) return error.message;
  if (error instanceof RangeError) return 'the template is too large or too deeply nested to render';
  return error instanceof Error ? error.message : String(error);
}

/** Which `{{ }}` of a leaf failed: the one using the named reference, else the first that fails on its own. */
function failureSpan(
  leaf: StringLeaf | undefined,
  failure: { reference?: string },
  shared: Environment,
): Span | undefined {
  if (!leaf) return undefined;
  const segments = leaf.scan.segments.filter((segment) => segment.kind !== 'comment');
  let segment = failure.reference
    ? segments.find((s) => s.references.some((r) => r.name === failure.reference))
    : undefined;
  segment ??= segments.find(
    (s) => s.kind === 'expression' && !renderString(leaf.value.slice(s.span.start, s.span.end), shared).ok,
  );
  segment ??= segments[0];
  return segment ? leafSpan(leaf, segment.span) : spanOf(leaf.node);
}

// ---------------------------------------------------------------------------------------------------------------
// Values.

class Renderer {
  readonly errors: RenderIssue[] = [];
  readonly secrets = new Set<string>();
  /** Set for the template stage of a repeatable render. */
  cached?: Map<string, CachedRender>;
  /** Secrets produced by helper calls of the string being rendered. */
  private producedSecrets: string[] = [];
  readonly helperContext: HelperContext;
  private readonly helpers: Map<string, RuntimeValue>;

  constructor(options: RenderOptions) {
    const isPortFree = options.isPortFree;
    this.helperContext = {
      random: options.random ?? cryptoRandom,
      now: options.now ?? (() => new Date()),
      env: options.allowEnv ? (options.env ?? process.env) : undefined,
      firstFreePort: isPortFree ? (ports) => ports.find((port) => isPortFree(port)) : firstBindablePort,
    };
    this.helpers = new Map(
      [...FUNCTIONS_BY_NAME.values()].map((signature) => [
        signature.name,
        jinjaFunction(signature.name, (positional, keywords) => {
          const produced = callHelper(signature.name, positional.map(fromRuntime), keywords, this.helperContext);
          const result =
            signature.secret && typeof produced === 'string' && options.secretVariant
              ? options.secretVariant(produced)
              : produced;
          if (signature.secret && typeof result === 'string' && result !== '') {
            this.secrets.add(result);
            this.producedSecrets.push(result);
          }
          return toRuntime(result);
        }),
      ]),
    );
  }

  /** A scope where variables are visible, helper functions shadow them and Jinja's literals win over both. */
  environment(values: Record<string, unknown>): Environment {
    const environment = new Environment();
    installGlobals(environment);
    for (const [name, value] of Object.entries(values)) environment.setVariable(name, toRuntime(value) as never);
    for (const [name, helper] of this.helpers) environment.setVariable(name, helper as never);
    installLiterals(environment);
    return environment;
  }

  /** Renders a string, or records the error and keeps it verbatim (like WindFlow, which leaves it un-rendered). */
  render(source: string, shared: Environment, path: Path, leaf: StringLeaf | undefined): string {
    const result = this.renderCached(source, shared);
    if (result.ok) return result.text;
    this.errors.push({ message: result.message, path, span: failureSpan(leaf, result, shared) });
    return source;
  }

  private renderCached(source: string, shared: Environment): StringRender {
    const hit = this.cached?.get(source);
    if (hit) {
      for (const secret of hit.secrets) this.secrets.add(secret);
      return hit.result;
    }
    this.producedSecrets = [];
    const result = renderString(source, shared);
    this.cached?.set(source, { result, secrets: this.producedSecrets });
    return result;
  }

  /** Deep copy of `data` with every string rendered; keys are never rendered. */
  renderData(data: unknown, path: Path, shared: Environment, leaves: Map<string, StringLeaf>): unknown {
    if (typeof data === 'string') return this.render(data, shared, path, leaves.get(pathKey(path)));
    if (Array.isArray(data)) return data.map((item, index) => this.renderData(item, [...path, index], shared, leaves));
    if (isPlainObject(data)) {
      return Object.fromEntries(
        Object.entries(data).map(([key, item]) => [key, this.renderData(item, [...path, key], shared, leaves)]),
      );
    }
    return data;
  }
}

function pathKey(path: Path): string {
  return JSON.stringify(path);
}

function isGroup(decl: VariableDecl): boolean {
  return decl.children.length > 0 || isPlainObject(decl.definition.variables);
}

function allDeclarations(decls: VariableDecl[]): VariableDecl[] {
  return decls.flatMap((decl) => [decl, ...allDeclarations(decl.children)]);
}

/** Only own properties are read and written, so a user key like `__proto__.x` cannot reach Object.prototype. */
function setIn(target: Record<string, unknown>, path: string[], value: unknown): void {
  let current = target;
  for (const segment of path.slice(0, -1)) {
    const next = ownValue(current, segment);
    if (isPlainObject(next)) current = next;
    else {
      const created: Record<string, unknown> = {};
      defineValue(current, segment, created);
      current = created;
    }
  }
  defineValue(current, path[path.length - 1], value);
}

function getInValues(values: Record<string, unknown>, path: string[]): unknown {
  let current: unknown = values;
  for (const segment of path) current = isPlainObject(current) ? ownValue(current, segment) : undefined;
  return current;
}

function ownValue(target: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(target, key) ? target[key] : undefined;
}

function defaultValues(decls: VariableDecl[], target: Record<string, unknown>): void {
  for (const decl of decls) {
    if (isGroup(decl)) {
      const group: Record<string, unknown> = {};
      defaultValues(decl.children, group);
      defineValue(target, decl.name, group);
    } else if (decl.definition.default !== undefined && decl.definition.default !== null) {
      defineValue(target, decl.name, decl.definition.default);
    }
  }
}

function qualifiedPath(decl: VariableDecl): string[] {
  return decl.parent ? [...qualifiedPath(decl.parent), decl.name] : [decl.name];
}

/** Default values, overlaid with the user's literal values, with Jinja in defaults rendered in dependency order. */
export function resolveValues(model: StackModel, options: RenderOptions = {}): ResolvedValues {
  const renderer = new Renderer(options);
  const values = resolveWith(model, options, renderer);
  return { values, errors: renderer.errors, secrets: [...renderer.secrets] };
}

function resolveWith(model: StackModel, options: RenderOptions, renderer: Renderer): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  defaultValues(model.variables, values);

  const supplied: string[][] = [];
  for (const [key, value] of Object.entries(options.values ?? {})) {
    const path = key.split('.');
    setIn(values, path, value);
    supplied.push(path);
  }
  const isSupplied = (decl: VariableDecl) => {
    const path = qualifiedPath(decl);
    return supplied.some(
      (given) => given.length <= path.length && given.every((segment, index) => segment === path[index]),
    );
  };

  const declarations = allDeclarations(model.variables);
  const pending = declarations.filter(
    (decl) =>
      !isGroup(decl) &&
      typeof decl.definition.default === 'string' &&
      hasJinja(decl.definition.default) &&
      !isSupplied(decl),
  );
  const defaultLeaf = new Map<VariableDecl, StringLeaf>();
  for (const leaf of model.leaves) {
    if (leaf.scope === 'variables' && leaf.owner && pathKey(leaf.path) === pathKey([...leaf.owner.path, 'default']))
      defaultLeaf.set(leaf.owner, leaf);
  }

  const dependencies = new Map<VariableDecl, { on: VariableDecl; span?: Span }[]>();
  for (const decl of pending) {
    const leaf = defaultLeaf.get(decl);
    const edges: { on: VariableDecl; span?: Span }[] = [];
    for (const site of model.references) {
      if (site.leaf !== leaf || !site.variable || FUNCTIONS_BY_NAME.has(site.reference.name)) continue;
      const target = site.member ?? site.variable;
      const segmentSpan = leafSpan(site.leaf, site.segment.span);
      for (const other of pending) {
        if (other === target || isDescendant(other, target)) edges.push({ on: other, span: segmentSpan });
      }
    }
    dependencies.set(decl, edges);
  }

  const order: VariableDecl[] = [];
  const inCycle = new Set<VariableDecl>();
  const state = new Map<VariableDecl, 'visiting' | 'done'>();
  const visit = (decl: VariableDecl, stack: VariableDecl[]): void => {
    if (state.get(decl) === 'done') return;
    if (state.get(decl) === 'visiting') {
      const cycle = stack.slice(stack.indexOf(decl));
      if (cycle.some((member) => inCycle.has(member))) return;
      cycle.forEach((member) => inCycle.add(member));
      const names = [...cycle, decl].map((member) => member.qualifiedName).join(' → ');
      const first = dependencies.get(cycle[0])?.find((edge) => edge.on === (cycle[1] ?? cycle[0]));
      renderer.errors.push({
        message: `variable defaults depend on each other in a cycle: ${names}`,
        path: [...cycle[0].path, 'default'],
        span: first?.span,
      });
      return;
    }
    state.set(decl, 'visiting');
    for (const edge of dependencies.get(decl) ?? []) visit(edge.on, [...stack, decl]);
    state.set(decl, 'done');
    order.push(decl);
  };
  for (const decl of pending) visit(decl, []);

  const shared = renderer.environment(values);
  for (const decl of order) {
    if (inCycle.has(decl)) continue;
    const path = qualifiedPath(decl);
    const rendered = renderer.render(
      decl.definition.default as string,
      shared,
      [...decl.path, 'default'],
      defaultLeaf.get(decl),
    );
    setIn(values, path, rendered);
    shared.setVariable(path[0], toRuntime(values[path[0]]) as never);
  }

  for (const decl of declarations) {
    if (decl.type !== 'password') continue;
    const value = getInValues(values, qualifiedPath(decl));
    if ((typeof value === 'string' || typeof value === 'number') && String(value) !== '')
      renderer.secrets.add(String(value));
  }
  return values;
}

function isDescendant(decl: VariableDecl, ancestor: VariableDecl): boolean {
  for (let parent = decl.parent; parent; parent = parent.parent) if (parent === ancestor) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// The whole stack.

/** Renders template, target_parameters and deployment_notes with the resolved values and the deployment name. */
export function renderStack(model: StackModel, options: RenderOptions = {}): RenderResult {
  const renderer = new Renderer(options);
  const data = isPlainObject(model.data) ? model.data : undefined;
  const metadata = data && isPlainObject(data.metadata) ? data.metadata : {};
  const result: RenderResult = {
    ok: false,
    errors: renderer.errors,
    warnings: [],
    stackName: typeof metadata.name === 'string' ? metadata.name : '',
    targetType: model.targetType ?? '',
    deploymentName: '',
    values: {},
    template: undefined,
    secrets: [],
  };
  if (!data) {
    renderer.errors.push({
      message: 'the stack file could not be read as YAML data; fix the YAML errors first',
      path: [],
    });
    return result;
  }

  result.values = resolveWith(model, options, renderer);
  result.deploymentName = deploymentName(model, options, renderer, result.values, metadata);

  const shared = renderer.environment({ ...result.values, deployment_name: result.deploymentName });
  useCache(renderer, options, result.values, result.deploymentName);
  const leavesOf = (scope: StringLeaf['scope']) =>
    new Map(model.leaves.filter((leaf) => leaf.scope === scope).map((leaf) => [pathKey(leaf.path), leaf]));
  if (data.template === undefined || data.template === null) {
    renderer.errors.push({ message: 'the stack has no template to render', path: ['template'] });
  } else {
    result.template = renderer.renderData(data.template, ['template'], shared, leavesOf('template'));
  }
  if (data.target_parameters !== undefined && data.target_parameters !== null) {
    result.targetParameters = renderer.renderData(
      data.target_parameters,
      ['target_parameters'],
      shared,
      leavesOf('target_parameters'),
    );
  }
  if (typeof data.deployment_notes === 'string') {
    // Notes are only shown to people (WindFlow never renders them), and often quote other template languages
    // (`docker inspect --format '{{ .State }}'`): their failures are warnings, not a reason to refuse a deploy.
    const errorsBefore = renderer.errors.length;
    result.deploymentNotes = renderer.render(
      data.deployment_notes,
      shared,
      ['deployment_notes'],
      leavesOf('deployment_notes').get(pathKey(['deployment_notes'])),
    );
    result.warnings = renderer.errors.splice(errorsBefore);
  }
  result.secrets = [...renderer.secrets];
  // Everything computed from a secret is a secret too (secretTaint.ts).
  if (!options.secretVariant) result.secrets = secretDerivedValues(model, options, result, renderStack);
  result.ok = renderer.errors.length === 0;
  return result;
}

/** The user's name, else metadata.deployment_name rendered (helpers + top-level values), else `<name>-<UTC time>`. */
function deploymentName(
  model: StackModel,
  options: RenderOptions,
  renderer: Renderer,
  values: Record<string, unknown>,
  metadata: Record<string, unknown>,
): string {
  if (options.deploymentName) return options.deploymentName;
  const template = metadata.deployment_name;
  if (template !== undefined && template !== null) {
    const groups = new Set(model.variables.filter(isGroup).map((decl) => decl.name));
    const visible = Object.fromEntries(Object.entries(values).filter(([name]) => !groups.has(name)));
    const leaf = model.leaves.find((candidate) => candidate.scope === 'deployment_name');
    const rendered =
      typeof template === 'string'
        ? renderer.render(template, renderer.environment(visible), ['metadata', 'deployment_name'], leaf)
        : String(template);
    if (rendered.trim() !== '') return rendered;
  }
  // Derived from metadata.name so that every target accepts it (upstream uses the name verbatim).
  return defaultDeploymentName(typeof metadata.name === 'string' ? metadata.name : '', renderer.helperContext.now());
}

function useCache(renderer: Renderer, options: RenderOptions, values: Record<string, unknown>, name: string): void {
  const repeatable = options.random && options.now && options.isPortFree && !options.allowEnv;
  if (options.cache && repeatable) renderer.cached = options.cache.resultsFor(JSON.stringify([values, name]));
}

export interface LeafRenders {
  deploymentName: string;
  secrets: string[];
  /** The rendered text of each requested string that rendered without error. */
  texts: Map<StringLeaf, string>;
}

/**
 * Renders chosen strings of the file exactly as renderStack renders them in place (checks that inspect a few
 * values need not render the whole template). A `deployment_name` leaf gets the deployment name.
 */
export function renderLeaves(
  model: StackModel,
  leaves: Iterable<StringLeaf>,
  options: RenderOptions = {},
): LeafRenders {
  const renderer = new Renderer(options);
  const data = isPlainObject(model.data) ? model.data : {};
  const metadata = isPlainObject(data.metadata) ? data.metadata : {};
  const values = resolveWith(model, options, renderer);
  const errorsBeforeName = renderer.errors.length;
  const name = deploymentName(model, options, renderer, values, metadata);
  const nameRendered = renderer.errors.length === errorsBeforeName;
  const shared = renderer.environment({ ...values, deployment_name: name });
  useCache(renderer, options, values, name);
  const texts = new Map<StringLeaf, string>();
  for (const leaf of leaves) {
    if (leaf.scope === 'deployment_name') {
      if (nameRendered) texts.set(leaf, name);
      continue;
    }
    const errorsBefore = renderer.errors.length;
    const text = renderer.render(leaf.value, shared, leaf.path, leaf);
    if (renderer.errors.length === errorsBefore) texts.set(leaf, text);
  }
  return { deploymentName: name, secrets: [...renderer.secrets], texts };
}

// ---------------------------------------------------------------------------------------------------------------
// Showing a render.

/** The rendered template as YAML; secrets are masked in the data first, so YAML quoting cannot split one. */
export function renderedTemplateYaml(
  result: Pick<RenderResult, 'template' | 'secrets'>,
  options: { showSecrets: boolean },
): string {
  const mask = (data: unknown): unknown => {
    if (typeof data === 'string') return maskSecrets(data, result.secrets);
    if (Array.isArray(data)) return data.map(mask);
    if (isPlainObject(data))
      return Object.fromEntries(
        Object.entries(data).map(([key, item]) => [maskSecrets(key, result.secrets), mask(item)]),
      );
    return data;
  };
  if (result.template === undefined) return '';
  return stringify(options.showSecrets ? result.template : mask(result.template), { lineWidth: 0 });
}
