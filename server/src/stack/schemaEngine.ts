/**
 * A JSON Schema checker for the YAML inside `template`, with exact ranges, human messages and Jinja awareness. It
 * walks `yaml` nodes (not plain data), so every finding points at the key or the value it is about.
 *
 * How to plug a schema in:
 *   1. Build the schema object (draft-07 or 2020-12 subset: `type`, `properties`, `additionalProperties`,
 *      `patternProperties`, `required`, `enum`, `const`, `items`, `oneOf`/`anyOf`/`allOf`, `$ref` to
 *      `#/definitions/…` or `#/$defs/…`, `minimum`/`maximum` (and the exclusive forms), `minItems`/`maxItems`,
 *      `uniqueItems`, `format`, `description`, `default`, `deprecated`) plus the `x-windflow-*` annotations below.
 *   2. Compile it once: `const compiled = new CompiledSchema(schema, { name: 'Compose', documentation: … })`.
 *      Compiling is cheap (refs and patterns are resolved lazily and cached); keep the instance in a module constant.
 *   3. Check a node: `checkAgainstSchema(node, compiled, { document, jinja, keyNode })` returns `SchemaFinding`s
 *      (kind, severity, message, span, data); the check family turns each kind into its diagnostic code
 *      (checks/templateSchema.ts: `options()` gives the Jinja reader, the cache and the format parsers, `report()`
 *      the codes). `format` is only checked for the formats given in `options.formats`.
 *   4. For completion and hover: `compiled.schemaAt(path)` gives the subschemas at a path of keys and indexes,
 *      `compiled.keysOf(schemas)` the keys that may be written there, `compiled.describe(schemas)` the facts to show.
 *
 * Annotations (`x-windflow-*`, ignored by other JSON Schema tools):
 *   - `x-windflow-cast: true` on a schema whose type is integer, number or boolean: a string is accepted when it reads
 *     as that type (Compose converts such strings after interpolation), and any string holding `${…}` is accepted.
 *   - `x-windflow-title: "a container"` on a definition: how "key at the wrong level" messages name the place.
 *   - `x-windflow-doc: URL` on any schema: the reference page hover links to (else `options.documentation`).
 *   - `x-windflow-snippet: "…"` on an object schema: a snippet body (LSP syntax) with its required skeleton.
 *   - `x-windflow-hidden: true` on a property: accepted, never offered by completion (obsolete spellings).
 */
import { Document, isAlias, isMap, isPair, isScalar, isSeq, Node, Pair, Scalar } from 'yaml';
import type { Severity } from './diagnostics';
import type { Path } from './model';
import { closest } from './suggest';
import type { Span } from './text';

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export interface JsonSchema {
  $ref?: string;
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  format?: string;
  pattern?: string;
  description?: string;
  default?: unknown;
  deprecated?: boolean;
  definitions?: Record<string, JsonSchema>;
  $defs?: Record<string, JsonSchema>;
  'x-windflow-cast'?: boolean;
  'x-windflow-title'?: string;
  'x-windflow-doc'?: string;
  'x-windflow-snippet'?: string;
  'x-windflow-hidden'?: boolean;
}

export interface CompiledSchemaOptions {
  /** Names the schema in messages ("not a Compose key"). */
  name: string;
  /** The reference page for a key at a path, for hover links. */
  documentation?: (path: Path) => string | undefined;
}

export interface KeyInfo {
  name: string;
  description?: string;
  required: boolean;
  deprecated: boolean;
  schemas: JsonSchema[];
}

export interface SchemaDescription {
  description?: string;
  types: string[];
  enum?: unknown[];
  default?: unknown;
  deprecated: boolean;
  minimum?: number;
  maximum?: number;
  documentation?: string;
}

/** Where a key may be written, for "key at the wrong level" messages. */
interface Place {
  path: string;
  title?: string;
}

const MAX_DEPTH = 60;
const INDEX_DEPTH = 12;

/** A schema with its `$ref`s, alternatives and pattern properties resolved once and cached. */
export class CompiledSchema {
  private readonly definitions: Record<string, JsonSchema>;
  private readonly alternativesCache = new WeakMap<JsonSchema, JsonSchema[]>();
  private readonly patterns = new Map<string, RegExp>();
  private readonly factsCache = new WeakMap<JsonSchema, SchemaFacts>();
  private readonly propertyCache = new WeakMap<JsonSchema, Map<string, JsonSchema | undefined>>();
  private placesIndex: Map<string, Place[]> | undefined;

  constructor(
    readonly root: JsonSchema,
    readonly options: CompiledSchemaOptions,
  ) {
    this.definitions = { ...root.definitions, ...root.$defs };
  }

  /** Follows `$ref`s (bounded, so a self-reference cannot loop). */
  resolve(schema: JsonSchema): JsonSchema {
    let current = schema;
    for (let hops = 0; current.$ref && hops < 20; hops++) {
      const name = current.$ref.replace(/^#\/(definitions|\$defs)\//, '');
      const target = this.definitions[name];
      if (!target) return {};
      current = target;
    }
    return current;
  }

  /**
   * The plain schemas a value must (or may) match: refs followed, `allOf` flattened, each `oneOf`/`anyOf` branch
   * kept as one alternative. Used by navigation, where being generous is right.
   */
  alternatives(schema: JsonSchema): JsonSchema[] {
    const cached = this.alternativesCache.get(schema);
    if (cached) return cached;
    const result: JsonSchema[] = [];
    const visit = (node: JsonSchema, depth: number): void => {
      if (depth > 20) return;
      const resolved = this.resolve(node);
      result.push(resolved);
      for (const branch of [...(resolved.allOf ?? []), ...(resolved.oneOf ?? []), ...(resolved.anyOf ?? [])])
        visit(branch, depth + 1);
    };
    visit(schema, 0);
    this.alternativesCache.set(schema, result);
    return result;
  }

  /** What validation reads of a schema, worked out once per schema object. */
  facts(schema: JsonSchema): SchemaFacts {
    let facts = this.factsCache.get(schema);
    if (!facts) {
      const resolved = this.resolve(schema);
      const branches = [...(resolved.oneOf ?? []), ...(resolved.anyOf ?? [])];
      facts = {
        resolved,
        allOf: resolved.allOf ?? [],
        branches,
        branchTypes: branches.map((branch) => this.typesAccepted(branch)),
        types: acceptedTypes(resolved),
      };
      this.factsCache.set(schema, facts);
    }
    return facts;
  }

  /** Every JSON type some alternative of `schema` accepts (a casting number also takes strings); [] for any. */
  private typesAccepted(schema: JsonSchema): JsonType[] {
    const types = new Set<JsonType>();
    for (const alternative of this.alternatives(schema)) {
      if (alternative.oneOf || alternative.anyOf || alternative.allOf) continue;
      const accepted = acceptedTypes(alternative);
      if (!accepted) return [];
      for (const type of accepted) types.add(type);
      if (alternative['x-windflow-cast']) types.add('string');
    }
    return [...types];
  }

  pattern(source: string): RegExp {
    let regex = this.patterns.get(source);
    if (!regex) {
      regex = new RegExp(source, 'u');
      this.patterns.set(source, regex);
    }
    return regex;
  }

  /** The schema a property of an object schema must match, or undefined when the key is not allowed. */
  propertySchema(schema: JsonSchema, key: string): JsonSchema | undefined {
    const property = schema.properties?.[key];
    if (property) return property;
    // Pattern matches are remembered per schema, up to a bound (environment names are endless).
    let known = this.propertyCache.get(schema);
    if (known?.has(key)) return known.get(key);
    const found = this.matchPatterns(schema, key);
    if (!known) this.propertyCache.set(schema, (known = new Map()));
    if (known.size < 2000) known.set(key, found);
    return found;
  }

  private matchPatterns(schema: JsonSchema, key: string): JsonSchema | undefined {
    for (const [pattern, patternSchema] of Object.entries(schema.patternProperties ?? {}))
      if (this.pattern(pattern).test(key)) return patternSchema;
    if (schema.additionalProperties === false) return undefined;
    if (typeof schema.additionalProperties === 'object') return schema.additionalProperties;
    return {};
  }

  /** The subschemas at a path of keys and sequence indexes (every alternative that has the path). */
  schemaAt(path: Path, from: JsonSchema = this.root): JsonSchema[] {
    let current: JsonSchema[] = this.alternatives(from);
    for (const segment of path) {
      const next: JsonSchema[] = [];
      for (const schema of current) {
        if (typeof segment === 'number') {
          if (schema.items) next.push(...this.alternatives(schema.items));
          continue;
        }
        const explicit = schema.properties?.[segment];
        if (explicit) next.push(...this.alternatives(explicit));
        else if (schema.properties || schema.patternProperties || schema.additionalProperties !== undefined) {
          const property = this.propertySchema(schema, segment);
          if (property && Object.keys(property).length > 0) next.push(...this.alternatives(property));
        }
      }
      if (next.length === 0) return [];
      current = [...new Set(next)];
    }
    return current;
  }

  /** The keys the schemas declare, required ones first, then by name. */
  keysOf(schemas: JsonSchema[]): KeyInfo[] {
    const byName = new Map<string, KeyInfo>();
    for (const schema of schemas) {
      const required = new Set(schema.required ?? []);
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (property['x-windflow-hidden']) continue;
        const resolved = this.alternatives(property);
        const existing = byName.get(name);
        if (existing) {
          existing.required ||= required.has(name);
          existing.schemas.push(...resolved);
          continue;
        }
        byName.set(name, {
          name,
          description: property.description ?? resolved.find((candidate) => candidate.description)?.description,
          required: required.has(name),
          deprecated: resolved.some((candidate) => candidate.deprecated === true) || property.deprecated === true,
          schemas: [...resolved],
        });
      }
    }
    return [...byName.values()].sort((a, b) => Number(b.required) - Number(a.required) || a.name.localeCompare(b.name));
  }

  /** What hover shows for a key whose value matches `schemas`. */
  describe(schemas: JsonSchema[], path: Path): SchemaDescription {
    const types = new Set<string>();
    const enumValues: unknown[] = [];
    const description: SchemaDescription = { types: [], deprecated: false };
    for (const schema of schemas) {
      for (const type of typesOf(schema)) types.add(type);
      if (schema.enum) enumValues.push(...schema.enum.filter((value) => !enumValues.includes(value)));
      if (schema.const !== undefined && !enumValues.includes(schema.const)) enumValues.push(schema.const);
      description.description ??= schema.description;
      if (schema.default !== undefined) description.default ??= schema.default;
      if (schema.deprecated) description.deprecated = true;
      if (schema.minimum !== undefined) description.minimum ??= schema.minimum;
      if (schema.maximum !== undefined) description.maximum ??= schema.maximum;
      description.documentation ??= schema['x-windflow-doc'];
    }
    // A schema without a type (and not a mere wrapper of alternatives) accepts anything: no type to show.
    const open = (schema: JsonSchema) =>
      typesOf(schema).length === 0 &&
      !schema.enum &&
      schema.const === undefined &&
      !schema.oneOf &&
      !schema.anyOf &&
      !schema.allOf &&
      !schema.properties;
    if (schemas.some(open)) types.clear();
    description.types = [...types];
    if (enumValues.length) description.enum = enumValues;
    description.documentation ??= this.options.documentation?.(path);
    return description;
  }

  /** Where a key of this name may be written, shortest paths first. */
  placesOf(key: string): Place[] {
    this.placesIndex ??= this.indexPlaces();
    return this.placesIndex.get(key) ?? [];
  }

  /** Every property name with the paths that declare it; built once, on the first wrong-level question. */
  private indexPlaces(): Map<string, Place[]> {
    const index = new Map<string, Place[]>();
    const visit = (
      schema: JsonSchema,
      path: string,
      title: string | undefined,
      onPath: Set<JsonSchema>,
      depth: number,
    ) => {
      if (depth > INDEX_DEPTH) return;
      const alternatives = this.alternatives(schema);
      // A title on a wrapper (`allOf`, `$ref`) names the properties of its parts too.
      const wrapperTitle = alternatives.find((alternative) => alternative['x-windflow-title'])?.['x-windflow-title'];
      for (const alternative of alternatives) {
        if (onPath.has(alternative)) continue;
        onPath.add(alternative);
        const here = alternative['x-windflow-title'] ?? wrapperTitle ?? title;
        for (const [name, property] of Object.entries(alternative.properties ?? {})) {
          const places = index.get(name) ?? [];
          const place = { path: path ? `${path}.${name}` : name, title: here };
          if (!places.some((existing) => existing.path === place.path)) places.push(place);
          index.set(name, places);
          visit(property, place.path, undefined, onPath, depth + 1);
        }
        for (const [pattern, property] of Object.entries(alternative.patternProperties ?? {})) {
          if (pattern.startsWith('^x-')) continue;
          visit(property, `${path ? `${path}.` : ''}<name>`, undefined, onPath, depth + 1);
        }
        if (typeof alternative.additionalProperties === 'object')
          visit(alternative.additionalProperties, `${path ? `${path}.` : ''}<name>`, undefined, onPath, depth + 1);
        if (alternative.items) visit(alternative.items, `${path}[]`, undefined, onPath, depth + 1);
        onPath.delete(alternative);
      }
    };
    visit(this.root, '', undefined, new Set(), 0);
    for (const places of index.values()) places.sort((a, b) => a.path.length - b.path.length);
    return index;
  }
}

interface SchemaFacts {
  resolved: JsonSchema;
  allOf: JsonSchema[];
  branches: JsonSchema[];
  /** The types each branch accepts ([] when it accepts anything). */
  branchTypes: JsonType[][];
  /** The types the schema itself accepts (undefined: it names none). */
  types: JsonType[] | undefined;
}

export function typesOf(schema: JsonSchema): JsonType[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** What a Jinja string renders to, as far as the checker can tell before deploy time. */
export type JinjaValue =
  /** `{% … %}` logic (or anything else whose shape cannot be judged): never reported. */
  | { kind: 'logic' }
  /** One `{{ variable }}`: judged by the variable's type, and by its default when it has one. */
  | {
      kind: 'variable';
      variable: string;
      type?: 'string' | 'integer' | 'number' | 'boolean';
      value?: unknown;
      /** The values the deploy form offers (the variable's `enum`). */
      choices?: unknown[];
    }
  /** Text and expressions: renders to some string. */
  | { kind: 'text' };

export interface CheckSchemaOptions {
  document: Document;
  /** How a string holding Jinja renders; undefined for a string without Jinja. */
  jinja?: (node: Scalar<string>) => JinjaValue | undefined;
  /** The key of the checked value, where findings about a mapping or sequence as a whole are placed. */
  keyNode?: Node | null;
  /** The path of the checked node, for messages (`services.web`). */
  path?: Path;
  /** Flow mappings another check already explains (an unquoted `{{ x }}`): not walked. */
  skip?: (node: Node) => boolean;
  /** Keeps the findings of unchanged mappings between checks (set its signature first). */
  cache?: SchemaResultCache;
  /** Checks for `format`s: the problem with a string, or undefined when it is fine. Other formats are not checked. */
  formats?: Record<string, (value: string) => string | undefined>;
}

export type FindingKind =
  | 'unknown-key'
  | 'wrong-level'
  | 'wrong-type'
  | 'not-allowed'
  | 'missing-required'
  | 'out-of-range'
  | 'rendered-mismatch'
  | 'deprecated';

export interface SchemaFinding {
  kind: FindingKind;
  severity: Severity;
  message: string;
  span: Span;
  data?: Record<string, unknown>;
  /** The scalar value a wrong-type finding is about. */
  value?: unknown;
}

interface Context {
  compiled: CompiledSchema;
  document: Document;
  jinja?: (node: Scalar<string>) => JinjaValue | undefined;
  skip?: (node: Node) => boolean;
  cache?: SchemaResultCache;
  formats?: Record<string, (value: string) => string | undefined>;
}

/**
 * A value being checked: its node (aliases resolved) and the key it belongs to (null for a sequence item or the root).
 * Where to report and the path for messages are only worked out when a finding needs them.
 */
class Target {
  private pathCache: Path | undefined;

  constructor(
    readonly node: Node | null,
    readonly key: Node | null,
    private readonly parent: Target | undefined,
    private readonly segment: string | number,
    rootPath: Path = [],
  ) {
    if (!parent) this.pathCache = rootPath;
  }

  /** The span findings about the value as a whole are reported on. */
  get anchor(): Span {
    return anchorOf(this.node, this.key);
  }

  get path(): Path {
    return (this.pathCache ??= [...this.parent!.path, this.segment]);
  }

  child(node: Node | null, key: Node | null, segment: string | number): Target {
    return new Target(node, key, this, segment);
  }
}

/** Checks a YAML node against a compiled schema; findings carry exact spans (keys or values, never whole objects). */
export function checkAgainstSchema(
  node: Node | null | undefined,
  compiled: CompiledSchema,
  options: CheckSchemaOptions,
  schema: JsonSchema = compiled.root,
): SchemaFinding[] {
  const context: Context = {
    compiled,
    document: options.document,
    jinja: options.jinja,
    skip: options.skip,
    cache: options.cache,
    formats: options.formats,
  };
  const resolved = resolveAlias(node ?? null, options.document);
  const key = options.keyNode ?? null;
  return validate(context, schema, new Target(resolved, key, undefined, '', options.path), 0);
}

function resolveAlias(node: Node | null, document: Document): Node | null {
  if (isAlias(node)) return (node.resolve(document) as Node | undefined) ?? null;
  return node;
}

function spanOfNode(node: Node | null | undefined): Span | undefined {
  return node?.range ? { start: node.range[0], end: node.range[1] } : undefined;
}

/** A scalar is reported on itself; a collection on its key, or on its first key when it has none. */
function anchorOf(node: Node | null, key: Node | null): Span {
  if (isScalar(node) && node.range && node.range[1] > node.range[0]) return spanOfNode(node)!;
  const keySpan = spanOfNode(key);
  if (keySpan) return keySpan;
  if (isMap(node)) {
    const first = node.items[0];
    const firstKey = first && spanOfNode(first.key as Node);
    if (firstKey) return firstKey;
  }
  const own = spanOfNode(node);
  if (own) return { start: own.start, end: Math.min(own.end, own.start + 1) };
  return { start: 0, end: 0 };
}

function nodeKind(node: Node | null): JsonType {
  if (node === null || node === undefined) return 'null';
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'boolean') return 'boolean';
    // The yaml package reads a lone `.` as NaN in YAML 1.1; PyYAML (and so WindFlow) reads the string '.'.
    if (typeof value === 'number' && Number.isNaN(value) && !/^[-+]?\.nan$/i.test(String(node.source ?? '')))
      return 'string';
    if (typeof value === 'number' || typeof value === 'bigint')
      return Number.isInteger(Number(value)) ? 'integer' : 'number';
    return 'string';
  }
  return 'null';
}

function typeMatches(allowed: JsonType[], actual: JsonType): boolean {
  return allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
}

const BOOLEAN_STRINGS = /^(true|false|yes|no|y|n|on|off)$/i;

/** A string read as the non-string type a casting schema asks for; undefined when it does not read as one. */
function castString(text: string, types: JsonType[]): { kind: JsonType; value: unknown } | undefined {
  const trimmed = text.trim();
  if ((types.includes('integer') || types.includes('number')) && /^[-+]?\d+$/.test(trimmed))
    return { kind: 'integer', value: Number(trimmed) };
  if (types.includes('number') && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed))
    return { kind: 'number', value: Number(trimmed) };
  if (types.includes('boolean') && BOOLEAN_STRINGS.test(trimmed))
    return { kind: 'boolean', value: /^(true|yes|y|on)$/i.test(trimmed) };
  return undefined;
}

const INTERPOLATION = /\$\{[^}]*\}|\$[A-Za-z_]/;

function describeType(types: JsonType[]): string {
  const words: Record<JsonType, string> = {
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'a boolean (true or false)',
    object: 'a mapping',
    array: 'a list',
    null: 'empty',
  };
  const unique = [...new Set(types.filter((type) => !(type === 'integer' && types.includes('number'))))];
  if (unique.length === 0) return 'something else';
  if (unique.length === 1) return words[unique[0]];
  return `${unique
    .slice(0, -1)
    .map((type) => words[type])
    .join(', ')} or ${words[unique[unique.length - 1]]}`;
}

function describeActual(kind: JsonType, node: Node | null): string {
  if (kind === 'object') return 'a mapping';
  if (kind === 'array') return 'a list';
  if (kind === 'null') return 'empty';
  const value = isScalar(node) ? node.value : undefined;
  const shown = typeof value === 'string' ? `'${shorten(value)}'` : String(value);
  return `${shown} (${kind === 'string' ? 'a string' : kind === 'boolean' ? 'a boolean' : 'a number'})`;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function pathLabel(path: Path): string {
  return path
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index ? `.${segment}` : segment))
    .join('');
}

/** What a message is about: the key, or an item of the list under it. */
function subject(path: Path): string {
  return typeof path[path.length - 1] === 'number' ? `an item of ${keyName(path)}` : keyName(path);
}

function keyName(path: Path): string {
  for (let index = path.length - 1; index >= 0; index--)
    if (typeof path[index] === 'string') return String(path[index]);
  return 'the value';
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The types a schema alternative accepts for a node; undefined when the schema names none (anything goes). */
function acceptedTypes(schema: JsonSchema): JsonType[] | undefined {
  const types = typesOf(schema);
  if (types.length) return types;
  if (schema.properties || schema.patternProperties || schema.required) return ['object'];
  if (schema.items) return ['array'];
  return undefined;
}

/** Shared by every valid value: callers only read or spread findings. */
const NO_FINDINGS: SchemaFinding[] = [];

function validate(context: Context, schema: JsonSchema, target: Target, depth: number): SchemaFinding[] {
  if (depth > MAX_DEPTH) return NO_FINDINGS;
  const node = target.node;
  if (isMap(node) && node.flow && context.skip?.(node)) return NO_FINDINGS;
  const facts = context.compiled.facts(schema);
  if (facts.allOf.length === 0 && facts.branches.length === 0)
    return validatePlain(context, facts.resolved, facts.types, target, depth);
  const findings: SchemaFinding[] = [];
  for (const part of facts.allOf) findings.push(...validate(context, part, target, depth + 1));
  if (facts.branches.length) findings.push(...validateBranches(context, facts, target, depth));
  findings.push(...validatePlain(context, facts.resolved, facts.types, target, depth));
  return findings;
}

/**
 * `oneOf`/`anyOf`: valid when one branch is. Only branches of the value's shape are tried; when none is valid, the
 * findings of the one with fewest, and when no branch has the shape, one finding naming every accepted shape.
 */
function validateBranches(context: Context, facts: SchemaFacts, target: Target, depth: number): SchemaFinding[] {
  const kind = effectiveKind(context, target.node);
  if (kind === 'jinja-logic') return NO_FINDINGS;
  const actual = kind === 'jinja' ? 'string' : kind;
  let best: SchemaFinding[] | undefined;
  for (let index = 0; index < facts.branches.length; index++) {
    const types = facts.branchTypes[index];
    if (types.length && !typeMatches(types, actual)) continue;
    const findings = validate(context, facts.branches[index], target, depth + 1);
    if (findings.length === 0) return NO_FINDINGS;
    if (!best || findings.length < best.length) best = findings;
  }
  if (best) return best;
  const types = [...new Set(facts.branchTypes.flat())];
  const jinja = kind === 'jinja' ? context.jinja?.(target.node as Scalar<string>) : undefined;
  return jinja ? validateJinja(context, { type: types }, target, jinja, types) : [wrongType(target, types)];
}

type EffectiveKind = JsonType | 'jinja' | 'jinja-logic';

function effectiveKind(context: Context, node: Node | null): EffectiveKind {
  if (isScalar(node) && typeof node.value === 'string') {
    const jinja = context.jinja?.(node as Scalar<string>);
    if (jinja?.kind === 'logic') return 'jinja-logic';
    if (jinja) return 'jinja';
  }
  return nodeKind(node);
}

function wrongType(target: Target, types: JsonType[]): SchemaFinding {
  return {
    kind: 'wrong-type',
    severity: 'error',
    message: `${subject(target.path)} must be ${describeType(types)}, not ${describeActual(nodeKind(target.node), target.node)}`,
    span: target.anchor,
    value: isScalar(target.node) ? target.node.value : undefined,
  };
}

function validatePlain(
  context: Context,
  schema: JsonSchema,
  types: JsonType[] | undefined,
  target: Target,
  depth: number,
): SchemaFinding[] {
  const node = target.node;
  if (isScalar(node) && typeof node.value === 'string') {
    const jinja = context.jinja?.(node as Scalar<string>);
    if (jinja) return validateJinja(context, schema, target, jinja, types);
  }
  let kind = nodeKind(node);
  let value: unknown = isScalar(node) ? node.value : undefined;
  if (types && !typeMatches(types, kind)) {
    const cast = kind === 'string' && schema['x-windflow-cast'] ? castString(String(value), types) : undefined;
    if (kind === 'string' && schema['x-windflow-cast'] && INTERPOLATION.test(String(value))) return [];
    if (!cast) return [wrongType(target, types)];
    kind = cast.kind;
    value = cast.value;
  }
  if (kind === 'object' && isMap(node)) return validateObject(context, schema, target, node, depth);
  if (kind === 'array' && isSeq(node)) return validateArray(context, schema, target, node, depth);
  const findings = validateScalarValue(context.compiled, schema, target, value, kind);
  const format = schema.format !== undefined ? context.formats?.[schema.format] : undefined;
  if (format && findings.length === 0 && typeof value === 'string' && !INTERPOLATION.test(value)) {
    const problem = format(value);
    if (problem)
      findings.push({
        kind: 'not-allowed',
        severity: 'error',
        message: `${subject(target.path)}: ${problem}`,
        span: target.anchor,
      });
  }
  return findings;
}

function validateScalarValue(
  compiled: CompiledSchema,
  schema: JsonSchema,
  target: Target,
  value: unknown,
  kind: JsonType,
): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  if (kind === 'string' && typeof value === 'string' && INTERPOLATION.test(value)) return findings;
  const allowed = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
  if (allowed && !allowed.some((candidate) => candidate === value)) {
    const names = allowed.map(formatValue);
    const suggestion = typeof value === 'string' ? closest(value, names) : undefined;
    findings.push({
      kind: 'not-allowed',
      severity: 'error',
      message: `${subject(target.path)} must be ${names.length === 1 ? `'${names[0]}'` : `one of ${names.join(', ')}`}, not '${formatValue(value)}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
      span: target.anchor,
      data: suggestion ? { suggestion } : undefined,
    });
  }
  if (typeof value === 'number') {
    const below =
      (schema.minimum !== undefined && value < schema.minimum) ||
      (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum);
    const above =
      (schema.maximum !== undefined && value > schema.maximum) ||
      (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum);
    if (below || above) {
      findings.push({
        kind: 'out-of-range',
        severity: 'error',
        message: `${subject(target.path)} must be ${rangeText(schema)}, not ${value}`,
        span: target.anchor,
      });
    }
  }
  if (schema.pattern !== undefined && typeof value === 'string' && !findings.length) {
    if (!compiled.pattern(schema.pattern).test(value)) {
      findings.push({
        kind: 'not-allowed',
        severity: 'error',
        message: `'${shorten(value)}' is not a valid ${keyName(target.path)}${schema.description ? `: ${schema.description}` : ''}`,
        span: target.anchor,
      });
    }
  }
  return findings;
}

function rangeText(schema: JsonSchema): string {
  const low =
    schema.minimum !== undefined
      ? `at least ${schema.minimum}`
      : schema.exclusiveMinimum !== undefined
        ? `more than ${schema.exclusiveMinimum}`
        : undefined;
  const high =
    schema.maximum !== undefined
      ? `at most ${schema.maximum}`
      : schema.exclusiveMaximum !== undefined
        ? `less than ${schema.exclusiveMaximum}`
        : undefined;
  if (schema.minimum !== undefined && schema.maximum !== undefined)
    return `between ${schema.minimum} and ${schema.maximum}`;
  return [low, high].filter(Boolean).join(' and ');
}

/**
 * A string with Jinja: `{% %}` logic is never judged; `{{ variable }}` is judged by the variable's type and default;
 * other text only where no string can fit. Every fault is a warning naming what renders it.
 */
function validateJinja(
  context: Context,
  schema: JsonSchema,
  target: Target,
  jinja: JinjaValue,
  types: JsonType[] | undefined,
): SchemaFinding[] {
  if (jinja.kind === 'logic' || !types) return [];
  const castable = schema['x-windflow-cast'] === true;
  const acceptsText = types.includes('string') || castable;
  if (jinja.kind === 'text') {
    if (acceptsText) return [];
    return [
      {
        kind: 'rendered-mismatch',
        severity: 'warning',
        message: `${subject(target.path)} must be ${describeType(types)}, but this Jinja string always renders to a string`,
        span: target.anchor,
      },
    ];
  }
  const mismatch = (what: string): SchemaFinding => ({
    kind: 'rendered-mismatch',
    severity: 'warning',
    message: `${subject(target.path)} must be ${describeType(types)}${schema.enum ? ` (one of ${schema.enum.map(formatValue).join(', ')})` : ''}, but '${jinja.variable}' ${what}`,
    span: target.anchor,
    data: { variable: jinja.variable },
  });
  const variableType: JsonType = jinja.type ?? 'string';
  // Rendering yields a string; where a number or boolean is needed, only a casting schema converts it back.
  if (!typeMatches(types, variableType) && !(types.includes('string') && variableType !== 'string')) {
    if (variableType === 'string') {
      if (!castable) return [mismatch('is a string variable')];
      if (jinja.value !== undefined && !castString(String(jinja.value), types))
        return [mismatch(`defaults to '${shorten(String(jinja.value))}'`)];
      if (jinja.value === undefined) return [];
    } else if (!castable && !types.includes('string')) {
      return [mismatch(`is a${variableType === 'integer' ? 'n' : ''} ${variableType} variable`)];
    } else if (!castable) {
      return [];
    } else if (!castString(String(jinja.value ?? (variableType === 'boolean' ? 'true' : '0')), types)) {
      return [mismatch(`is a${variableType === 'integer' ? 'n' : ''} ${variableType} variable`)];
    }
  }
  // The default, then every value the deploy form offers: each is what the string renders to.
  const problem = (value: unknown): string | undefined => {
    const allowed = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
    if (allowed && !allowed.some((candidate) => candidate === value || String(candidate) === String(value)))
      return `'${shorten(formatValue(value))}'`;
    if (
      schema.pattern !== undefined &&
      typeof value === 'string' &&
      !context.compiled.pattern(schema.pattern).test(value)
    )
      return `'${shorten(value)}'`;
    const number = typeof value === 'number' ? value : castString(String(value), ['number'])?.value;
    if (typeof number === 'number' && (types.includes('integer') || types.includes('number'))) {
      const range = validateScalarValue(
        context.compiled,
        { minimum: schema.minimum, maximum: schema.maximum },
        target,
        number,
        'number',
      );
      if (range.length) return `${number}, outside ${rangeText(schema)}`;
    }
    return undefined;
  };
  if (jinja.value !== undefined) {
    const wrong = problem(jinja.value);
    if (wrong) return [mismatch(`defaults to ${wrong}`)];
  }
  for (const choice of jinja.choices ?? []) {
    const wrong = problem(choice);
    if (wrong) return [mismatch(`may be ${wrong} (one of its enum values)`)];
  }
  return [];
}

/**
 * The findings of mapping entries whose nodes are unchanged since the last check: the incremental parser reuses the
 * nodes of unchanged chunks (moving them in place), so an entry holding a mapping is only walked again when its text
 * changed, or when `signature` (what Jinja judgments depend on: the variables' types and defaults) did.
 */
export class SchemaResultCache {
  private readonly results = new WeakMap<Node, CachedEntry>();
  /** Set by the caller before each check. */
  signature = '';

  lookup(entry: Entry, schema: JsonSchema): SchemaFinding[] | undefined {
    if (!isMap(entry.value)) return undefined;
    const cached = this.results.get(entry.value);
    const base = entry.key.range?.[0];
    if (!cached || cached.schema !== schema || cached.signature !== this.signature || cached.key !== entry.key)
      return undefined;
    if (base === undefined) return undefined;
    const shift = base - cached.base;
    if (shift === 0) return cached.findings;
    return cached.findings.map((finding) => ({
      ...finding,
      span: { start: finding.span.start + shift, end: finding.span.end + shift },
    }));
  }

  remember(entry: Entry, schema: JsonSchema, findings: SchemaFinding[]): void {
    const base = entry.key.range?.[0];
    if (!isMap(entry.value) || base === undefined) return;
    this.results.set(entry.value, { schema, signature: this.signature, key: entry.key, base, findings });
  }
}

interface CachedEntry {
  schema: JsonSchema;
  signature: string;
  key: Scalar;
  base: number;
  findings: SchemaFinding[];
}

/** A mapping entry with YAML merge keys (`<<: *base`) applied: explicit keys win over merged ones. */
interface Entry {
  name: string;
  key: Scalar;
  value: Node | null;
}

function mappingEntries(node: Node | null, document: Document, depth = 0): Entry[] {
  const map = resolveAlias(node, document);
  if (!isMap(map) || depth > 20) return [];
  const result: Entry[] = [];
  let merged: Entry[] | undefined;
  for (const pair of map.items as Pair[]) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    if (typeof pair.key.value === 'symbol' || pair.key.source === '<<') {
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const source of sources) (merged ??= []).push(...mappingEntries(source as Node, document, depth + 1));
      continue;
    }
    const value = (pair.value ?? null) as Node | null;
    result.push({
      name: String(pair.key.value),
      key: pair.key,
      value: isAlias(value) ? resolveAlias(value, document) : value,
    });
  }
  if (merged) {
    // Explicit keys win over merged ones; an earlier merge source wins over a later one.
    const names = new Set(result.map((entry) => entry.name));
    for (const entry of merged) {
      if (names.has(entry.name)) continue;
      names.add(entry.name);
      result.push(entry);
    }
  }
  return result;
}

function validateObject(
  context: Context,
  schema: JsonSchema,
  target: Target,
  node: Node,
  depth: number,
): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  const compiled = context.compiled;
  const entries = mappingEntries(node, context.document);
  for (const entry of entries) {
    // Keys are never rendered: a Jinja key is literal text nobody can check meaningfully.
    if (entry.name.includes('{{') || entry.name.includes('{%')) continue;
    const property = compiled.propertySchema(schema, entry.name);
    if (!property) {
      findings.push(unknownKey(compiled, schema, entry, target.path));
      continue;
    }
    if (property.deprecated) {
      findings.push({
        kind: 'deprecated',
        severity: 'information',
        message: `'${entry.name}' is deprecated${property.description ? `: ${property.description}` : ''}`,
        span: spanOfNode(entry.key)!,
      });
    }
    // Named entries (services, networks…) are what an edit leaves unchanged or not as a whole: they are cached.
    const cache = schema.properties?.[entry.name] === undefined ? context.cache : undefined;
    const cached = cache?.lookup(entry, property);
    if (cached) {
      findings.push(...cached);
      continue;
    }
    const entryFindings = validate(context, property, target.child(entry.value, entry.key, entry.name), depth + 1);
    cache?.remember(entry, property, entryFindings);
    findings.push(...entryFindings);
  }
  const missing = (schema.required ?? []).filter((name) => !entries.some((entry) => entry.name === name));
  if (missing.length) {
    const last = target.path[target.path.length - 1];
    const owner =
      typeof last === 'number'
        ? `item ${last + 1} of ${keyName(target.path)}`
        : last === undefined
          ? 'this mapping'
          : `'${last}'`;
    findings.push({
      kind: 'missing-required',
      severity: 'error',
      message: `${owner} is missing the required ${missing.length === 1 ? 'field' : 'fields'} ${missing.map((name) => `\`${name}\``).join(', ')}`,
      span: target.anchor,
      data: { missing },
    });
  }
  return findings;
}

function unknownKey(compiled: CompiledSchema, schema: JsonSchema, entry: Entry, parentPath: Path): SchemaFinding {
  const span = spanOfNode(entry.key)!;
  const namePatterns = Object.keys(schema.patternProperties ?? {}).filter((pattern) => !pattern.startsWith('^x-'));
  if (!schema.properties && namePatterns.length) {
    // A mapping of names (services, networks…): the key is a name in the wrong form, not an unknown setting.
    return {
      kind: 'unknown-key',
      severity: 'error',
      message: `'${entry.name}' is not a valid name in ${pathLabel(parentPath) || 'this mapping'}: names must match ${namePatterns.join(' or ')}`,
      span,
    };
  }
  const here = Object.keys(schema.properties ?? {});
  const suggestion = closest(entry.name, here);
  const where = parentPath.length ? ` in ${pathLabel(parentPath)}` : '';
  if (!suggestion) {
    const places = compiled.placesOf(entry.name);
    if (places.length) {
      // The shallowest places are what the author most likely meant (`image` of a service, not of a volume).
      const depth = (place: Place) => place.path.split(/\.|\[\]/).length;
      const shallowest = depth(places[0]);
      const shown = places
        .filter((place) => depth(place) === shallowest)
        .slice(0, 2)
        .map((place) =>
          /[.[]/.test(place.path)
            ? `${place.title ? `${place.title} (` : ''}\`${place.path}\`${place.title ? ')' : ''}`
            : `the top level (\`${place.path}\`)`,
        );
      return {
        kind: 'wrong-level',
        severity: 'error',
        message: `'${entry.name}' is not allowed here${where}: it belongs to ${shown.join(' or ')}`,
        span,
        data: { places: places.map((place) => place.path) },
      };
    }
  }
  return {
    kind: 'unknown-key',
    severity: 'error',
    message: `'${entry.name}' is not a ${compiled.options.name} key${where}${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
    span,
    data: suggestion ? { suggestion } : undefined,
  };
}

function validateArray(
  context: Context,
  schema: JsonSchema,
  target: Target,
  node: Node,
  depth: number,
): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  if (!isSeq(node)) return findings;
  const items = node.items as (Node | null)[];
  if (schema.minItems !== undefined && items.length < schema.minItems) {
    findings.push({
      kind: 'out-of-range',
      severity: 'error',
      message: `${keyName(target.path)} needs at least ${schema.minItems} ${schema.minItems === 1 ? 'item' : 'items'}`,
      span: target.anchor,
    });
  }
  if (schema.maxItems !== undefined && items.length > schema.maxItems) {
    findings.push({
      kind: 'out-of-range',
      severity: 'error',
      message: `${keyName(target.path)} takes at most ${schema.maxItems} ${schema.maxItems === 1 ? 'item' : 'items'}`,
      span: target.anchor,
    });
  }
  const seen = new Set<unknown>();
  items.forEach((raw, index) => {
    const item = resolveAlias(raw, context.document);
    if (schema.items) {
      findings.push(...validate(context, schema.items, target.child(item, null, index), depth + 1));
    }
    if (schema.uniqueItems && isScalar(item) && item.value !== null && !isAlias(raw)) {
      const value = item.value;
      if (typeof value === 'string' && (value.includes('{{') || value.includes('{%'))) return;
      if (seen.has(value)) {
        findings.push({
          kind: 'out-of-range',
          severity: 'error',
          message: `${keyName(target.path)} lists '${formatValue(value)}' twice: its items must be unique`,
          span: spanOfNode(item)!,
        });
      }
      seen.add(value);
    }
  });
  return findings;
}
