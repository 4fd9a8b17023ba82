/**
 * Variable definitions against themselves (WF029–WF032): cycles between defaults, defaults that break their own type,
 * enum, pattern, bounds or lengths, `depends_on` names, hidden required fields, and patterns that do not compile or
 * may backtrack exponentially. WindFlow checks none of this; the web form or the deploy then fails or misbehaves.
 */
import { isMap, isScalar, isSeq, Node, Scalar } from 'yaml';
import { DiagnosticSink } from '../diagnostics';
import { getPair, ReferenceSite, spanOf, StackModel, VariableDecl } from '../model';
import { compilePattern, isPatternRisky, matchPattern } from '../safeRegex';
import { closest } from '../suggest';

export function checkVariables(model: StackModel, sink: DiagnosticSink): void {
  checkDefaultCycles(model, sink);
  for (const decl of model.declarations.values()) {
    if (!isMap(decl.valueNode)) continue;
    checkPattern(decl, sink);
    checkEnumItems(decl, sink);
    checkDefault(decl, sink);
    checkDependsOn(model, decl, sink);
    checkHiddenRequired(decl, sink);
  }
}

/** The declaration a default's reference points at (a group member when written as `group.member`). */
function referencedDeclaration(site: ReferenceSite): VariableDecl | undefined {
  return site.member ?? site.variable;
}

/** References made from inside variable defaults, grouped by the variable that owns the default. */
function defaultReferences(model: StackModel): Map<VariableDecl, ReferenceSite[]> {
  const byOwner = new Map<VariableDecl, ReferenceSite[]>();
  for (const site of model.references) {
    const owner = site.leaf.owner;
    if (site.leaf.scope !== 'variables' || !owner || site.leaf.path[owner.path.length] !== 'default') continue;
    if (!referencedDeclaration(site)) continue;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), site]);
  }
  return byOwner;
}

/** The strongly connected components of the default-reference graph (Tarjan, iterative: chains may be long). */
function components(nodes: VariableDecl[], next: (decl: VariableDecl) => VariableDecl[]): Map<VariableDecl, number> {
  const index = new Map<VariableDecl, number>();
  const low = new Map<VariableDecl, number>();
  const component = new Map<VariableDecl, number>();
  const stack: VariableDecl[] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { decl: VariableDecl; children: VariableDecl[]; position: number }[] = [];
    const open = (decl: VariableDecl): void => {
      index.set(decl, counter);
      low.set(decl, counter++);
      stack.push(decl);
      work.push({ decl, children: next(decl), position: 0 });
    };
    open(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame.position < frame.children.length) {
        const child = frame.children[frame.position++];
        if (!index.has(child)) open(child);
        else if (!component.has(child)) low.set(frame.decl, Math.min(low.get(frame.decl)!, index.get(child)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.decl, Math.min(low.get(parent.decl)!, low.get(frame.decl)!));
      if (low.get(frame.decl) === index.get(frame.decl)) {
        let member: VariableDecl | undefined;
        do {
          member = stack.pop()!;
          component.set(member, index.get(frame.decl)!);
        } while (member !== frame.decl);
      }
    }
  }
  return component;
}

/** The shortest chain of default references from `from` to `to` (both ends included). */
function shortestChain(
  from: VariableDecl,
  to: VariableDecl,
  next: (decl: VariableDecl) => VariableDecl[],
): VariableDecl[] {
  const previous = new Map<VariableDecl, VariableDecl | undefined>([[from, undefined]]);
  const queue = [from];
  for (let head = 0; head < queue.length && !previous.has(to); head++) {
    for (const child of next(queue[head])) {
      if (previous.has(child)) continue;
      previous.set(child, queue[head]);
      queue.push(child);
    }
  }
  const chain: VariableDecl[] = [];
  for (let step: VariableDecl | undefined = to; step; step = previous.get(step)) chain.unshift(step);
  return chain;
}

/**
 * WF029: defaults are resolved in dependency order, so a cycle leaves every variable in it without a value. Every
 * reference that lies on a cycle is reported, each naming the shortest cycle through it.
 */
function checkDefaultCycles(model: StackModel, sink: DiagnosticSink): void {
  const edges = defaultReferences(model);
  const next = (decl: VariableDecl): VariableDecl[] =>
    (edges.get(decl) ?? []).map((site) => referencedDeclaration(site) as VariableDecl);
  const component = components([...edges.keys()], next);
  for (const [owner, sites] of edges) {
    for (const site of sites) {
      const target = referencedDeclaration(site) as VariableDecl;
      if (component.get(owner) !== component.get(target)) continue;
      const cycle = [owner, ...shortestChain(target, owner, next)].map((decl) => decl.qualifiedName);
      sink.add(
        'WF029',
        'error',
        `the defaults form a cycle (${cycle.join(' → ')}): none of them can be resolved`,
        site.fullSpan,
        { data: { cycle } },
      );
    }
  }
}

function valueNodeOf(decl: VariableDecl, key: string): Node | null | undefined {
  return getPair(decl.valueNode, key)?.value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return JSON.stringify(value) ?? String(value);
}

/** Defaults with Jinja are only known after rendering (checked by the rendered-values family). */
function isTemplated(value: unknown): boolean {
  return typeof value === 'string' && /\{\{|\{%/.test(value);
}

const NUMERIC_STRING = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const INTEGER_STRING = /^\s*[-+]?\d+\s*$/;

/** Why `value` does not fit a variable of `type`, or undefined when it does. The form coerces numeric strings. */
function typeMismatch(type: string | undefined, value: unknown): string | undefined {
  switch (type) {
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return undefined;
      if (typeof value === 'string' && INTEGER_STRING.test(value)) return undefined;
      return 'is not a whole number';
    case 'number':
      if (typeof value === 'number') return undefined;
      if (typeof value === 'string' && NUMERIC_STRING.test(value)) return undefined;
      return 'is not a number';
    case 'boolean':
      if (typeof value === 'boolean') return undefined;
      return typeof value === 'string' ? 'is text: write true or false without quotes' : 'is not true or false';
    case 'string':
    case 'password':
    case 'textarea':
      // Numbers and booleans print as text; unquoted YAML 1.1 traps (yes, 0755…) are WF047's business.
      return typeof value === 'object' && value !== null && !(value instanceof Date)
        ? 'is a list or mapping, not text'
        : undefined;
    default:
      return undefined;
  }
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC_STRING.test(value)) return Number(value);
  return undefined;
}

function integerSetting(decl: VariableDecl, key: string): number | undefined {
  const value = decl.definition[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function sameEnumValue(item: unknown, value: unknown, type: string | undefined): boolean {
  if (item === value) return true;
  if (item instanceof Date && value instanceof Date) return item.getTime() === value.getTime();
  // The form coerces integer and number input, so "10" selects the enum item 10.
  return (
    (type === 'integer' || type === 'number') && asNumber(item) !== undefined && asNumber(item) === asNumber(value)
  );
}

/** WF030: a default that the form would refuse, or that does not mean what its type says. */
function checkDefault(decl: VariableDecl, sink: DiagnosticSink): void {
  if (decl.type === 'group') return;
  const node = valueNodeOf(decl, 'default');
  const value = decl.definition.default;
  if (!node || value === null || value === undefined || isTemplated(value)) return;
  const span = spanOf(node);
  const name = `variable '${decl.qualifiedName}'`;

  const mismatch = typeMismatch(decl.type, value);
  if (mismatch) {
    sink.add('WF030', 'warning', `the default ${show(value)} of ${decl.type} ${name} ${mismatch}`, span);
    return;
  }

  const enumItems = decl.definition.enum;
  if (Array.isArray(enumItems) && !enumItems.some((item) => sameEnumValue(item, value, decl.type))) {
    const choices = enumItems.map(show);
    const suggestion =
      typeof value === 'string'
        ? closest(
            value,
            enumItems.filter((i): i is string => typeof i === 'string'),
          )
        : undefined;
    const hint = suggestion ? `; did you mean ${show(suggestion)}?` : '';
    sink.add(
      'WF030',
      'warning',
      `the default ${show(value)} of ${name} is not one of its enum values (${choices.join(', ')})${hint}`,
      span,
      {
        data: suggestion ? { suggestion } : undefined,
      },
    );
  }

  // The form checks patterns on `type: string` only (not password or textarea).
  const pattern = decl.definition.pattern;
  if (decl.type === 'string' && typeof pattern === 'string' && typeof value === 'string') {
    const result = matchPattern(pattern, value);
    if (result.ok && !result.matches) {
      sink.add(
        'WF030',
        'warning',
        `the default ${show(value)} of ${name} does not match its pattern ${show(pattern)}: the form refuses it`,
        span,
      );
    }
  }

  const number = decl.type === 'integer' || decl.type === 'number' ? asNumber(value) : undefined;
  const minimum = integerSetting(decl, 'minimum');
  const maximum = integerSetting(decl, 'maximum');
  if (number !== undefined && minimum !== undefined && number < minimum) {
    sink.add('WF030', 'warning', `the default ${show(value)} of ${name} is below its minimum ${minimum}`, span);
  }
  if (number !== undefined && maximum !== undefined && number > maximum) {
    sink.add('WF030', 'warning', `the default ${show(value)} of ${name} is above its maximum ${maximum}`, span);
  }

  if (typeof value === 'string') {
    const minLength = integerSetting(decl, 'min_length');
    const maxLength = integerSetting(decl, 'max_length');
    // Python counts code points, not UTF-16 units.
    const length = [...value].length;
    if (minLength !== undefined && length < minLength) {
      sink.add(
        'WF030',
        'warning',
        `the default of ${name} has ${length} characters, fewer than its min_length ${minLength}`,
        span,
      );
    }
    if (maxLength !== undefined && length > maxLength) {
      sink.add(
        'WF030',
        'warning',
        `the default of ${name} has ${length} characters, more than its max_length ${maxLength}`,
        span,
      );
    }
  }
}

/** WF030: enum items the variable's own type cannot hold (the form's select would offer values it then refuses). */
function checkEnumItems(decl: VariableDecl, sink: DiagnosticSink): void {
  const enumNode = valueNodeOf(decl, 'enum');
  if (!isSeq(enumNode)) return;
  for (const item of enumNode.items) {
    const value = isScalar(item) ? item.value : isMap(item) || isSeq(item) ? item.toJSON() : undefined;
    const mismatch = typeMismatch(decl.type, value);
    if (mismatch) {
      sink.add(
        'WF030',
        'warning',
        `the enum value ${show(value)} of ${decl.type} variable '${decl.qualifiedName}' ${mismatch}`,
        spanOf(item as Node),
      );
    }
  }
}

/** WF032: a pattern the form cannot compile (every submit fails) or that can hang the browser tab. */
function checkPattern(decl: VariableDecl, sink: DiagnosticSink): void {
  const node = valueNodeOf(decl, 'pattern');
  if (!isScalar(node) || typeof node.value !== 'string') return;
  const compiled = compilePattern(node.value);
  if (!compiled.ok) {
    sink.add(
      'WF032',
      'error',
      `the pattern of variable '${decl.qualifiedName}' does not compile: ${compiled.reason}`,
      spanOf(node),
    );
  } else if (isPatternRisky(node.value)) {
    sink.add(
      'WF032',
      'warning',
      `the pattern of variable '${decl.qualifiedName}' nests repetitions ambiguously and may take exponential time on some input; make the repeated parts unambiguous`,
      spanOf(node),
    );
  }
}

/** WF031: `depends_on` keys must name variables (a sibling inside the same group also counts). */
function checkDependsOn(model: StackModel, decl: VariableDecl, sink: DiagnosticSink): void {
  const dependsOn = valueNodeOf(decl, 'depends_on');
  if (!isMap(dependsOn)) return;
  const siblingPrefix = decl.parent ? `${decl.parent.qualifiedName}.` : '';
  const names = [...model.declarations.keys()];
  for (const pair of dependsOn.items) {
    if (!isScalar(pair.key)) continue;
    const key = String((pair.key as Scalar).value);
    if (model.declarations.has(key) || model.declarations.has(siblingPrefix + key)) continue;
    const suggestion = closest(key, names);
    const hint = suggestion ? `; did you mean '${suggestion}'?` : '';
    sink.add(
      'WF031',
      'information',
      `depends_on of variable '${decl.qualifiedName}' names '${key}', which is not a declared variable${hint}`,
      spanOf(pair.key),
      {
        data: suggestion ? { suggestion } : undefined,
      },
    );
  }
}

/** WF031: a hidden required field without a default can never be filled in, so the form cannot be submitted. */
function checkHiddenRequired(decl: VariableDecl, sink: DiagnosticSink): void {
  const { visible, required } = decl.definition;
  const hasDefault = decl.definition.default !== undefined && decl.definition.default !== null;
  if (visible === false && required === true && !hasDefault) {
    sink.add(
      'WF031',
      'information',
      `variable '${decl.qualifiedName}' is hidden (visible: false) and required but has no default: the form can never be submitted`,
      decl.keySpan,
    );
  }
}
