/**
 * YAML 1.1 traps (WF047): unquoted scalars that PyYAML, and so WindFlow, reads as something else than the text the
 * author wrote — `22:22` is the base-60 number 1342, `yes` is true, `0755` is 493, `2024-01-01` is a date, `1.10` is
 * the float 1.1. A warning when the change breaks the value (a port mapping, a string variable), information otherwise.
 */
import { isMap, isScalar, isSeq, Scalar, YAMLMap } from 'yaml';
import { DiagnosticSink, Severity } from '../diagnostics';
import { LIMITS, Path, spanOf, StackModel, VariableDecl } from '../model';
import { describeKey } from '../schema';
import { pythonString } from './structure';

const STRING_TYPES = new Set(['string', 'password', 'textarea']);

type TrapKind = 'base60' | 'boolean' | 'octal' | 'float' | 'date';

/** Which YAML 1.1 resolution turned this plain scalar into a non-string. */
export function yaml11TrapKind(source: string, value: unknown): TrapKind | undefined {
  if (value instanceof Date) return 'date';
  if (typeof value === 'boolean') return /^(yes|no|on|off|y|n)$/i.test(source) ? 'boolean' : undefined;
  if (typeof value !== 'number') return undefined;
  if (/^[-+]?\d+(:[0-5]?\d)+(\.\d*)?$/.test(source)) return 'base60';
  if (/^[-+]?0[0-7]+$/.test(source)) return 'octal';
  if (/^[-+]?(\d*\.\d+|\d+\.\d*)([eE][-+]?\d+)?$/.test(source)) return 'float';
  return undefined;
}

function describeValue(kind: TrapKind, value: unknown, source: string): string {
  switch (kind) {
    case 'base60':
      return `the base-60 number ${String(value)}`;
    case 'boolean':
      return `the boolean ${value ? 'true' : 'false'}`;
    case 'octal':
      return `the octal number ${String(value)}`;
    case 'float':
      return `the number ${pythonString(value, source)}`;
    case 'date':
      return 'a date';
  }
}

/** Finds the variable whose definition holds a path (the deepest one, for group members), by path prefix. */
function variableFinder(model: StackModel): (path: Path) => VariableDecl | undefined {
  const byPath = new Map<string, VariableDecl>();
  for (const decl of model.declarations.values()) byPath.set(JSON.stringify(decl.path), decl);
  return (path) => {
    for (let length = path.length - 1; length >= 2; length--) {
      const decl = byPath.get(JSON.stringify(path.slice(0, length)));
      if (decl) return decl;
    }
    return undefined;
  };
}

interface TrapContext {
  /** A string was clearly meant: the default or an enum item of a string-typed variable, or a string-only schema key. */
  stringExpected: boolean;
  /** The variable's type already asks for this kind of value (`default: yes` on a boolean). */
  intended: boolean;
  inPorts: boolean;
}

function contextOf(
  owningVariable: (path: Path) => VariableDecl | undefined,
  path: Path,
  kind: TrapKind,
  schemaExpectsString: boolean,
): TrapContext {
  const inPorts = path.length >= 2 && path[path.length - 2] === 'ports';
  const owner = path[0] === 'variables' ? owningVariable(path) : undefined;
  const property = owner ? path[owner.path.length] : undefined;
  const valueOfVariable = property === 'default' || property === 'enum';
  const stringExpected = (valueOfVariable && STRING_TYPES.has(owner?.type ?? '')) || schemaExpectsString;
  const numeric = owner?.type === 'integer' || owner?.type === 'number';
  const intended =
    valueOfVariable && ((kind === 'boolean' && owner?.type === 'boolean') || (kind === 'float' && numeric));
  return { stringExpected, intended, inPorts };
}

function report(
  model: StackModel,
  owningVariable: (path: Path) => VariableDecl | undefined,
  node: Scalar,
  path: Path,
  isKey: boolean,
  sink: DiagnosticSink,
): void {
  // Only plain scalars that resolved to something else than a string can be traps; most values are strings.
  if (node.type !== Scalar.PLAIN || typeof node.value === 'string' || node.value === null) return;
  const span = spanOf(node);
  const source = model.text.slice(span.start, span.end);
  const kind = yaml11TrapKind(source, node.value);
  if (!kind) return;
  // An unquoted metadata.version is WF004's error; do not say it twice.
  if (path.length === 2 && path[0] === 'metadata' && path[1] === 'version') return;
  // Template keys whose schema allows only strings (labels, restart, image…); metadata types are WF007's errors.
  const schemaExpectsString =
    !isKey && path[0] === 'template' && describeKey(path, model.targetType)?.type === 'string';
  const context = contextOf(owningVariable, path, kind, schemaExpectsString);
  if (context.intended) return;
  // A float only surprises where text was meant; elsewhere (a numeric setting) it is what the author wrote.
  if (kind === 'float' && !context.stringExpected) return;
  const printed = pythonString(node.value, source);
  // A date prints back as written; every other trap changes the text a key or string value ends up with.
  const changesText = kind !== 'date' && printed !== source;
  const renamesKey = isKey && changesText;
  const breaksPort = kind === 'base60' && context.inPorts;
  const severity: Severity =
    breaksPort || renamesKey || (context.stringExpected && changesText) ? 'warning' : 'information';
  const quoted = JSON.stringify(source);
  const consequence = breaksPort
    ? ': the port mapping becomes a single number'
    : renamesKey
      ? `, so the key becomes '${printed}'`
      : '';
  sink.add(
    'WF047',
    severity,
    `unquoted ${source} is read by WindFlow (YAML 1.1) as ${describeValue(kind, node.value, source)}${consequence}; write ${quoted}`,
    span,
    {
      data: { quoted },
    },
  );
}

export function checkYaml11(model: StackModel, sink: DiagnosticSink): void {
  const owningVariable = variableFinder(model);
  // One path stack for the whole walk: report copies it in the rare case it finds a trap.
  const path: Path = [];
  const visit = (node: unknown, depth: number): void => {
    // Deep nesting is reported by the model (WF012); stop where it stops.
    if (depth > LIMITS.maxNesting) return;
    if (isScalar(node)) {
      report(model, owningVariable, node, path, false, sink);
    } else if (isMap(node) && node.flow && reportUnquotedJinja(model, node, sink)) {
      return;
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key : undefined;
        path.push(key ? String(key.value) : '');
        if (key) report(model, owningVariable, key, path, true, sink);
        visit(pair.value, depth + 1);
        path.pop();
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        path.push(index);
        visit(item, depth + 1);
        path.pop();
      });
    }
  };
  visit(model.root, 0);
}

/**
 * An unquoted `{{ n }}` value (WF107): YAML reads it as a flow mapping whose only key is the mapping `{ n }`, so the
 * value is never rendered and the stack silently gets a mapping. Returns whether it reported (the walk stops there).
 */
function reportUnquotedJinja(model: StackModel, node: YAMLMap, sink: DiagnosticSink): boolean {
  if (!isUnquotedJinja(model, node)) return false;
  const span = spanOf(node);
  const source = model.text.slice(span.start, span.end);
  const quoted = JSON.stringify(source);
  sink.add(
    'WF107',
    'error',
    `unquoted ${source} is read by YAML as a nested mapping, not as a Jinja string: it is never rendered; write ${quoted}`,
    span,
    { data: { quoted, names: source.match(/[A-Za-z_]\w*/g) ?? [] } },
  );
  return true;
}

/** A flow mapping written as `{{ … }}` on one line: Jinja the author forgot to quote. */
export function isUnquotedJinja(model: StackModel, node: unknown): boolean {
  if (!isMap(node) || !node.flow || !node.range) return false;
  const source = model.text.slice(node.range[0], node.range[1]);
  return source.startsWith('{{') && source.endsWith('}}') && !source.includes('\n');
}
