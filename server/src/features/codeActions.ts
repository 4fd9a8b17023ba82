import { isMap, isScalar, Node } from 'yaml';
import { CodeAction, CodeActionKind, Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { getIn, getPair, StackModel, VariableDecl } from '../stack/model';
import { Span } from '../stack/text';
import { declarationContaining, endOfContent, toRange } from './locate';

const IDENTIFIER_LIKE = /^[\w.-]+$/;

/** Quick fixes for the windflow diagnostics in the request, driven by the facts each check puts in `data`. */
export function codeActions(model: StackModel, uri: string, diagnostics: Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'windflow') continue;
    const data = (diagnostic.data ?? {}) as Record<string, unknown>;
    const fix = (title: string, edits: TextEdit[], preferred = false): void => {
      actions.push({
        title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: preferred || undefined,
        edit: { changes: { [uri]: edits } },
      });
    };
    const span = {
      start: model.lines.offsetAt(diagnostic.range.start),
      end: model.lines.offsetAt(diagnostic.range.end),
    };
    const code = String(diagnostic.code);
    const enumEdits = code === 'WF005' ? enumTypeToString(model, span) : undefined;
    if (enumEdits) fix("Use 'type: string' with 'enum'", enumEdits, true);
    else if (typeof data.suggestion === 'string') {
      fix(
        `Change to '${data.suggestion}'`,
        [replaceKeepingQuotes(model, span, data.suggestion)],
        typeof data.replacement !== 'string',
      );
    }
    if (typeof data.replacement === 'string')
      fix(`Use '${data.replacement}'`, [replaceKeepingQuotes(model, span, data.replacement)], true);
    if (typeof data.quoted === 'string')
      fix(`Quote as ${data.quoted}`, [{ range: diagnostic.range, newText: data.quoted }], true);
    if (code === 'WF020' && typeof data.name === 'string') {
      const type = typeof data.inferredType === 'string' ? data.inferredType : 'string';
      fix(`Declare variable '${data.name}' (${type})`, [declareVariable(model, data.name, type)]);
    }
    if (code === 'WF033' && typeof data.name === 'string') {
      const decl = model.declarations.get(data.name);
      if (decl) fix(`Remove unused variable '${data.name}'`, removeVariable(model, decl));
    }
  }
  return actions;
}

/** Replaces a name or value, keeping the quotes around it when the range covers a quoted scalar. */
function replaceKeepingQuotes(model: StackModel, span: Span, replacement: string): TextEdit {
  const original = model.text.slice(span.start, span.end);
  const quoted = /^(["']).*\1$/s.test(original) && original.length >= 2;
  const inner = quoted ? { start: span.start + 1, end: span.end - 1 } : span;
  const newText = quoted || IDENTIFIER_LIKE.test(replacement) ? replacement : JSON.stringify(replacement);
  return { range: toRange(model.lines, inner), newText };
}

function lineIndentation(model: StackModel, offset: number): number {
  const start = model.lines.lineStart(model.lines.positionAt(offset).line);
  let at = start;
  while (model.text[at] === ' ') at++;
  return at - start;
}

function humanLabel(name: string): string {
  const words = name.replace(/[_.-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Adds `name: {type, label}` at the end of `variables:` (created at the end of the file when absent). */
function declareVariable(model: StackModel, name: string, type: string): TextEdit {
  const section = getPair(model.root, 'variables');
  const variables = section?.value as Node | null | undefined;
  const body = (indent: string, unit: string) =>
    `${indent}${name}:\n${indent}${unit}type: ${type}\n${indent}${unit}label: ${JSON.stringify(humanLabel(name))}\n`;
  if (section && isMap(variables) && variables.items.length > 0 && variables.range && !variables.flow) {
    const first = variables.items[0].key as Node;
    const indent = lineIndentation(model, first.range![0]);
    const firstValue = variables.items[0].value as Node | null;
    const unit =
      isMap(firstValue) && firstValue.items[0]
        ? lineIndentation(model, (firstValue.items[0].key as Node).range![0]) - indent
        : 2;
    const lastLine = model.lines.positionAt(endOfContent(model.text, variables.range[1])).line;
    const insertAt =
      lastLine + 1 < model.lines.lineCount
        ? { line: lastLine + 1, character: 0 }
        : model.lines.positionAt(model.text.length);
    const prefix = insertAt.character > 0 ? '\n' : '';
    return {
      range: { start: insertAt, end: insertAt },
      newText: prefix + body(' '.repeat(indent), ' '.repeat(Math.max(1, unit))),
    };
  }
  if (section && isScalar(section.key)) {
    // `variables:` with nothing (or `{}`) after it: the declaration replaces the empty value.
    const keyEnd = section.key.range![1];
    const lineEnd = model.text.indexOf('\n', keyEnd);
    const end = lineEnd < 0 ? model.text.length : lineEnd;
    const colon = model.text.indexOf(':', keyEnd);
    return {
      range: toRange(model.lines, { start: colon + 1, end }),
      newText: `\n${body('  ', '  ').replace(/\n$/, '')}`,
    };
  }
  const atEnd = model.lines.positionAt(model.text.length);
  const separator = model.text.length === 0 || model.text.endsWith('\n') ? '' : '\n';
  return { range: { start: atEnd, end: atEnd }, newText: `${separator}variables:\n${body('  ', '  ')}` };
}

/** Deletes a declaration's lines; the last variable of a mapping leaves `{}` so the section stays a mapping. */
function removeVariable(model: StackModel, decl: VariableDecl): TextEdit[] {
  const startLine = model.lines.positionAt(decl.keySpan.start).line;
  const endLine = model.lines.positionAt(endOfContent(model.text, decl.span.end)).line;
  const end =
    endLine + 1 < model.lines.lineCount
      ? { line: endLine + 1, character: 0 }
      : model.lines.positionAt(model.text.length);
  const edits: TextEdit[] = [{ range: { start: { line: startLine, character: 0 }, end }, newText: '' }];
  const siblings = decl.parent ? decl.parent.children : model.variables;
  if (siblings.length === 1) {
    const ownerPath = decl.path.slice(0, -1);
    const ownerKey = getPair(getIn(model.root, ownerPath.slice(0, -1)), String(ownerPath[ownerPath.length - 1]))?.key;
    if (ownerKey?.range) {
      const at = model.lines.positionAt(ownerKey.range[1] + 1);
      edits.push({ range: { start: at, end: at }, newText: ' {}' });
    }
  }
  return edits;
}

/** `type: enum` is not a WindFlow type: a string with an `enum` list is what was meant. */
function enumTypeToString(model: StackModel, span: Span): TextEdit[] | undefined {
  const decl = declarationContaining(model, span.start);
  const typePair = decl && getPair(decl.valueNode, 'type');
  const typeValue = typePair?.value;
  if (!decl || !typePair || !isScalar(typeValue) || typeValue.value !== 'enum' || !typeValue.range) return undefined;
  const edits: TextEdit[] = [
    { range: toRange(model.lines, { start: typeValue.range[0], end: typeValue.range[1] }), newText: 'string' },
  ];
  if (!getPair(decl.valueNode, 'enum')) {
    const keyStart = (typePair.key as Node).range![0];
    const indent = ' '.repeat(lineIndentation(model, keyStart));
    const fallback = decl.definition.default;
    const values = fallback === undefined || fallback === null ? '[]' : `[${JSON.stringify(String(fallback))}]`;
    const nextLine = model.lines.positionAt(typeValue.range[1]).line + 1;
    edits.push({
      range: { start: { line: nextLine, character: 0 }, end: { line: nextLine, character: 0 } },
      newText: `${indent}enum: ${values}\n`,
    });
  }
  return edits;
}
