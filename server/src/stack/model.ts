import { Document, isAlias, isMap, isPair, isScalar, isSeq, Node, Pair, parseDocument, Scalar, YAMLMap } from 'yaml';
import { DiagnosticSink, StackDiagnostic } from './diagnostics';
import { hasJinja, JinjaReference, JinjaScan, JinjaSegment, scanJinja, ValueSpan } from './jinja';
import { mapScalarSource, ScalarSourceMap } from './scalarSource';
import { findStructureHazards } from './structureHazards';
import { LineIndex, Span } from './text';

export type PathSegment = string | number;
export type Path = PathSegment[];

/** Where a string is rendered, which decides what names it can see (format spec §8.2, product §4). */
export type RenderScope = 'template' | 'target_parameters' | 'deployment_notes' | 'deployment_name' | 'variables';

export const TARGET_TYPES = ['docker', 'docker_compose', 'docker_swarm', 'kubernetes', 'vm', 'physical'] as const;
export const VARIABLE_TYPES = ['string', 'number', 'integer', 'boolean', 'password', 'textarea', 'group'] as const;

export interface VariableDecl {
  name: string;
  /** `performance.shared_buffers` for a group member, the name itself at top level. */
  qualifiedName: string;
  parent?: VariableDecl;
  path: Path;
  pair: Pair;
  keySpan: Span;
  /** The whole definition, from key to the end of its value. */
  span: Span;
  valueNode: Node | null;
  /** The definition as plain data ({} when it is not a mapping). */
  definition: Record<string, unknown>;
  type?: string;
  children: VariableDecl[];
}

/** One string value of the file that WindFlow renders as a Jinja template. */
export interface StringLeaf {
  path: Path;
  scope: RenderScope;
  node: Scalar;
  value: string;
  source: ScalarSourceMap;
  scan: JinjaScan;
  /** The variable whose definition holds this string, for the `variables` scope. */
  owner?: VariableDecl;
}

/** A name used inside `{{ }}` or `{% %}`, resolved against the declarations. */
export interface ReferenceSite {
  leaf: StringLeaf;
  segment: JinjaSegment;
  reference: JinjaReference;
  /** The root name's span in the document. */
  span: Span;
  /** The root name plus its attribute chain (`performance.shared_buffers`). */
  fullSpan: Span;
  attributeSpans: Span[];
  /** The declaration the root name resolves to (a variable or a group). */
  variable?: VariableDecl;
  /** For `group.member`: the member's declaration, when it exists. */
  member?: VariableDecl;
}

export interface StackModel {
  uri?: string;
  text: string;
  lines: LineIndex;
  document: Document.Parsed;
  /** The file as PyYAML would load it (YAML 1.1), or undefined when it could not be turned into data. */
  data: unknown;
  root?: YAMLMap;
  targetType?: string;
  variables: VariableDecl[];
  /** Every declaration by qualified name. */
  declarations: Map<string, VariableDecl>;
  leaves: StringLeaf[];
  /** Mapping keys containing Jinja (never rendered). */
  jinjaKeys: { node: Scalar; path: Path }[];
  references: ReferenceSite[];
  /** Problems found while reading the file: YAML syntax, duplicate keys, aliases, resource limits. */
  readDiagnostics: StackDiagnostic[];
}

/**
 * Limits that keep hostile input (alias bombs, huge or deeply nested files) from hanging the server. A generated
 * 50,000-line stack is under 2 MiB; parsing 5 MiB takes a couple of seconds, so larger files are refused at once.
 */
export const LIMITS = { maxAliasCount: 10_000, maxNesting: 200, maxLength: 5 * 1024 * 1024 };

export function spanOf(node: Node | null | undefined, fallback: Span = { start: 0, end: 0 }): Span {
  const range = node?.range;
  return range ? { start: range[0], end: range[1] } : fallback;
}

/** Maps a span inside a leaf's value to document offsets. */
export function leafSpan(leaf: StringLeaf, span: ValueSpan): Span {
  const offsets = leaf.source.offsets;
  const base = leaf.node.range![0];
  const last = offsets.length - 1;
  const start = base + offsets[Math.max(0, Math.min(span.start, last))];
  const endIndex = Math.max(0, Math.min(span.end, last));
  // The end of a span is just after the source character of its last value character.
  const end =
    span.end > span.start ? base + offsets[Math.min(endIndex - 1, last)] + sourceWidth(leaf, endIndex - 1) : start;
  return { start, end: Math.max(start, end) };
}

/** How many source characters produced value character `index` (an escape like `\"` is two). */
function sourceWidth(leaf: StringLeaf, index: number): number {
  const offsets = leaf.source.offsets;
  if (index + 1 < offsets.length - 1 && offsets[index + 1] > offsets[index]) {
    const width = offsets[index + 1] - offsets[index];
    // Only escapes widen a character; a folded line break must not swallow the next line's indentation.
    return leaf.value[index] === ' ' || leaf.value[index] === '\n' ? 1 : width;
  }
  return 1;
}

/** How stack files are read: YAML 1.1 like PyYAML, duplicate keys reported by us rather than refused. */
export const YAML_OPTIONS = {
  version: '1.1',
  uniqueKeys: false,
  keepSourceTokens: false,
  prettyErrors: false,
  strict: false,
  logLevel: 'error',
} as const;

export function readYaml(text: string): Document.Parsed {
  return parseDocument(text, YAML_OPTIONS) as Document.Parsed;
}

export function parseStack(text: string, uri?: string): StackModel {
  return text.length > LIMITS.maxLength ? oversizedModel(text, uri) : buildModel(text, readYaml(text), uri);
}

/** A file too large to check: an empty model whose only finding says so. */
export function oversizedModel(text: string, uri?: string): StackModel {
  const model = buildModel(text, readYaml(''), uri);
  const mebibytes = (n: number) => (n / (1024 * 1024)).toFixed(1);
  model.readDiagnostics.push({
    code: 'WF012',
    severity: 'error',
    message: `the file is ${mebibytes(text.length)} MiB: files over ${mebibytes(LIMITS.maxLength)} MiB are not checked`,
    span: { start: 0, end: Math.max(0, text.search(/\r|\n|$/)) },
  });
  return model;
}

/** Builds the model from an already parsed document (a full parse, or one stitched from chunks by incremental.ts). */
export function buildModel(text: string, document: Document.Parsed, uri?: string, leafCache?: LeafCache): StackModel {
  const lines = new LineIndex(text);
  const sink = new DiagnosticSink();

  for (const error of document.errors) {
    const [start, end] = error.pos;
    // The YAML reader itself gives up on extreme nesting with a stack overflow: say what it means.
    const message = /Maximum call stack/.test(error.message)
      ? 'nesting too deep for the YAML reader'
      : firstLine(error.message);
    sink.add('WF000', 'error', `YAML syntax: ${message}`, widen(text, { start, end }));
  }
  for (const warning of document.warnings) {
    const [start, end] = warning.pos;
    sink.add('WF000', 'warning', `YAML: ${firstLine(warning.message)}`, widen(text, { start, end }));
  }
  if (document.errors.length === 0 && hasMoreDocuments(text)) {
    // parseDocument stops at the first document; a second one is ignored by PyYAML's safe_load (it fails).
    const second = text.search(/^---/m);
    const at = text.indexOf('---', second + 3 > 0 ? second + 1 : 0);
    if (at >= 0)
      sink.add('WF000', 'error', 'a stack file holds one YAML document; WindFlow rejects a second one', {
        start: at,
        end: at + 3,
      });
  }

  let data: unknown;
  const hazards = findStructureHazards(document, LIMITS.maxNesting);
  for (const alias of hazards.selfReferences)
    sink.add(
      'WF150',
      'error',
      `*${alias.source} is inside the node &${alias.source} names, so its value would contain itself without end: use a copy of the value instead of the alias`,
      spanOf(alias),
    );
  try {
    // Such data could not be walked (WF012 reports the depth below): it is not built at all.
    if (hazards.selfReferences.length > 0 || hazards.tooDeep) data = undefined;
    else data = document.toJS({ maxAliasCount: LIMITS.maxAliasCount });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const alias = findFirstAlias(document.contents);
    sink.add(
      'WF012',
      'error',
      /alias/i.test(message)
        ? `too many alias expansions (more than ${LIMITS.maxAliasCount}): this looks like an alias bomb, so the file was not expanded`
        : `the file could not be turned into data: ${firstLine(message)}`,
      alias ? spanOf(alias) : { start: 0, end: Math.min(text.length, firstLineLength(text)) },
    );
    data = undefined;
  }

  // A document that cannot be walked (WF150, or too deep: WF012) is reported, and nothing else is read from it.
  const unwalkable = hazards.selfReferences.length > 0 || hazards.tooDeep !== undefined;
  if (unwalkable && isMap(document.contents)) checkDuplicateKeysAndDepth(document.contents, sink);
  const root = isMap(document.contents) && !unwalkable ? document.contents : undefined;
  const model: StackModel = {
    uri,
    text,
    lines,
    document,
    data,
    root,
    targetType: undefined,
    variables: [],
    declarations: new Map(),
    leaves: [],
    jinjaKeys: [],
    references: [],
    readDiagnostics: sink.items,
  };
  if (!root) return model;

  const targetNode = getIn(root, ['metadata', 'target_type']);
  if (isScalar(targetNode) && typeof targetNode.value === 'string') model.targetType = targetNode.value;

  checkDuplicateKeysAndDepth(root, sink);
  collectVariables(model);
  collectLeaves(model, leafCache);
  resolveReferences(model);
  return model;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function firstLineLength(text: string): number {
  const nl = text.indexOf('\n');
  return nl < 0 ? text.length : nl;
}

/** A zero-width error position becomes one character wide so editors can show it. */
function widen(text: string, span: Span): Span {
  if (span.end > span.start) return span;
  if (span.start < text.length) return { start: span.start, end: span.start + 1 };
  return { start: Math.max(0, text.length - 1), end: text.length };
}

function hasMoreDocuments(text: string): boolean {
  const markers = text.match(/^---(\s|$)/gm);
  if (!markers) return false;
  const firstContent = text.search(/^(?!#|\s*$|---|%)/m);
  const firstMarker = text.search(/^---(\s|$)/m);
  return markers.length > 1 || (firstContent >= 0 && firstMarker > firstContent);
}

function findFirstAlias(node: unknown): Node | undefined {
  if (isAlias(node)) return node;
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      const found = isPair(item) ? (findFirstAlias(item.key) ?? findFirstAlias(item.value)) : findFirstAlias(item);
      if (found) return found;
    }
  }
  return undefined;
}

export function getIn(node: unknown, path: Path): Node | null | undefined {
  let current: unknown = node;
  for (const segment of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => isScalar(p.key) && p.key.value === segment);
      current = pair?.value;
    } else if (isSeq(current) && typeof segment === 'number') current = current.items[segment];
    else return undefined;
  }
  return current as Node | null | undefined;
}

export function getPair(map: unknown, key: string): Pair<Scalar, Node | null> | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Scalar, Node | null> | undefined;
}

function checkDuplicateKeysAndDepth(root: YAMLMap, sink: DiagnosticSink): void {
  const visit = (node: unknown, depth: number): void => {
    if (depth > LIMITS.maxNesting) {
      sink.add(
        'WF012',
        'error',
        `nesting deeper than ${LIMITS.maxNesting} levels: the rest of this branch is not checked`,
        spanOf(node as Node),
      );
      return;
    }
    if (isMap(node)) {
      const seen = new Map<unknown, Pair>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const earlier = seen.get(pair.key.value);
          if (earlier) {
            sink.add(
              'WF009',
              'warning',
              `duplicate key '${String(pair.key.value)}': WindFlow keeps only the last one`,
              spanOf(earlier.key as Node),
            );
          }
          seen.set(pair.key.value, pair);
        }
        visit(pair.value, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, depth + 1);
    }
  };
  visit(root, 0);
}

function collectVariables(model: StackModel): void {
  const variablesNode = getIn(model.root, ['variables']);
  const read = (map: unknown, path: Path, parent: VariableDecl | undefined): VariableDecl[] => {
    if (!isMap(map)) return [];
    const result: VariableDecl[] = [];
    for (const pair of map.items) {
      if (!isScalar(pair.key)) continue;
      const name = String(pair.key.value);
      const valueNode = (pair.value ?? null) as Node | null;
      const definitionData = isMap(valueNode) ? safeToJS(valueNode, model.document) : undefined;
      const definition = isPlainObject(definitionData) ? definitionData : {};
      const keySpan = spanOf(pair.key);
      const decl: VariableDecl = {
        name,
        qualifiedName: parent ? `${parent.qualifiedName}.${name}` : name,
        parent,
        path: [...path, name],
        pair,
        keySpan,
        span: { start: keySpan.start, end: spanOf(valueNode, keySpan).end },
        valueNode,
        definition,
        type: typeof definition.type === 'string' ? definition.type : undefined,
        children: [],
      };
      result.push(decl);
      model.declarations.set(decl.qualifiedName, decl);
      const childMap = getIn(valueNode, ['variables']);
      if (childMap) decl.children = read(childMap, [...decl.path, 'variables'], decl);
    }
    return result;
  };
  model.variables = read(variablesNode, ['variables'], undefined);
}

function safeToJS(node: Node, document: Document): unknown {
  try {
    return node.toJS(document, { maxAliasCount: LIMITS.maxAliasCount });
  } catch {
    return undefined;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function collectLeaves(model: StackModel, cache: LeafCache | undefined): void {
  const root = model.root!;
  for (const pair of root.items) {
    if (!isScalar(pair.key)) continue;
    const key = pair.key.value;
    if (key === 'template' || key === 'target_parameters' || key === 'deployment_notes') {
      walkStrings(model, cache, pair.value, [key], key, undefined, 0);
    } else if (key === 'metadata') {
      const deploymentName = getPair(pair.value, 'deployment_name');
      if (deploymentName)
        walkStrings(
          model,
          cache,
          deploymentName.value,
          ['metadata', 'deployment_name'],
          'deployment_name',
          undefined,
          0,
        );
    }
  }
  const visitDecls = (decls: VariableDecl[]) => {
    for (const decl of decls) {
      if (isMap(decl.valueNode)) {
        for (const property of decl.valueNode.items) {
          if (!isScalar(property.key) || property.key.value === 'variables') continue;
          walkStrings(model, cache, property.value, [...decl.path, String(property.key.value)], 'variables', decl, 0);
        }
      }
      visitDecls(decl.children);
    }
  };
  visitDecls(model.variables);
}

const NO_JINJA: JinjaScan = { segments: [], errors: [] };

class Leaf implements StringLeaf {
  readonly value: string;
  private sourceMap: ScalarSourceMap | undefined;

  constructor(
    /** The text of the latest model holding this leaf (a reused leaf moves to the new text). */
    public text: string,
    readonly path: Path,
    readonly scope: RenderScope,
    readonly node: Scalar & { value: string },
    readonly scan: JinjaScan,
    readonly owner: VariableDecl | undefined,
  ) {
    this.value = node.value;
  }

  /** Built on first use: most strings hold no Jinja and never need positions inside them. */
  get source(): ScalarSourceMap {
    return (this.sourceMap ??= mapScalarSource(this.text, this.node)!);
  }
}

function newLeaf(
  text: string,
  cache: LeafCache | undefined,
  node: Scalar & { value: string },
  path: Path,
  scope: RenderScope,
  owner: VariableDecl | undefined,
): Leaf {
  const scan = hasJinja(node.value) ? scanJinja(node.value) : NO_JINJA;
  const leaf = new Leaf(text, [...path], scope, node, scan, owner);
  cache?.remember(leaf);
  return leaf;
}

/**
 * The leaves of the previous model, by scalar node, for incremental updates: a chunk that was reused keeps its node
 * objects, so its leaves — with their source maps, the costly part — are taken over when nothing else changed.
 */
export class LeafCache {
  private readonly byNode = new WeakMap<Scalar, Leaf>();

  remember(leaf: Leaf): void {
    this.byNode.set(leaf.node, leaf);
  }

  reuse(node: Scalar, text: string, path: Path, scope: RenderScope, owner: VariableDecl | undefined): Leaf | undefined {
    const leaf = this.byNode.get(node);
    if (!leaf || leaf.value !== node.value || leaf.scope !== scope || leaf.owner !== owner) return undefined;
    if (leaf.path.length !== path.length || leaf.path.some((segment, index) => segment !== path[index]))
      return undefined;
    leaf.text = text;
    return leaf;
  }
}

/**
 * Collects the string leaves under `node`. `path` is a stack the walk pushes to and pops from; only a leaf keeps a
 * copy (most nodes are not leaves, and large files have hundreds of thousands of them).
 */
function walkStrings(
  model: StackModel,
  cache: LeafCache | undefined,
  node: unknown,
  path: Path,
  scope: RenderScope,
  owner: VariableDecl | undefined,
  depth: number,
): void {
  if (depth > LIMITS.maxNesting) return;
  if (isScalar(node)) {
    if (typeof node.value !== 'string') return;
    if (!node.range) return;
    model.leaves.push(
      cache?.reuse(node, model.text, path, scope, owner) ??
        newLeaf(model.text, cache, node as Scalar & { value: string }, path, scope, owner),
    );
  } else if (isMap(node)) {
    for (const pair of node.items) {
      if (
        isScalar(pair.key) &&
        typeof pair.key.value === 'string' &&
        hasJinja(pair.key.value) &&
        scope !== 'variables'
      ) {
        model.jinjaKeys.push({ node: pair.key, path: [...path, pair.key.value] });
      }
      path.push(isScalar(pair.key) ? String(pair.key.value) : '?');
      walkStrings(model, cache, pair.value, path, scope, owner, depth + 1);
      path.pop();
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      path.push(index);
      walkStrings(model, cache, item, path, scope, owner, depth + 1);
      path.pop();
    });
  }
}

function resolveReferences(model: StackModel): void {
  // An indexed loop and an early skip of strings without Jinja: this runs over every string of the file before V8
  // has optimised it, when each for-of step allocates.
  const leaves = model.leaves;
  for (let index = 0; index < leaves.length; index++) {
    const leaf = leaves[index];
    if (leaf.scan.segments.length === 0) continue;
    // Most strings bind no names: the set is made for the few that do.
    let bound: Set<string> | undefined;
    for (const segment of leaf.scan.segments) {
      for (const reference of segment.references) {
        if (bound?.has(reference.name)) continue;
        const span = leafSpan(leaf, reference.span);
        const attributeSpans = reference.attributes.map((attribute) => leafSpan(leaf, attribute.span));
        const lastSpan = attributeSpans[attributeSpans.length - 1] ?? span;
        const variable = model.declarations.get(reference.name);
        const site: ReferenceSite = {
          leaf,
          segment,
          reference,
          span,
          fullSpan: { start: span.start, end: lastSpan.end },
          attributeSpans,
          variable,
        };
        if (variable && reference.attributes.length > 0) {
          site.member = model.declarations.get(`${variable.qualifiedName}.${reference.attributes[0].name}`);
        }
        model.references.push(site);
      }
      // Names bound by set/for/macro are local to the rest of this string.
      for (const name of segment.binds) (bound ??= new Set()).add(name);
    }
  }
}

/** The declaration (variable or group member) at a document offset, either its key or a reference to it. */
export function declarationAt(model: StackModel, offset: number): VariableDecl | undefined {
  for (const decl of model.declarations.values()) {
    if (offset >= decl.keySpan.start && offset <= decl.keySpan.end) return decl;
  }
  for (const site of model.references) {
    if (offset >= site.span.start && offset <= site.span.end) return site.variable;
    if (
      site.member &&
      site.attributeSpans[0] &&
      offset >= site.attributeSpans[0].start &&
      offset <= site.attributeSpans[0].end
    )
      return site.member;
  }
  return undefined;
}

/** Every place a declaration is used: references to a top-level variable, or `group.member` attribute spans. */
export function referencesTo(model: StackModel, decl: VariableDecl): Span[] {
  const spans: Span[] = [];
  for (const site of model.references) {
    if (!decl.parent && site.variable === decl) spans.push(site.span);
    else if (decl.parent && site.member === decl && site.attributeSpans[0]) spans.push(site.attributeSpans[0]);
  }
  return spans;
}

export type { JinjaReference, JinjaSegment };
