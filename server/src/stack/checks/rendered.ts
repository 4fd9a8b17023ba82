import { DiagnosticSink, StackDiagnostic } from '../diagnostics';
import { FUNCTIONS_BY_NAME } from '../functions';
import { JINJA_GLOBALS, JinjaReference, JinjaSegment } from '../jinja';
import { isPlainObject, leafSpan, Path, ReferenceSite, StackModel, StringLeaf, VariableDecl } from '../model';
import { CODENAME_WORDS, CodenameTheme } from '../names';
import { Span } from '../text';
import { matchPattern } from '../safeRegex';
import { maskSecrets, RenderCache, renderLeaves, RenderOptions } from '../render';
import {
  interpolateComposeDefaults,
  isValidContainerName,
  parseDuration,
  parsePortSpec,
  parseVolumeSpec,
} from '../specs';
import { deploymentNameRule } from './docker';
import { kubernetesNameRule } from './kubernetes';

interface NameRule {
  what: string;
  valid: (name: string) => boolean;
  /** The rule judges the whole value (a pattern), so a codename embedded in other text cannot be judged alone. */
  wholeValueOnly?: boolean;
}

/** A string of the file whose value must satisfy a name rule once rendered. */
interface NamePosition {
  leaf: StringLeaf;
  rule: NameRule;
}

/** Checks on values only known once the templates are rendered, placed on the `{{ … }}` that produces them. */
export function checkRendered(model: StackModel, sink: DiagnosticSink): void {
  checkDefaultsAsUpstreamRendersThem(model, sink);
  const invalidWithDefaults = checkRenderedValues(model, sink);
  checkGeneratedNames(model, invalidWithDefaults, sink);
}

/**
 * Rendering for checks must be repeatable and side-effect free: the first choice of every random draw, a fixed clock,
 * every port considered free (no probing) and env() disabled.
 */
const CHECK_RENDER_OPTIONS: RenderOptions = {
  // Between edits most strings and all values stay the same: only changed strings are rendered again.
  cache: new RenderCache(),
  random: { int: (min) => min },
  now: () => new Date(Date.UTC(2025, 0, 1)),
  isPortFree: () => true,
  allowEnv: false,
};
const HEALTHCHECK_DURATIONS = new Set(['interval', 'timeout', 'start_period', 'start_interval']);

/**
 * WF061 for an actual deploy: the same checks with the values and deployment name the user gave, instead of the
 * defaults. A deploy is refused for what is wrong with these, not for what would be wrong with the defaults.
 */
export function checkRenderedValuesFor(
  model: StackModel,
  values: Record<string, unknown>,
  deploymentName: string | undefined,
): StackDiagnostic[] {
  const sink = new DiagnosticSink();
  const { cache: _cache, ...repeatable } = CHECK_RENDER_OPTIONS;
  checkRenderedValues(model, sink, { ...repeatable, values, deploymentName }, 'the given values');
  return sink.items;
}

/** What a rendered string must be, decided by where it sits; undefined when nothing is required of it. */
type ValueCheck = (value: string) => string | undefined;

/**
 * Renders the stack with its defaults and checks every value that came from `{{ … }}` where its shape matters.
 * Returns the strings found invalid, so that the "may be invalid" warnings do not repeat them.
 */
function checkRenderedValues(
  model: StackModel,
  sink: DiagnosticSink,
  renderOptions: RenderOptions = CHECK_RENDER_OPTIONS,
  withWhat = 'the default values',
): Set<StringLeaf> {
  const invalid = new Set<StringLeaf>();
  const renders = model.leaves.some((leaf) => leaf.scan.segments.length > 0 && leaf.scope !== 'deployment_notes');
  if (!renders) return invalid;
  const data = isPlainObject(model.data) ? model.data : {};
  const template = data.template;
  const volumes = isPlainObject(template) && isPlainObject(template.volumes) ? Object.keys(template.volumes) : [];
  const checked = new Map<StringLeaf, ValueCheck>();
  for (const leaf of model.leaves) {
    const rendersSomething = leaf.scan.segments.some((segment) => segment.kind !== 'comment');
    if (!rendersSomething || usesUnknownName(model, leaf)) continue;
    const check = valueCheck(model, leaf, template, volumes);
    if (check) checked.set(leaf, check);
  }
  if (checked.size === 0) return invalid;
  // Only the strings whose rendered shape is checked need rendering. One that failed to render is reported by the
  // reference checks and has no text here.
  const result = renderLeaves(model, checked.keys(), renderOptions);
  for (const [leaf, check] of checked) {
    const value = result.texts.get(leaf);
    if (value === undefined) continue;
    const problem = check(value);
    if (problem === undefined) continue;
    invalid.add(leaf);
    sink.add(
      'WF061',
      'error',
      `with ${withWhat} this renders as '${maskSecrets(value, result.secrets)}': ${maskSecrets(problem, result.secrets)}`,
      expressionsSpan(leaf),
    );
  }
  return invalid;
}

/** `volumes` names the Compose template's top-level volumes. */
function valueCheck(model: StackModel, leaf: StringLeaf, template: unknown, volumes: string[]): ValueCheck | undefined {
  if (leaf.scope === 'deployment_name') {
    const rule = deploymentNameRule(model.targetType);
    return rule && ((value) => (rule.valid(value) ? undefined : `not a valid ${rule.what}, so the deployment fails`));
  }
  if (leaf.scope !== 'template') return undefined;
  const path = leaf.path.slice(1);
  if (model.targetType === 'docker') return dockerValueCheck(path);
  if (model.targetType === 'docker_compose' || model.targetType === 'docker_swarm') {
    if (path[0] !== 'services' || path.length < 3) return undefined;
    const check = composeValueCheck(path.slice(2), volumes);
    // docker compose interpolates `${NAME}` after WindFlow renders; the value is only known with its default.
    return (
      check &&
      ((value) => {
        const interpolated = interpolateComposeDefaults(value);
        return interpolated === undefined ? undefined : check(interpolated);
      })
    );
  }
  if (model.targetType === 'kubernetes') {
    const rule = kubernetesPositionRule(template, leaf.path);
    return rule && ((value) => (rule.valid(value) ? undefined : `not a valid ${rule.what}`));
  }
  return undefined;
}

/** Checks for a path inside a docker template. */
function dockerValueCheck(path: Path): ValueCheck | undefined {
  if (path.length === 1 && path[0] === 'image') return checkImage;
  if (path.length === 2 && path[0] === 'ports') {
    return (value) =>
      checkPort(value) ?? (value.includes(':') ? undefined : "WindFlow requires a 'host:container' mapping");
  }
  if (path.length === 2 && path[0] === 'volumes') return (value) => checkVolume(value, undefined);
  if (path.length === 2 && path[0] === 'healthcheck' && HEALTHCHECK_DURATIONS.has(String(path[1])))
    return checkDuration;
  return undefined;
}

/** Checks for a path inside one Compose service (`path` starts below the service name). */
function composeValueCheck(path: Path, declaredVolumes: string[]): ValueCheck | undefined {
  if (path.length === 1 && path[0] === 'image') return checkImage;
  if (path.length === 1 && path[0] === 'container_name') {
    return (value) =>
      isValidContainerName(value) ? undefined : "not a valid Docker container name (letters, digits, '_', '.', '-')";
  }
  if (path.length === 2 && path[0] === 'ports') return checkPort;
  if (path.length === 2 && path[0] === 'volumes') return (value) => checkVolume(value, declaredVolumes);
  if (path.length === 3 && path[0] === 'healthcheck' && HEALTHCHECK_DURATIONS.has(String(path[2])))
    return checkDuration;
  return undefined;
}

function checkImage(value: string): string | undefined {
  return value.trim() === '' ? 'an empty image name, so the deployment fails' : undefined;
}

function checkPort(value: string): string | undefined {
  const parsed = parsePortSpec(value);
  return parsed.ok ? undefined : parsed.error;
}

function checkVolume(value: string, declaredVolumes: string[] | undefined): string | undefined {
  const parsed = parseVolumeSpec(value);
  if (!parsed.ok) return parsed.error;
  const { volume } = parsed;
  if (
    declaredVolumes &&
    volume.type === 'volume' &&
    volume.source !== undefined &&
    !declaredVolumes.includes(volume.source)
  ) {
    return `volume '${volume.source}' is not declared under the top-level \`volumes\``;
  }
  return undefined;
}

function checkDuration(value: string): string | undefined {
  const parsed = parseDuration(value);
  return parsed.ok ? undefined : parsed.error;
}

/** An undefined name renders empty; the reference checks already say so, at that name. */
function usesUnknownName(model: StackModel, leaf: StringLeaf): boolean {
  return leaf.scan.segments.some((segment) =>
    sitesOf(model, leaf, segment).some(
      ({ reference, variable }) =>
        !variable &&
        !FUNCTIONS_BY_NAME.has(reference.name) &&
        !JINJA_GLOBALS.has(reference.name) &&
        !(reference.name === 'deployment_name' && leaf.scope !== 'deployment_name'),
    ),
  );
}

/** From the first `{{ … }}` to the last one of the string: the expressions that produced the value. */
function expressionsSpan(leaf: StringLeaf): Span {
  const segments = leaf.scan.segments.filter((segment) => segment.kind !== 'comment');
  return leafSpan(leaf, { start: segments[0].span.start, end: segments[segments.length - 1].span.end });
}

/**
 * Upstream WindFlow renders a variable default with the helper functions only, so `noreply@{{ domain }}` becomes
 * `noreply@`. When that value fails the variable's own pattern, the upstream form cannot be submitted as is.
 */
function checkDefaultsAsUpstreamRendersThem(model: StackModel, sink: DiagnosticSink): void {
  for (const decl of model.declarations.values()) {
    const leaf = defaultLeaf(model, decl);
    if (!leaf || leaf.scan.segments.length === 0) continue;
    const upstreamValue = renderWithoutVariables(leaf);
    if (upstreamValue === undefined) continue;
    const firstReference = leaf.scan.segments.find((segment) => segment.kind === 'expression');
    if (!firstReference) continue;
    const span = leafSpan(leaf, firstReference.span);
    const pattern = decl.definition.pattern;
    if (upstreamValue === '' && decl.definition.required === true) {
      sink.add(
        'WF060',
        'warning',
        `upstream WindFlow renders variable defaults without other variables, so '${decl.qualifiedName}' starts empty although it is required (this extension resolves the reference)`,
        span,
        { upstreamOnly: true },
      );
    } else if (typeof pattern === 'string' && upstreamValue !== '') {
      const match = matchPattern(pattern, upstreamValue);
      if (match.ok && !match.matches) {
        sink.add(
          'WF060',
          'warning',
          `upstream WindFlow renders variable defaults without other variables, so '${decl.qualifiedName}' starts as '${upstreamValue}', which fails its own pattern: the upstream form cannot be submitted until the field is changed (this extension resolves the reference)`,
          span,
          { upstreamOnly: true, data: { upstreamValue } },
        );
      }
    }
  }
}

/** Variable default strings by declaration, indexed once per model (large files have many leaves). */
const defaultLeavesByModel = new WeakMap<StackModel, Map<VariableDecl, StringLeaf>>();

function defaultLeaf(model: StackModel, decl: VariableDecl): StringLeaf | undefined {
  let index = defaultLeavesByModel.get(model);
  if (!index) {
    index = new Map();
    for (const leaf of model.leaves) {
      if (leaf.scope === 'variables' && leaf.owner && isDefaultPath(leaf.path, leaf.owner)) index.set(leaf.owner, leaf);
    }
    defaultLeavesByModel.set(model, index);
  }
  return index.get(decl);
}

function isDefaultPath(path: Path, decl: VariableDecl): boolean {
  return path.length === decl.path.length + 1 && path[path.length - 1] === 'default';
}

/**
 * The value upstream gives a default whose expressions only name variables (they are undefined there, so empty);
 * undefined when an expression does anything else (calls, filters, literals, statements) and cannot be predicted.
 */
function renderWithoutVariables(leaf: StringLeaf): string | undefined {
  let value = '';
  let cursor = 0;
  let namesAVariable = false;
  for (const segment of leaf.scan.segments) {
    value += leaf.value.slice(cursor, segment.span.start);
    cursor = segment.span.end;
    if (segment.kind === 'comment') continue;
    if (segment.kind !== 'expression' || !isPlainReference(segment)) return undefined;
    namesAVariable = true;
  }
  return namesAVariable ? value + leaf.value.slice(cursor) : undefined;
}

function isPlainReference(segment: JinjaSegment): boolean {
  return (
    segment.references.length === 1 &&
    !segment.references[0].call &&
    segment.tokens.every((token) => token.type === 'name' || token.text === '.')
  );
}

/** One call of a codename generator, as far as it can be read before rendering. */
interface CodenameCall {
  theme: CodenameTheme;
  /** The literal `name` argument, or undefined when it is not a literal. */
  prefix: string | undefined;
  /** The literal `style` argument (null for None or absent), or undefined when it is not a literal. */
  style: string | null | undefined;
  /** True when the checked value is exactly the codename (no text around it anywhere along the chain). */
  whole: boolean;
  /** The call is written in the checked string itself, not in a variable default it references. */
  direct: boolean;
}

const CODENAME_FUNCTION = /^generate_(animal|cosmic|mythology)name$/;
/** Follows variable defaults this many levels deep to find where a name comes from. */
const MAX_CHAIN = 8;

/**
 * Names produced by generate_animalname/cosmicname/mythologyname: the word lists contain uppercase letters, `_` and
 * an apostrophe, so some draws make an invalid Docker or Kubernetes name. Deterministic: every word is tried.
 */
function checkGeneratedNames(model: StackModel, alreadyInvalid: Set<StringLeaf>, sink: DiagnosticSink): void {
  for (const { leaf, rule } of namePositions(model)) {
    if (alreadyInvalid.has(leaf)) continue;
    for (const segment of leaf.scan.segments) {
      if (segment.kind !== 'expression') continue;
      const whole =
        leaf.scan.segments.length === 1 && segment.span.start === 0 && segment.span.end === leaf.value.length;
      for (const found of codenameCalls(model, leaf, segment, whole, new Set(), 0)) {
        const example = invalidCodename(found, rule);
        if (example === undefined) continue;
        const subject = found.direct
          ? `generate_${found.theme}name()`
          : `this value comes from generate_${found.theme}name(), which`;
        const fix =
          found.prefix === '' && found.whole ? 'give it a name prefix' : 'use generate_animalname() or a fixed name';
        sink.add(
          'WF062',
          'warning',
          `${subject} can produce '${example}', not a valid ${rule.what}: ${fix}`,
          leafSpan(leaf, segment.span),
          { data: { example } },
        );
      }
    }
  }
}

function codenameCalls(
  model: StackModel,
  leaf: StringLeaf,
  segment: JinjaSegment,
  whole: boolean,
  visited: Set<StringLeaf>,
  depth: number,
): CodenameCall[] {
  if (depth > MAX_CHAIN || visited.has(leaf)) return [];
  visited.add(leaf);
  const pure = whole && isPlainReferenceOrCall(segment);
  const result: CodenameCall[] = [];
  for (const site of sitesOf(model, leaf, segment)) {
    const { reference } = site;
    const theme = CODENAME_FUNCTION.exec(reference.name)?.[1] as CodenameTheme | undefined;
    if (theme && reference.call && !site.variable) {
      result.push({ theme, ...codenameArguments(reference), whole: pure, direct: depth === 0 });
      continue;
    }
    const source = sourceLeaf(model, site);
    if (!source) continue;
    for (const inner of source.scan.segments) {
      if (inner.kind !== 'expression') continue;
      const innerWhole =
        pure && source.scan.segments.length === 1 && inner.span.start === 0 && inner.span.end === source.value.length;
      result.push(...codenameCalls(model, source, inner, innerWhole, visited, depth + 1));
    }
  }
  return result;
}

function isPlainReferenceOrCall(segment: JinjaSegment): boolean {
  return segment.references.length === 1 && segment.filters.length === 0;
}

const sitesByLeaf = new WeakMap<StackModel, Map<StringLeaf, ReferenceSite[]>>();

/**
 * The references of one segment of one string. Keyed by the string first: identical strings share their scanned
 * segments, so a segment alone does not say which string a reference is in.
 */
function sitesOf(model: StackModel, leaf: StringLeaf, segment: JinjaSegment): ReferenceSite[] {
  let index = sitesByLeaf.get(model);
  if (!index) {
    index = new Map();
    for (const site of model.references) {
      const sites = index.get(site.leaf);
      if (sites) sites.push(site);
      else index.set(site.leaf, [site]);
    }
    sitesByLeaf.set(model, index);
  }
  return (index.get(leaf) ?? []).filter((site) => site.segment === segment);
}

/** Where a referenced value comes from: a variable's default, or metadata.deployment_name for `deployment_name`. */
function sourceLeaf(model: StackModel, site: ReferenceSite): StringLeaf | undefined {
  const decl = site.member ?? (site.reference.attributes.length === 0 ? site.variable : undefined);
  if (decl) return defaultLeaf(model, decl);
  if (site.reference.name === 'deployment_name' && !site.variable && site.leaf.scope !== 'deployment_name') {
    return model.leaves.find((leaf) => leaf.scope === 'deployment_name');
  }
  return undefined;
}

function codenameArguments(reference: JinjaReference): Pick<CodenameCall, 'prefix' | 'style'> {
  const args = reference.call?.args ?? [];
  const positional = args.filter((arg) => !arg.keyword);
  const name = args.find((arg) => arg.keyword === 'name') ?? positional[0];
  const style = args.find((arg) => arg.keyword === 'style') ?? positional[1];
  return {
    prefix: name === undefined ? '' : name.isLiteral && typeof name.literal === 'string' ? name.literal : undefined,
    style:
      style === undefined
        ? null
        : style.isLiteral && (typeof style.literal === 'string' || style.literal === null)
          ? style.literal
          : undefined,
  };
}

/** A codename the call can produce that breaks the rule, or undefined when every draw is valid. */
function invalidCodename(found: CodenameCall, rule: NameRule): string | undefined {
  if (rule.wholeValueOnly && !found.whole) return undefined;
  const words = CODENAME_WORDS[found.theme];
  // Random suffixes are lowercase letters and digits, valid everywhere; 'abc' stands for them.
  const slots: (readonly string[] | string)[] =
    found.style === 'docker'
      ? [words.adverbs, words.nouns, 'abcd']
      : found.style === 'full'
        ? ['abc', words.adverbs, words.adjectives, words.nouns, 'abcd']
        : found.style === 'ubuntu'
          ? [words.adjectives, words.nouns, 'abc']
          : found.style === null
            ? [words.adjectives, words.nouns]
            : [words.adverbs, words.adjectives, words.nouns];
  const plain = slots.map((slot) =>
    typeof slot === 'string' ? slot : (slot.find((word) => /^[a-z]+$/.test(word)) ?? 'a'),
  );
  const codename = (parts: string[]) => `${found.prefix ?? 'app'}-${parts.join('-')}`;
  // Inside a longer value the codename is judged by its characters only, between stand-in neighbours.
  const breaks = (parts: string[]) => !rule.valid(found.whole ? codename(parts) : `a-${parts.join('-')}-a`);
  if (breaks(plain)) return codename(plain);
  for (let index = 0; index < slots.length; index++) {
    const slot = slots[index];
    if (typeof slot === 'string') continue;
    for (const word of slot) {
      const parts = plain.map((part, at) => (at === index ? word : part));
      if (breaks(parts)) return codename(parts);
    }
  }
  return undefined;
}

/** The strings whose rendered value must be a valid name, with the rule for each (format spec §10.2). */
function namePositions(model: StackModel): NamePosition[] {
  const positions: NamePosition[] = [];
  const containerRule: NameRule = {
    what: "Docker name (letters, digits, '_', '.', '-', starting with a letter or digit)",
    valid: isValidContainerName,
  };
  const deploymentRule = deploymentNameRule(model.targetType);
  const data = isPlainObject(model.data) ? model.data : {};
  for (const leaf of model.leaves) {
    const path = leaf.path;
    if (leaf.scope === 'deployment_name' && deploymentRule) positions.push({ leaf, rule: deploymentRule });
    else if (leaf.scope === 'variables' && leaf.owner && isDefaultPath(path, leaf.owner)) {
      const pattern = leaf.owner.definition.pattern;
      if (typeof pattern === 'string') positions.push({ leaf, rule: patternRule(pattern) });
    } else if (leaf.scope === 'template' && model.targetType === 'docker_compose') {
      if (path.length === 4 && path[1] === 'services' && path[3] === 'container_name')
        positions.push({ leaf, rule: containerRule });
    } else if (leaf.scope === 'template' && model.targetType === 'kubernetes') {
      const rule = kubernetesPositionRule(data.template, path);
      if (rule) positions.push({ leaf, rule });
    }
  }
  return positions;
}

function patternRule(pattern: string): NameRule {
  return {
    what: `value for its own pattern ${pattern}`,
    wholeValueOnly: true,
    valid: (value) => {
      const match = matchPattern(pattern, value);
      return !match.ok || match.matches;
    },
  };
}

/** `metadata.name` / `metadata.namespace` of the object (or List item) at this template path. */
function kubernetesPositionRule(template: unknown, path: Path): NameRule | undefined {
  const objectPath = path[1] === 'items' && typeof path[2] === 'number' ? path.slice(1, 3) : [];
  const rest = path.slice(1 + objectPath.length);
  if (rest.length !== 2 || rest[0] !== 'metadata') return undefined;
  let object: unknown = template;
  for (const segment of objectPath)
    object = isPlainObject(object) || Array.isArray(object) ? (object as Record<string, unknown>)[segment] : undefined;
  const kind = isPlainObject(object) && typeof object.kind === 'string' ? object.kind : undefined;
  if (rest[1] === 'name') return kubernetesNameRule(kind);
  if (rest[1] === 'namespace') return kubernetesNameRule('Namespace');
  return undefined;
}
