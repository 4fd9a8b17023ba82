import { isScalar, isSeq, Scalar } from 'yaml';
import { CompletionItem, CompletionItemKind, InsertTextFormat, Range } from 'vscode-languageserver-types';
import { FunctionSignature, HELPER_FUNCTIONS, signatureLabel } from '../stack/functions';
import { getIn, Path, RenderScope, StackModel, VariableDecl } from '../stack/model';
import { describeKey, keysAt } from '../stack/schema';
import { kubernetesIdentityValues } from '../stack/schemas/kubernetesTemplate';
import { describeFunction, describeVariable } from './hover';
import { filterOrTestCompletions } from './jinjaLibrary';
import { leafAt, scalarPairs, toRange } from './locate';
import { templateKeyItems, templateValueItems } from './schemaCompletion';

/** Scopes where WindFlow injects `deployment_name` (format spec §8.2). */
const DEPLOYMENT_NAME_SCOPES = new Set<RenderScope>(['template', 'target_parameters', 'deployment_notes']);

/**
 * Completion at an offset. Inside `{{ }}` / `{% %}`: variables, groups, `group.` members, helper functions, filters.
 * Elsewhere: mapping keys from the schema and values (enums, Compose service/volume/network names, variable names).
 * Works on the text around the cursor, because while typing the YAML is often not valid yet.
 */
export function complete(model: StackModel, offset: number): CompletionItem[] {
  const expressionStart = openJinjaBefore(model.text, offset);
  if (expressionStart !== undefined) return jinjaCompletions(model, offset, model.text.slice(expressionStart, offset));
  const leaf = leafAt(model, offset);
  if (leaf && (leaf.node.type === Scalar.BLOCK_LITERAL || leaf.node.type === Scalar.BLOCK_FOLDED)) return [];
  return yamlCompletions(model, offset);
}

/** The offset just after the `{{` or `{%` that is still open at `offset` on the same line, if any. */
function openJinjaBefore(text: string, offset: number): number | undefined {
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1) + 1, offset - 2000);
  const before = text.slice(lineStart, offset);
  const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
  if (open < 0) return undefined;
  const after = before.slice(open + 2);
  if (after.includes('}}') || after.includes('%}')) return undefined;
  return lineStart + open + 2 + (after.startsWith('-') || after.startsWith('+') ? 1 : 0);
}

function replaceRange(model: StackModel, offset: number, partial: string): Range {
  return toRange(model.lines, { start: offset - partial.length, end: offset });
}

function jinjaCompletions(model: StackModel, offset: number, expression: string): CompletionItem[] {
  const inString = /(["'])((?:(?!\1)[^\\]|\\.)*)$/.exec(stripClosedStrings(expression));
  if (inString) return argumentValueCompletions(model, offset, expression, inString[2]);

  const library = filterOrTestCompletions(expression, (partial) => replaceRange(model, offset, partial));
  if (library) return library;

  const attribute = /([A-Za-z_]\w*)\s*\.\s*(\w*)$/.exec(expression);
  if (attribute) {
    const group = model.declarations.get(attribute[1]);
    const range = replaceRange(model, offset, attribute[2]);
    return (group?.children ?? []).map((member) => variableItem(member, range, CompletionItemKind.Field));
  }

  const word = /(?:^|[^\w.])([A-Za-z_]\w*)?$/.exec(expression);
  if (!word) return [];
  const range = replaceRange(model, offset, word[1] ?? '');
  const leaf = leafAt(model, offset);
  const scope = leaf?.scope ?? scopeFromText(model, offset);
  const visible = model.variables.filter((decl) => {
    if (leaf?.owner && (decl === leaf.owner || decl === leaf.owner.parent)) return false; // a default cannot use itself
    return scope !== 'deployment_name' || decl.type !== 'group';
  });
  const items: CompletionItem[] = visible.map((decl) =>
    variableItem(decl, range, decl.type === 'group' ? CompletionItemKind.Struct : CompletionItemKind.Variable),
  );
  if (DEPLOYMENT_NAME_SCOPES.has(scope)) {
    items.push({
      label: 'deployment_name',
      kind: CompletionItemKind.Constant,
      detail: 'the name of this deployment',
      sortText: '2deployment_name',
      textEdit: { range, newText: 'deployment_name' },
    });
  }
  items.push(...HELPER_FUNCTIONS.map((fn) => functionItem(fn, range)));
  return items;
}

/** Removes complete string literals so an open one (the cursor is inside it) is the only quote left. */
function stripClosedStrings(expression: string): string {
  return expression.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (literal) => ' '.repeat(literal.length));
}

/** Inside `random_string(8, '|')`: the literal values the parameter accepts. */
function argumentValueCompletions(
  model: StackModel,
  offset: number,
  expression: string,
  partial: string,
): CompletionItem[] {
  const call = /([A-Za-z_]\w*)\s*\(([^()]*)$/.exec(stripClosedStrings(expression));
  if (!call) return [];
  const fn = HELPER_FUNCTIONS.find((candidate) => candidate.name === call[1]);
  if (!fn) return [];
  const args = call[2].split(',');
  const keyword = /^\s*([A-Za-z_]\w*)\s*=/.exec(args[args.length - 1]);
  const parameter = keyword ? fn.parameters.find((p) => p.name === keyword[1]) : fn.parameters[args.length - 1];
  const range = replaceRange(model, offset, partial);
  return (parameter?.allowed ?? []).map((value) => ({
    label: value,
    kind: CompletionItemKind.EnumMember,
    detail: `${fn.name}() ${parameter!.name}`,
    textEdit: { range, newText: value },
  }));
}

function variableItem(decl: VariableDecl, range: Range, kind: CompletionItemKind): CompletionItem {
  const label = typeof decl.definition.label === 'string' ? decl.definition.label : undefined;
  return {
    label: decl.name,
    kind,
    detail: [decl.type, label].filter(Boolean).join(' · '),
    documentation: { kind: 'markdown', value: describeVariable(decl) },
    sortText: `${decl.type === 'group' ? 1 : 0}${decl.name}`,
    textEdit: { range, newText: decl.name },
  };
}

function functionItem(fn: FunctionSignature, range: Range): CompletionItem {
  const required = fn.parameters.filter((p) => p.default === undefined);
  const placeholders = required.map((p, index) => `\${${index + 1}:${p.variadic ? `*${p.name}` : p.name}}`);
  const snippet = placeholders.length
    ? `${fn.name}(${placeholders.join(', ')})`
    : fn.parameters.length
      ? `${fn.name}($1)`
      : `${fn.name}()`;
  return {
    label: fn.name,
    kind: CompletionItemKind.Function,
    detail: signatureLabel(fn),
    documentation: { kind: 'markdown', value: describeFunction(fn) },
    sortText: `3${fn.name}`,
    insertTextFormat: InsertTextFormat.Snippet,
    textEdit: { range, newText: snippet },
  };
}

/** The render scope of the section the offset is in, read from the text (for a mid-edit file the YAML may be broken). */
function scopeFromText(model: StackModel, offset: number): RenderScope {
  const before = model.text.slice(0, offset);
  const section = /^([A-Za-z_]\w*)\s*:/gm;
  let name = '';
  for (let match = section.exec(before); match; match = section.exec(before)) name = match[1];
  if (name === 'metadata')
    return /^\s+deployment_name\s*:[^\n]*$/m.test(before.slice(before.lastIndexOf('\n', offset - 1) + 1))
      ? 'deployment_name'
      : 'variables';
  if (name === 'template' || name === 'target_parameters' || name === 'deployment_notes') return name;
  return 'variables';
}

/** One line of YAML as completion reads it. */
interface LineInfo {
  indent: number;
  dash: boolean;
  /** Column of the key (after `- ` for a sequence item). */
  keyColumn: number;
  key?: string;
}

const KEY_AT_START = /^("[^"\n]*"|'[^'\n]*'|[^\s#'"{[-][^#\n]*?|-[^\s#\n][^#\n]*?)\s*:(?:\s|$)/;

function readLine(text: string): LineInfo | undefined {
  const indent = text.length - text.trimStart().length;
  const rest = text.slice(indent);
  if (!rest || rest.startsWith('#')) return undefined;
  const dash = /^-(\s|$)/.test(rest);
  const afterDash = dash ? rest.slice(1).trimStart() : rest;
  const keyColumn = dash ? text.length - afterDash.length : indent;
  const key = KEY_AT_START.exec(afterDash)?.[1];
  return { indent, dash, keyColumn, key: key === undefined ? undefined : unquote(key) };
}

function unquote(key: string): string {
  return /^(["']).*\1$/.test(key) ? key.slice(1, -1) : key;
}

/** The number of spaces a line starts with: a cheap test that lets the indentation walks skip deeper lines. */
function spacesAt(model: StackModel, line: number): number {
  const start = model.lines.lineStart(line);
  let end = start;
  while (model.text.charCodeAt(end) === 32) end++;
  return end - start;
}

function lineText(model: StackModel, line: number): string {
  const start = model.lines.lineStart(line);
  const next = line + 1 < model.lines.lineCount ? model.lines.lineStart(line + 1) : model.text.length;
  return model.text.slice(start, next).replace(/\r?\n$|\r$/, '');
}

/**
 * The path of the mapping (or sequence) that a line at `column` belongs to, read from indentation. A sequence's
 * owner key may share the column of its `- ` items (`key:\n- item`), hence `ownerMayShareColumn`. With `startsItem`
 * the line is itself a `- ` item at `column`, and the path ends with its index. Every index is counted in the same
 * walk: the earlier `- ` lines of a sequence, until its owner or a line less indented. Completion reads the schema of
 * that very item: in a `kind: List` the items are objects of different kinds.
 */
function enclosingPath(
  model: StackModel,
  lineNumber: number,
  column: number,
  ownerMayShareColumn: boolean,
  startsItem = false,
): Path {
  const path: Path = startsItem ? [0] : [];
  // Whether path[0] is the index of an item whose earlier siblings the walk is passing.
  let countingItems = startsItem;
  let need = column;
  let sameColumn = ownerMayShareColumn || startsItem;
  for (let line = lineNumber - 1; line >= 0 && (need > 0 || sameColumn); line--) {
    // readLine's indentation is at least the leading spaces, so such a line would be skipped below too.
    const spaces = spacesAt(model, line);
    if (spaces > need || (spaces === need && !sameColumn)) continue;
    const info = readLine(lineText(model, line));
    if (!info || info.indent > need || (info.indent === need && !sameColumn)) continue;
    if (info.dash) {
      if (info.indent === need) {
        // an earlier item of the same sequence
        if (countingItems) path[0] = (path[0] as number) + 1;
        continue;
      }
      if (info.key !== undefined && info.keyColumn < need) path.unshift(info.key);
      path.unshift(0);
      countingItems = true;
      need = info.indent;
      sameColumn = true;
    } else if (info.key !== undefined) {
      path.unshift(info.key);
      countingItems = false;
      need = info.indent;
      sameColumn = false;
    }
  }
  return path;
}

/**
 * Keys already written in the mapping the line belongs to, found by indentation. On a line that starts a new item
 * (`- `), the mapping begins there: the lines above belong to earlier items.
 */
function siblingKeys(model: StackModel, lineNumber: number, column: number, startsItem: boolean): Set<string> {
  const keys = new Set<string>();
  const visit = (line: number): boolean => {
    // A line indented deeper than the mapping holds none of its keys and does not end it.
    if (spacesAt(model, line) > column) return true;
    const info = readLine(lineText(model, line));
    if (!info) return true;
    if (info.keyColumn === column && info.key !== undefined) keys.add(info.key);
    if (info.dash && info.keyColumn === column) return false; // the item's first key opens this mapping
    return info.indent >= column;
  };
  if (!startsItem) for (let line = lineNumber - 1; line >= 0 && visit(line); line--);
  for (let line = lineNumber + 1; line < model.lines.lineCount; line++) {
    if (spacesAt(model, line) > column) continue;
    const info = readLine(lineText(model, line));
    if (info && (info.indent < column || (info.dash && info.indent < column))) break;
    if (info?.dash && info.indent === column - 2) break;
    visit(line);
  }
  return keys;
}

function yamlCompletions(model: StackModel, offset: number): CompletionItem[] {
  const { line } = model.lines.positionAt(offset);
  const before = model.text.slice(model.lines.lineStart(line), offset);

  const value = /^(\s*)(-\s+)?("[^"\n]*"|'[^'\n]*'|[^\s#'"][^:#\n]*?)\s*:\s+(["']?)([^"'#\n]*)$/.exec(before);
  if (value) {
    const column = value[1].length + (value[2]?.length ?? 0);
    const parent = value[2]
      ? enclosingPath(model, line, value[1].length, true, true)
      : enclosingPath(model, line, column, false);
    return valueCompletions(model, [...parent, unquote(value[3])], replaceRange(model, offset, value[5]));
  }

  const item = /^(\s*)-\s+(["']?)([^"'#:\n]*)$/.exec(before);
  if (item) {
    const owner = enclosingPath(model, line, item[1].length, true);
    const references = composeReferenceItems(model, owner, replaceRange(model, offset, item[3]));
    if (references) return references;
  }

  const key = /^(\s*)(-\s+)?([\w.-]*)$/.exec(before);
  if (!key) return [];
  const column = key[1].length + (key[2]?.length ?? 0);
  const parent = key[2]
    ? enclosingPath(model, line, key[1].length, true, true)
    : enclosingPath(model, line, column, false);
  const range = replaceRange(model, offset, key[3]);
  const present = siblingKeys(model, line, column, key[2] !== undefined);
  const named = nameKeyItems(model, parent, range, present);
  if (named) return named;
  const fromTemplateSchema = templateKeyItems(model, parent, range, present);
  if (fromTemplateSchema) return fromTemplateSchema;
  return keysAt(parent, model.targetType)
    .filter((info) => !present.has(info.name))
    .map((info) => ({
      label: info.name,
      kind: CompletionItemKind.Property,
      detail: info.required ? 'required' : undefined,
      documentation: info.description ? { kind: 'markdown', value: info.description } : undefined,
      sortText: `${info.required ? 0 : 1}${info.name}`,
      textEdit: { range, newText: `${info.name}: ` },
    }));
}

function names(node: unknown): string[] {
  return scalarPairs(node).map(({ key }) => key);
}

/** Keys that name other things: a Compose service's `depends_on` / `networks` mappings, a variable's `depends_on`. */
function nameKeyItems(
  model: StackModel,
  parent: Path,
  range: Range,
  present: Set<string>,
): CompletionItem[] | undefined {
  const last = parent[parent.length - 1];
  let candidates: string[] | undefined;
  let detail = '';
  if (isComposeService(model, parent.slice(0, -1)) && (last === 'depends_on' || last === 'networks')) {
    const service = parent[parent.length - 2];
    candidates =
      last === 'depends_on'
        ? names(getIn(model.root, ['template', 'services'])).filter((name) => name !== service)
        : names(getIn(model.root, ['template', 'networks']));
    detail = last === 'depends_on' ? 'service' : 'network';
  } else if (last === 'depends_on' && isVariablePath(parent.slice(0, -1))) {
    const owner = qualifiedNameOf(parent.slice(0, -1));
    candidates = [...model.declarations.keys()].filter((name) => name !== owner);
    detail = 'variable';
  }
  if (!candidates) return undefined;
  return candidates
    .filter((name) => !present.has(name))
    .map((name) => ({
      label: name,
      kind: CompletionItemKind.Reference,
      detail,
      textEdit: { range, newText: `${name}:` },
    }));
}

/** `- ` items of a Compose service's `depends_on`, `volumes` and `networks` lists. */
function composeReferenceItems(model: StackModel, owner: Path, range: Range): CompletionItem[] | undefined {
  if (!isComposeService(model, owner.slice(0, -1))) return undefined;
  const last = owner[owner.length - 1];
  const service = owner[owner.length - 2];
  const list = getIn(model.root, owner);
  const listed = new Set(isSeq(list) ? list.items.map((item) => (isScalar(item) ? String(item.value) : '')) : []);
  const make = (candidates: string[], detail: string, suffix = ''): CompletionItem[] =>
    candidates
      .filter((name) => !listed.has(name))
      .map((name) => ({
        label: name,
        kind: CompletionItemKind.Reference,
        detail,
        textEdit: { range, newText: `${name}${suffix}` },
      }));
  if (last === 'depends_on')
    return make(
      names(getIn(model.root, ['template', 'services'])).filter((name) => name !== service),
      'service',
    );
  if (last === 'volumes') return make(names(getIn(model.root, ['template', 'volumes'])), 'named volume', ':');
  if (last === 'networks') return make(names(getIn(model.root, ['template', 'networks'])), 'network');
  if (last === 'configs' || last === 'secrets')
    return make(names(getIn(model.root, ['template', last])), last === 'configs' ? 'config' : 'secret');
  return undefined;
}

function isComposeService(model: StackModel, path: Path): boolean {
  return (
    (model.targetType === 'docker_compose' || model.targetType === 'docker_swarm') &&
    path.length === 3 &&
    path[0] === 'template' &&
    path[1] === 'services'
  );
}

/** `['variables', name]` or `['variables', group, 'variables', member]`. */
function isVariablePath(path: Path): boolean {
  return (
    path.length >= 2 &&
    path.length % 2 === 0 &&
    path.every((segment, index) => (index % 2 === 0 ? segment === 'variables' : typeof segment === 'string'))
  );
}

function qualifiedNameOf(variablePath: Path): string {
  return variablePath.filter((_, index) => index % 2 === 1).join('.');
}

function valueCompletions(model: StackModel, path: Path, range: Range): CompletionItem[] {
  const parent = path.slice(0, -1);
  const key = path[path.length - 1];
  const values: { value: string; detail?: string }[] = [];
  if (key === 'default' && isVariablePath(parent)) {
    const decl = model.declarations.get(qualifiedNameOf(parent));
    if (Array.isArray(decl?.definition.enum))
      values.push(...decl.definition.enum.map((value) => ({ value: String(value), detail: 'enum value' })));
    else if (decl?.type === 'boolean') values.push({ value: 'true' }, { value: 'false' });
  } else if (kubernetesIdentityValues(model, path)) {
    values.push(...kubernetesIdentityValues(model, path)!);
  } else {
    const fromTemplateSchema = templateValueItems(model, path, range);
    if (fromTemplateSchema) return fromTemplateSchema;
    const described = describeKey(path, model.targetType);
    if (described?.enum) values.push(...described.enum.map((value) => ({ value: String(value) })));
    else if (described?.type === 'boolean') values.push({ value: 'true' }, { value: 'false' });
  }
  return values.map(({ value, detail }) => ({
    label: value,
    kind: CompletionItemKind.EnumMember,
    detail,
    textEdit: { range, newText: value },
  }));
}
