/**
 * The template against its target's schema (WF100–WF108): unknown keys, keys at the wrong level, wrong types, values
 * not allowed, missing required fields, numbers out of range, and `{{ … }}` values that render to the wrong thing.
 * The schema engine (../schemaEngine.ts) does the walk; this family turns its findings into coded diagnostics and
 * tells it how each Jinja string renders.
 */
import { isMap, Node, Scalar } from 'yaml';
import { DiagnosticSink } from '../diagnostics';
import { hasJinja } from '../jinja';
import { getPair, JinjaReference, ReferenceSite, StackModel, StringLeaf, VariableDecl } from '../model';
import { checkAgainstSchema, FindingKind, JinjaValue, SchemaFinding, SchemaResultCache } from '../schemaEngine';
import { composeSchema } from '../schemas/compose';
import { parseDuration } from '../specs';
import { isUnquotedJinja, yaml11TrapKind } from './yaml11';

const CODES: Record<FindingKind, string> = {
  'unknown-key': 'WF100',
  'wrong-level': 'WF101',
  'wrong-type': 'WF102',
  'not-allowed': 'WF103',
  'missing-required': 'WF104',
  'out-of-range': 'WF105',
  'rendered-mismatch': 'WF106',
  deprecated: 'WF108',
};

/** Keys of a `docker` template that our deployer reads with the meaning of the same Compose service key. */
const DOCKER_KEYS_AS_IN_COMPOSE = ['command', 'entrypoint', 'user', 'working_dir', 'networks', 'network_mode'];

/** `template` of a `docker_compose` or `docker_swarm` stack against the Compose schema. */
export function checkComposeTemplateSchema(model: StackModel, sink: DiagnosticSink): void {
  const pair = getPair(model.root, 'template');
  if (!pair || !isMap(pair.value)) return;
  report(model, checkAgainstSchema(pair.value, composeSchema, options(model, pair.key)), sink);
}

/**
 * The keys of a `docker` template that mean what they mean in a Compose service: checked with that schema. The rest
 * of the docker template (which keys the deployer reads, image, ports, volumes…) is checks/docker.ts's business.
 */
export function checkDockerTemplateSchema(model: StackModel, sink: DiagnosticSink): void {
  const template = getPair(model.root, 'template')?.value;
  if (!isMap(template)) return;
  for (const key of DOCKER_KEYS_AS_IN_COMPOSE) {
    const pair = getPair(template, key);
    const schema = composeSchema.root.definitions?.service.properties?.[key];
    if (!pair || !schema) continue;
    const findings = checkAgainstSchema(
      pair.value as Node | null,
      composeSchema,
      { ...options(model, pair.key), path: [key] },
      schema,
    );
    report(model, findings, sink);
  }
}

/** The `format`s of the template schemas that have a parser here. */
const FORMATS: Record<string, (value: string) => string | undefined> = {
  duration: (value) => {
    const parsed = parseDuration(value);
    return parsed.ok ? undefined : parsed.error;
  },
};

/** Between edits most services are unchanged: their findings are reused (see SchemaResultCache). */
const RESULTS = new SchemaResultCache();
const SHAPES = new WeakMap<StringLeaf, { signature: string; shape: JinjaValue }>();

/** The options every template family passes to checkAgainstSchema (Jinja reading, unquoted {{ }}, the cache). */
export function options(model: StackModel, keyNode: Node) {
  RESULTS.signature = variablesSignature(model);
  return {
    document: model.document,
    keyNode,
    jinja: jinjaReader(model),
    skip: (node: Node) => isUnquotedJinja(model, node),
    cache: RESULTS,
    formats: FORMATS,
  };
}

const SIGNATURES = new WeakMap<StackModel, string>();

/** What judging a `{{ variable }}` depends on: each variable's type, default and enum (not its label or help). */
function variablesSignature(model: StackModel): string {
  // Families call options() once per object (every item of a Kubernetes List): worked out once per model.
  const known = SIGNATURES.get(model);
  if (known !== undefined) return known;
  let signature = '';
  for (const decl of model.declarations.values()) {
    const { default: fallback, enum: choices } = decl.definition;
    signature += `${decl.qualifiedName}\u0000${decl.type ?? ''}\u0000${JSON.stringify([fallback, choices])}\u0001`;
  }
  SIGNATURES.set(model, signature);
  return signature;
}

/** Schema findings as coded diagnostics (WF100–WF108), each once. */
export function report(model: StackModel, findings: SchemaFinding[], sink: DiagnosticSink): void {
  // What a YAML anchor brings into several places is reported once, where it is written.
  const seen = new Set<string>();
  for (const finding of findings) {
    if (finding.kind === 'wrong-type' && isYaml11Trap(model, finding)) continue;
    const key = `${finding.kind}:${finding.span.start}:${finding.span.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sink.add(CODES[finding.kind], finding.severity, finding.message, finding.span, {
      data: finding.data,
      tags: finding.kind === 'deprecated' ? ['deprecated'] : undefined,
    });
  }
}

/** An unquoted `yes` or `22:22` where a string is needed: WF047 explains it and offers the quotes. */
function isYaml11Trap(model: StackModel, finding: SchemaFinding): boolean {
  const source = model.text.slice(finding.span.start, finding.span.end);
  const kind = yaml11TrapKind(source, finding.value);
  return kind !== undefined && kind !== 'float';
}

const STRING_TYPES = new Set(['string', 'password', 'textarea']);

/** One reader per model: families ask once per object (every item of a Kubernetes List). */
const READERS = new WeakMap<StackModel, (node: Scalar<string>) => JinjaValue | undefined>();

/**
 * How each Jinja string of the template renders: the walk asks per scalar, so the leaves are indexed by node once per
 * model.
 * `{% %}` logic is never judged; one `{{ variable }}` is judged by the variable's type and default.
 */
function jinjaReader(model: StackModel): (node: Scalar<string>) => JinjaValue | undefined {
  let reader = READERS.get(model);
  if (!reader) READERS.set(model, (reader = newJinjaReader(model)));
  return reader;
}

function newJinjaReader(model: StackModel): (node: Scalar<string>) => JinjaValue | undefined {
  let byNode: Map<Scalar, StringLeaf> | undefined;
  let sites: Map<JinjaReference, ReferenceSite> | undefined;
  const siteOf = (reference: JinjaReference) => {
    sites ??= new Map(model.references.map((site) => [site.reference, site]));
    return sites.get(reference);
  };
  return (node) => {
    if (node.value.indexOf('{') < 0 || !hasJinja(node.value)) return undefined;
    byNode ??= new Map(
      model.leaves
        .filter((leaf) => leaf.scope === 'template' && leaf.scan.segments.length)
        .map((leaf) => [leaf.node, leaf]),
    );
    const leaf = byNode.get(node);
    if (!leaf) return undefined;
    // Leaves of unchanged text are reused between edits; what they render to only changes with the variables.
    const known = SHAPES.get(leaf);
    if (known && known.signature === RESULTS.signature) return known.shape;
    const shape = renderedShape(leaf, siteOf);
    SHAPES.set(leaf, { signature: RESULTS.signature, shape });
    return shape;
  };
}

function renderedShape(leaf: StringLeaf, siteOf: (reference: JinjaReference) => ReferenceSite | undefined): JinjaValue {
  const segments = leaf.scan.segments.filter((segment) => segment.kind !== 'comment');
  if (segments.length === 0) return { kind: 'text' };
  if (segments.some((segment) => segment.kind === 'statement') || leaf.scan.errors.length) return { kind: 'logic' };
  const only = segments[0];
  const whole = segments.length === 1 && leaf.value.trim() === leaf.value.slice(only.span.start, only.span.end).trim();
  if (!whole) return { kind: 'text' };
  const reference = only.references[0];
  if (only.references.length !== 1 || only.filters.length || reference.call || reference.attributes.length > 1)
    return { kind: 'text' };
  const site = siteOf(reference);
  const decl: VariableDecl | undefined = reference.attributes.length ? site?.member : site?.variable;
  // `{{ x }}` alone but with other tokens (`{{ a + b }}`): some text.
  const onlyName = only.tokens.every((token) => token.type === 'name' || token.text === '.');
  if (!onlyName) return { kind: 'text' };
  if (!decl) {
    if (reference.name === 'deployment_name') return { kind: 'variable', variable: 'deployment_name', type: 'string' };
    // An undefined name is reported by the reference checks; its shape is unknown.
    return { kind: 'logic' };
  }
  if (decl.type === 'group') return { kind: 'logic' };
  const type = STRING_TYPES.has(decl.type ?? 'string')
    ? 'string'
    : (decl.type as 'integer' | 'number' | 'boolean' | undefined);
  const fallback = decl.definition.default;
  const value =
    fallback === null || fallback === undefined || (typeof fallback === 'string' && fallback.includes('{'))
      ? undefined
      : fallback;
  const choices = Array.isArray(decl.definition.enum) ? decl.definition.enum : undefined;
  return { kind: 'variable', variable: decl.qualifiedName, type: type ?? 'string', value, choices };
}
