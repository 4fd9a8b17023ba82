/**
 * Renders a stack like WindFlow does (product.md §4, format spec §8): every string leaf on its own, after YAML parsing,
 * through our Jinja2 interpreter (jinja2/) — Python's Jinja2 3.1 semantics, with no access to JavaScript objects, so
 * nothing in a stack file can run code, and with limits on the work a hostile template can ask for.
 */
import { Document, Scalar, visit } from 'yaml';
import { FUNCTIONS_BY_NAME } from './functions';
import { callHelper, cryptoRandom, firstBindablePort, HelperContext, HelperError, RandomSource } from './helpers';
import { hasJinja, JINJA_KEYWORDS } from './jinja';
import {
  DEFAULT_LIMITS,
  fromJs,
  JinjaError,
  jinjaGlobals,
  Limits,
  PyCallable,
  pyStr,
  RandomSource as JinjaRandom,
  renderTemplate,
  Scope,
  TemplateSyntaxError,
  toJs,
  Value,
} from './jinja2';
import { normaliseSource, TemplateAssertionError } from './jinja2/lexer';
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

/** Work limits per string, so a hostile template fails with an error instead of hanging or exhausting memory. */
const LIMITS: Limits = { ...DEFAULT_LIMITS, steps: 50_000, outputLength: 5_000_000, rangeLength: 10_000 };

// ---------------------------------------------------------------------------------------------------------------
// Rendering one string.

type StringRender = { ok: true; text: string } | { ok: false; message: string; reference?: string };

/** `{{ name }}` with nothing but a plain name inside: the most common expression by far. */
const PLAIN_REFERENCE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Renders a string whose only Jinja is plain `{{ name }}` substitutions without the interpreter: the output is
 * what the interpreter prints for an output statement (Python's str of the name's value in the same scope).
 * Anything else — filters, attributes, calls, statements, keywords, braces next to an expression — returns
 * undefined and goes through the interpreter.
 */
function renderPlainReferences(text: string, shared: Scope): string | undefined {
  let output = '';
  let last = 0;
  for (const match of text.matchAll(PLAIN_REFERENCE)) {
    const name = match[1];
    const literal = text.slice(last, match.index);
    const after = text[match.index + match[0].length];
    if (hasJinja(literal) || literal.endsWith('{') || after === '}') return undefined;
    if (JINJA_KEYWORDS.has(name)) return undefined;
    output += literal + pyStr(shared.lookup(name) ?? '');
    last = match.index + match[0].length;
  }
  const rest = text.slice(last);
  return hasJinja(rest) ? undefined : output + rest;
}

/** Renders one string in its own scope on top of `shared` (a `{% set %}` does not leak into the next string). */
function renderString(source: string, shared: Scope, random: JinjaRandom): StringRender {
  if (!hasJinja(source)) return { ok: true, text: normaliseSource(source).text };
  const text = normaliseSource(source).text;
  const plain = renderPlainReferences(text, shared);
  if (plain !== undefined) return { ok: true, text: plain };
  try {
    return { ok: true, text: renderTemplate(source, shared, random, LIMITS) };
  } catch (error) {
    if (error instanceof TemplateAssertionError)
      return { ok: false, message: error.message, reference: /'([^']+)'/.exec(error.message)?.[1] };
    if (error instanceof TemplateSyntaxError) return { ok: false, message: `Jinja syntax error: ${error.message}` };
    return {
      ok: false,
      message: errorMessage(error),
      reference: error instanceof JinjaError ? error.reference : undefined,
    };
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof JinjaError || error instanceof HelperError) return error.message;
  if (error instanceof RangeError) return 'the template is too large or too deeply nested to render';
  return error instanceof Error ? error.message : String(error);
}

/** Which `{{ }}` of a leaf failed: the one using the named reference, else the first that fails on its own. */
function failureSpan(
  leaf: StringLeaf | undefined,
  failure: { reference?: string },
  shared: Scope,
  random: JinjaRandom,
): Span | undefined {
  if (!leaf) return undefined;
  const segments = leaf.scan.segments.filter((segment) => segment.kind !== 'comment');
  let segment = failure.reference
    ? segments.find(
        (s) =>
          s.references.some((r) => r.name === failure.reference) || s.filters.some((f) => f.name === failure.reference),
      )
    : undefined;
  segment ??= segments.find(
    (s) => s.kind === 'expression' && !renderString(leaf.value.slice(s.span.start, s.span.end), shared, random).ok,
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
  private readonly helpers: Map<string, Value>;
  private readonly globals: Scope;

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
        new PyCallable(signature.name, ({ positional, keywords }) => {
          const keywordValues = Object.fromEntries([...keywords].map(([key, value]) => [key, toJs(value)]));
          const produced = callHelper(signature.name, positional.map(toJs), keywordValues, this.helperContext);
          const result =
            signature.secret && typeof produced === 'string' && options.secretVariant
              ? options.secretVariant(produced)
              : produced;
          if (signature.secret && typeof result === 'string' && result !== '') {
            this.secrets.add(result);
            this.producedSecrets.push(result);
          }
          return fromJs(result);
        }),
      ]),
    );
    this.globals = new Scope();
    for (const [name, value] of jinjaGlobals(this.helperContext.random, LIMITS.rangeLength))
      this.globals.vars.set(name, value);
  }

  /** A scope where variables shadow Jinja's globals and helper functions shadow variables (format spec §8.1). */
  environment(values: Record<string, unknown>): Scope {
    const scope = new Scope(this.globals);
    for (const [name, value] of Object.entries(values)) scope.vars.set(name, fromJs(value));
    for (const [name, helper] of this.helpers) scope.vars.set(name, helper);
    return scope;
  }

  /** Renders a string, or records the error and keeps it verbatim (like WindFlow, which leaves it un-rendered). */
  render(source: string, shared: Scope, path: Path, leaf: StringLeaf | undefined): string {
    const result = this.renderCached(source, shared);
    if (result.ok) return result.text;
    this.errors.push({
      message: result.message,
      path,
      span: failureSpan(leaf, result, shared, this.helperContext.random),
    });
    return source;
  }

  private renderCached(source: string, shared: Scope): StringRender {
    const hit = this.cached?.get(source);
    if (hit) {
      for (const secret of hit.secrets) this.secrets.add(secret);
      return hit.result;
    }
    this.producedSecrets = [];
    const result = renderString(source, shared, this.helperContext.random);
    this.cached?.set(source, { result, secrets: this.producedSecrets });
    return result;
  }

  /** Deep copy of `data` with every string rendered; keys are never rendered. */
  renderData(data: unknown, path: Path, shared: Scope, leaves: Map<string, StringLeaf>): unknown {
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
    if (!FUNCTIONS_BY_NAME.has(path[0])) shared.vars.set(path[0], fromJs(values[path[0]]));
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
  return yaml11(options.showSecrets ? result.template : mask(result.template));
}

/**
 * Strings PyYAML cannot read back when written plain: `=` and `<<` resolve to tags it does not construct (value,
 * merge), and it refuses tabs and control characters in plain scalars.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be quoted
const PYYAML_NEEDS_QUOTES = /^(=|<<)$|[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;

/**
 * YAML that YAML 1.1 readers (PyYAML, docker-compose, upstream WindFlow) read back as the same data: with the 1.1
 * schema, strings such as `on`, `yes`, `n`, `0755`, `1:30` or `.inf` are quoted instead of written plain.
 */
export function yaml11(data: unknown): string {
  const document = new Document(data, { version: '1.1', merge: false });
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      // The yaml package writes `<<` plain under YAML 1.1 whatever the scalar type: an explicit tag keeps it a string.
      if (node.value === '<<') node.tag = 'tag:yaml.org,2002:str';
      else if (PYYAML_NEEDS_QUOTES.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return document.toString({ lineWidth: 0 });
}
