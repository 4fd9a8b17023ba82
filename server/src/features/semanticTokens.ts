import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver-types';
import { FUNCTIONS_BY_NAME } from '../stack/functions';
import { JINJA_KEYWORDS } from '../stack/jinja';
import { leafSpan, StackModel, StringLeaf } from '../stack/model';
import { Span } from '../stack/text';

/** Token types for Jinja inside YAML strings; the order is the legend the client decodes with. */
const TOKEN_TYPES = [
  'macro',
  'variable',
  'property',
  'function',
  'method',
  'keyword',
  'string',
  'number',
  'operator',
  'comment',
  'parameter',
] as const;
type TokenType = (typeof TOKEN_TYPES)[number];
const TOKEN_MODIFIERS = ['defaultLibrary', 'readonly'] as const;
type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = {
  tokenTypes: [...TOKEN_TYPES],
  tokenModifiers: [...TOKEN_MODIFIERS],
};

interface Token {
  span: Span;
  type: TokenType;
  modifiers: TokenModifier[];
}

/**
 * Colours Jinja as code: delimiters as macros, variables, group members as properties, helper functions, filters as
 * methods, keywords, literals and operators. Ranges are exact inside quoted and block scalars; a token that crosses
 * a line break is split per line, as LSP requires.
 */
export function semanticTokens(model: StackModel): SemanticTokens {
  const tokens = model.leaves.flatMap((leaf) => leafTokens(leaf));
  tokens.sort((a, b) => a.span.start - b.span.start);
  const data: number[] = [];
  let previousLine = 0;
  let previousCharacter = 0;
  let lastEnd = 0;
  for (const token of tokens) {
    if (token.span.start < lastEnd) continue; // never overlap
    lastEnd = token.span.end;
    for (const piece of splitPerLine(model, token.span)) {
      const deltaLine = piece.line - previousLine;
      const deltaCharacter = deltaLine === 0 ? piece.character - previousCharacter : piece.character;
      const modifiers = token.modifiers.reduce((bits, modifier) => bits | (1 << TOKEN_MODIFIERS.indexOf(modifier)), 0);
      data.push(deltaLine, deltaCharacter, piece.length, TOKEN_TYPES.indexOf(token.type), modifiers);
      previousLine = piece.line;
      previousCharacter = piece.character;
    }
  }
  return { data };
}

function leafTokens(leaf: StringLeaf): Token[] {
  const tokens: Token[] = [];
  const push = (start: number, end: number, type: TokenType, modifiers: TokenModifier[] = []) => {
    if (end > start) tokens.push({ span: leafSpan(leaf, { start, end }), type, modifiers });
  };
  for (const segment of leaf.scan.segments) {
    if (segment.kind === 'comment') {
      push(segment.span.start, segment.span.end, 'comment');
      continue;
    }
    push(segment.span.start, segment.inner.start, 'macro');
    const filterStarts = new Set(segment.filters.map((filter) => filter.span.start));
    const references = new Map(segment.references.map((reference) => [reference.span.start, reference]));
    const attributeStarts = new Set(
      segment.references.flatMap((reference) => reference.attributes.map((attribute) => attribute.span.start)),
    );
    segment.tokens.forEach((token, index) => {
      if (token.type === 'string') return push(token.start, token.end, 'string');
      if (token.type === 'number') return push(token.start, token.end, 'number');
      if (token.type === 'operator') return push(token.start, token.end, 'operator');
      if (token.type !== 'name') return;
      const isTag = segment.kind === 'statement' && index === 0;
      if (isTag || JINJA_KEYWORDS.has(token.text)) return push(token.start, token.end, 'keyword');
      if (filterStarts.has(token.start)) return push(token.start, token.end, 'method', ['defaultLibrary']);
      if (attributeStarts.has(token.start)) return push(token.start, token.end, 'property');
      const reference = references.get(token.start);
      if (reference && FUNCTIONS_BY_NAME.has(reference.name))
        return push(token.start, token.end, 'function', ['defaultLibrary']);
      if (reference?.name === 'deployment_name') return push(token.start, token.end, 'variable', ['readonly']);
      if (reference?.call) return push(token.start, token.end, 'function');
      if (!reference && segment.tokens[index + 1]?.text === '=') return push(token.start, token.end, 'parameter');
      push(token.start, token.end, 'variable');
    });
    if (segment.closed) push(segment.inner.end, segment.span.end, 'macro');
  }
  return tokens;
}

function splitPerLine(model: StackModel, span: Span): { line: number; character: number; length: number }[] {
  const start = model.lines.positionAt(span.start);
  const end = model.lines.positionAt(span.end);
  if (start.line === end.line)
    return [{ line: start.line, character: start.character, length: end.character - start.character }];
  const pieces: { line: number; character: number; length: number }[] = [];
  for (let line = start.line; line <= end.line; line++) {
    const lineStart = model.lines.lineStart(line);
    let from = line === start.line ? span.start : lineStart;
    // Indentation of a continuation line belongs to the YAML block, not to the token.
    if (line !== start.line) while (from < span.end && (model.text[from] === ' ' || model.text[from] === '\t')) from++;
    const lineEnd = line === end.line ? span.end : lineEndOffset(model.text, lineStart);
    if (lineEnd > from) pieces.push({ line, character: from - lineStart, length: lineEnd - from });
  }
  return pieces;
}

function lineEndOffset(text: string, lineStart: number): number {
  let at = lineStart;
  while (at < text.length && text[at] !== '\n' && text[at] !== '\r') at++;
  return at;
}
