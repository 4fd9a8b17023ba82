/**
 * A Jinja scanner that works on one string value at a time (WindFlow renders each string leaf on its own) and keeps
 * the position of everything it finds as indices into that value. The model maps those indices to document offsets.
 * It is deliberately not an evaluator. Whether a string is valid Jinja is decided by the interpreter's own parser
 * (jinja2/parser.ts), so the editor and the renderer accept exactly the same templates: the scanner's errors only
 * give a precise message and range when that parser refuses the string.
 */
import { parseTemplate, TemplateSyntaxError } from './jinja2';
import { TemplateAssertionError } from './jinja2/lexer';

export type SegmentKind = 'expression' | 'statement' | 'comment';

export interface ValueSpan {
  start: number;
  end: number;
}

export type TokenType = 'name' | 'string' | 'number' | 'operator' | 'punct';

export interface JinjaToken {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

/** `{{ group.member }}`: the root name and each attribute after it, with positions. */
export interface JinjaReference {
  name: string;
  span: ValueSpan;
  attributes: { name: string; span: ValueSpan }[];
  /** The reference is called: `name(...)`. */
  call?: JinjaCall;
}

export interface JinjaArgument {
  span: ValueSpan;
  keyword?: string;
  /** The literal value when the argument is a plain string, number, boolean or None literal. */
  literal?: string | number | boolean | null;
  isLiteral: boolean;
}

export interface JinjaCall {
  span: ValueSpan;
  args: JinjaArgument[];
}

export interface JinjaFilter {
  name: string;
  span: ValueSpan;
}

export interface JinjaError {
  message: string;
  span: ValueSpan;
}

export interface JinjaSegment {
  kind: SegmentKind;
  /** From the opening delimiter to the end of the closing one (or the end of the value when unterminated). */
  span: ValueSpan;
  /** The text between the delimiters. */
  inner: ValueSpan;
  closed: boolean;
  tokens: JinjaToken[];
  references: JinjaReference[];
  filters: JinjaFilter[];
  /** Test names after `is` / `is not`. */
  tests: JinjaFilter[];
  /** Names this segment binds for the rest of the string (`{% set x %}`, `{% for x in … %}`). */
  binds: string[];
  /** For statements: the tag name (`if`, `for`, `endfor`, …). */
  tag?: string;
}

export interface JinjaScan {
  segments: JinjaSegment[];
  errors: JinjaError[];
}

export const JINJA_KEYWORDS = new Set([
  'and', 'or', 'not', 'in', 'is', 'if', 'else', 'elif', 'true', 'false', 'none', 'True', 'False', 'None',
  'for', 'endfor', 'endif', 'set', 'endset', 'block', 'endblock', 'macro', 'endmacro', 'call', 'endcall',
  'filter', 'endfilter', 'with', 'endwith', 'without', 'context', 'import', 'from', 'as', 'include', 'extends',
  'raw', 'endraw', 'recursive', 'ignore', 'missing', 'do', 'break', 'continue', 'autoescape', 'endautoescape',
  'scoped', 'required', 'trans', 'endtrans', 'pluralize',
]); // prettier-ignore

/** Names Jinja itself provides in every template. */
export const JINJA_GLOBALS = new Set([
  'range',
  'dict',
  'lipsum',
  'cycler',
  'joiner',
  'namespace',
  'loop',
  'self',
  'varargs',
  'kwargs',
  'caller',
]);

const BLOCK_TAGS: Record<string, string> = {
  if: 'endif',
  for: 'endfor',
  set: 'endset',
  macro: 'endmacro',
  call: 'endcall',
  filter: 'endfilter',
  with: 'endwith',
  block: 'endblock',
  raw: 'endraw',
  autoescape: 'endautoescape',
  trans: 'endtrans',
};
const MIDDLE_TAGS: Record<string, string[]> = { elif: ['if'], else: ['if', 'for'], pluralize: ['trans'] };
const SIMPLE_TAGS = new Set(['include', 'import', 'from', 'extends', 'do', 'break', 'continue']);

const OPEN = /\{\{|\{%|\{#/g;

export function hasJinja(value: string): boolean {
  return value.includes('{{') || value.includes('{%') || value.includes('{#');
}

const scanCache = new Map<string, JinjaScan>();
const SCAN_CACHE_LIMIT = 50_000;

/** Scans one string value. Results depend on the value alone, so they are shared (treat them as read-only). */
export function scanJinja(value: string): JinjaScan {
  const cached = scanCache.get(value);
  if (cached) return cached;
  if (scanCache.size >= SCAN_CACHE_LIMIT) scanCache.clear();
  const scan = scanUncached(value);
  scanCache.set(value, scan);
  return scan;
}

function scanUncached(value: string): JinjaScan {
  const segments: JinjaSegment[] = [];
  const errors: JinjaError[] = [];
  OPEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = OPEN.exec(value))) {
    const start = match.index;
    const kind: SegmentKind = match[0] === '{{' ? 'expression' : match[0] === '{%' ? 'statement' : 'comment';
    let innerStart = start + 2;
    if (kind !== 'comment' && (value[innerStart] === '-' || value[innerStart] === '+')) innerStart++;
    const close = kind === 'expression' ? '}}' : kind === 'statement' ? '%}' : '#}';
    const closeAt = kind === 'comment' ? value.indexOf(close, innerStart) : findClose(value, innerStart, close);
    const closed = closeAt >= 0;
    let innerEnd = closed ? closeAt : value.length;
    if (
      closed &&
      kind !== 'comment' &&
      (value[innerEnd - 1] === '-' || value[innerEnd - 1] === '+') &&
      innerEnd - 1 >= innerStart
    )
      innerEnd--;
    const end = closed ? closeAt + 2 : value.length;
    const segment: JinjaSegment = {
      kind,
      span: { start, end },
      inner: { start: innerStart, end: innerEnd },
      closed,
      tokens: [],
      references: [],
      filters: [],
      tests: [],
      binds: [],
    };
    segments.push(segment);
    if (!closed) {
      errors.push({ message: `unterminated '${match[0]}': expected '${close}'`, span: { start, end } });
    }
    if (kind !== 'comment') {
      const lexed = tokenize(value, innerStart, innerEnd);
      segment.tokens = lexed.tokens;
      errors.push(...lexed.errors);
      if (closed && lexed.errors.length === 0) analyse(segment, errors);
    }
    // A `{% raw %}` block hides everything up to its `{% endraw %}`.
    if (segment.tag === 'raw') {
      const endRaw = /\{%-?\s*endraw\s*-?%\}/g;
      endRaw.lastIndex = end;
      const found = endRaw.exec(value);
      OPEN.lastIndex = found ? found.index : value.length;
      if (!found) errors.push({ message: "'{% raw %}' is never closed by '{% endraw %}'", span: segment.span });
      continue;
    }
    OPEN.lastIndex = end;
  }
  checkBlockNesting(segments, errors);
  return { segments, errors: parserVerdict(value, errors) };
}

/** The interpreter's parser decides: no error when it accepts the string, at least one when it refuses it. */
function parserVerdict(value: string, scanned: JinjaError[]): JinjaError[] {
  try {
    parseTemplate(value);
    return [];
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    // Unknown filters and tests have their own diagnostics (WF027, WF140), with did-you-mean.
    if (error instanceof TemplateAssertionError) return [];
    if (scanned.length > 0) return scanned;
    const start = Math.min(error.offset ?? 0, value.length);
    const token = /^(\w+|[{}%#-]+|\S)/.exec(value.slice(start));
    return [{ message: error.message, span: { start, end: start + (token ? token[0].length : 0) } }];
  }
}

/** Finds the closing delimiter, skipping string literals that may contain it. */
function findClose(value: string, from: number, close: string): number {
  let quote = '';
  for (let i = from; i < value.length; i++) {
    const ch = value[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (value.startsWith(close, i)) return i;
  }
  // An unterminated string swallowed the delimiter: look again without honouring quotes.
  return quote ? value.indexOf(close, from) : -1;
}

const OPERATORS = ['**', '//', '==', '!=', '<=', '>=', '~', '+', '-', '*', '/', '%', '<', '>', '=', '|', '.', ':'];
const PUNCT = '()[]{},';

function tokenize(value: string, start: number, end: number): { tokens: JinjaToken[]; errors: JinjaError[] } {
  const tokens: JinjaToken[] = [];
  const errors: JinjaError[] = [];
  let i = start;
  while (i < end) {
    const ch = value[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < end && /[A-Za-z0-9_]/.test(value[j])) j++;
      tokens.push({ type: 'name', text: value.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const m = /^[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9]+)?/.exec(value.slice(i, end));
      const j = i + (m ? m[0].length : 1);
      tokens.push({ type: 'number', text: value.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      let terminated = false;
      while (j < end) {
        if (value[j] === '\\') j += 2;
        else if (value[j] === ch) {
          terminated = true;
          j++;
          break;
        } else j++;
      }
      j = Math.min(j, end);
      if (!terminated) errors.push({ message: 'unterminated string literal', span: { start: i, end } });
      tokens.push({ type: 'string', text: value.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    const op = OPERATORS.find((candidate) => value.startsWith(candidate, i) && i + candidate.length <= end);
    if (op) {
      tokens.push({ type: 'operator', text: op, start: i, end: i + op.length });
      i += op.length;
      continue;
    }
    if (PUNCT.includes(ch)) {
      tokens.push({ type: 'punct', text: ch, start: i, end: i + 1 });
      i++;
      continue;
    }
    errors.push({ message: `unexpected character '${ch}'`, span: { start: i, end: i + 1 } });
    i++;
  }
  return { tokens, errors };
}

export function stringLiteralValue(token: JinjaToken): string {
  const body = token.text.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function literalOf(tokens: JinjaToken[]): { isLiteral: boolean; literal?: string | number | boolean | null } {
  if (tokens.length === 2 && tokens[0].text === '-' && tokens[1].type === 'number')
    return { isLiteral: true, literal: -Number(tokens[1].text.replace(/_/g, '')) };
  if (tokens.length !== 1) return { isLiteral: false };
  const [token] = tokens;
  if (token.type === 'string') return { isLiteral: true, literal: stringLiteralValue(token) };
  if (token.type === 'number') return { isLiteral: true, literal: Number(token.text.replace(/_/g, '')) };
  if (token.type === 'name') {
    if (token.text === 'true' || token.text === 'True') return { isLiteral: true, literal: true };
    if (token.text === 'false' || token.text === 'False') return { isLiteral: true, literal: false };
    if (token.text === 'none' || token.text === 'None') return { isLiteral: true, literal: null };
  }
  return { isLiteral: false };
}

/** Finds references, calls, filters, bindings and structural errors in one lexed segment. */
function analyse(segment: JinjaSegment, errors: JinjaError[]): void {
  const tokens = segment.tokens;
  let from = 0;
  if (segment.kind === 'statement') {
    const tag = tokens[0];
    if (!tag || tag.type !== 'name') {
      errors.push({ message: 'a statement must start with a tag name such as if, for or set', span: segment.span });
      return;
    }
    segment.tag = tag.text;
    from = 1;
    if (
      !(tag.text in BLOCK_TAGS) &&
      !(tag.text in MIDDLE_TAGS) &&
      !SIMPLE_TAGS.has(tag.text) &&
      !tag.text.startsWith('end')
    ) {
      errors.push({ message: `unknown statement '${tag.text}'`, span: { start: tag.start, end: tag.end } });
      return;
    }
    if (tag.text === 'for') {
      const inAt = tokens.findIndex((t, k) => k > 0 && t.type === 'name' && t.text === 'in');
      if (inAt < 0) {
        errors.push({ message: "'for' needs 'in': {% for item in items %}", span: segment.span });
        return;
      }
      for (let k = 1; k < inAt; k++) if (tokens[k].type === 'name') segment.binds.push(tokens[k].text);
      from = inAt + 1;
    } else if (tag.text === 'set' || tag.text === 'macro') {
      const target = tokens[1];
      if (!target || target.type !== 'name') {
        errors.push({ message: `'${tag.text}' needs a name`, span: segment.span });
        return;
      }
      segment.binds.push(target.text);
      if (tag.text === 'set' && tokens[2]?.text === '.') {
        // `{% set ns.attr = value %}`: the namespace is read, the expression starts after '='.
        const equals = tokens.findIndex((t) => t.text === '=');
        segment.binds.pop();
        if (equals > 0) parseExpressionTokens(segment, tokens, equals + 1, errors);
        return;
      }
      if (tag.text === 'macro') {
        for (const t of tokens.slice(2)) if (t.type === 'name') segment.binds.push(t.text);
        return;
      }
      from = 2;
    } else if (
      tag.text === 'raw' ||
      tag.text.startsWith('end') ||
      tag.text === 'else' ||
      tag.text === 'break' ||
      tag.text === 'continue'
    ) {
      if (tokens.length > 1 && !(tag.text === 'else')) {
        errors.push({
          message: `'${tag.text}' takes no arguments`,
          span: { start: tokens[1].start, end: tokens[tokens.length - 1].end },
        });
      }
      return;
    } else if ((tag.text === 'if' || tag.text === 'elif') && tokens.length === 1) {
      errors.push({ message: `'${tag.text}' needs a condition`, span: segment.span });
      return;
    }
  } else if (tokens.length === 0) {
    errors.push({
      message: 'empty expression: put a variable or a function call between {{ and }}',
      span: segment.span,
    });
    return;
  }
  parseExpressionTokens(segment, tokens, from, errors);
}

function parseExpressionTokens(segment: JinjaSegment, tokens: JinjaToken[], from: number, errors: JinjaError[]): void {
  // Bracket balance, reported at the bracket.
  const stack: JinjaToken[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type !== 'punct') continue;
    if ('([{'.includes(t.text)) stack.push(t);
    else if (t.text in pairs) {
      const open = stack.pop();
      if (!open || open.text !== pairs[t.text]) {
        errors.push({ message: `unexpected '${t.text}'`, span: { start: t.start, end: t.end } });
        return;
      }
    }
  }
  if (stack.length) {
    const open = stack[stack.length - 1];
    errors.push({ message: `'${open.text}' is never closed`, span: { start: open.start, end: open.end } });
    return;
  }
  // Its errors only count when the real parser refuses the string too (parserVerdict), so keep collecting.
  checkOperands(tokens, from, errors);
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type !== 'name') continue;
    const previous = tokens[k - 1];
    const next = tokens[k + 1];
    if (previous && previous.text === '.' && k - 1 >= from) continue; // attribute, handled with its root
    if (previous && previous.text === '|' && previous.type === 'operator') {
      segment.filters.push({ name: t.text, span: { start: t.start, end: t.end } });
      continue;
    }
    if (
      previous &&
      previous.type === 'name' &&
      (previous.text === 'is' || (previous.text === 'not' && tokens[k - 2]?.text === 'is'))
    ) {
      if (t.text === 'not' && previous.text === 'is') continue; // `is not name`: the negation, not the test
      segment.tests.push({ name: t.text, span: { start: t.start, end: t.end } }); // a test name: `x is defined`
      continue;
    }
    if (next && next.type === 'operator' && next.text === '=' && isInsideCall(tokens, k)) continue; // keyword argument
    if (JINJA_KEYWORDS.has(t.text)) continue;
    if (next && next.text === ':' && isInsideBraces(tokens, k)) continue; // a dict literal key written bare is invalid Jinja, but not a reference to report twice
    const reference: JinjaReference = { name: t.text, span: { start: t.start, end: t.end }, attributes: [] };
    let j = k + 1;
    while (j < tokens.length) {
      if (tokens[j].text === '.' && tokens[j + 1]?.type === 'name') {
        reference.attributes.push({
          name: tokens[j + 1].text,
          span: { start: tokens[j + 1].start, end: tokens[j + 1].end },
        });
        j += 2;
      } else if (tokens[j].text === '[' && tokens[j + 1]?.type === 'string' && tokens[j + 2]?.text === ']') {
        const key = tokens[j + 1];
        reference.attributes.push({ name: stringLiteralValue(key), span: { start: key.start + 1, end: key.end - 1 } });
        j += 3;
      } else break;
    }
    if (tokens[j]?.text === '(' && reference.attributes.length === 0) reference.call = readCall(tokens, j);
    segment.references.push(reference);
  }
}

/** Rejects two operands in a row, a dangling operator and similar shapes the Jinja parser would refuse. */
function checkOperands(tokens: JinjaToken[], from: number, errors: JinjaError[]): boolean {
  const binary = new Set(['**', '//', '==', '!=', '<=', '>=', '~', '*', '/', '%', '<', '>', '|', '.']);
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k];
    const previous = k > from ? tokens[k - 1] : undefined;
    const isOperand = t.type === 'name' || t.type === 'string' || t.type === 'number';
    const previousIsOperand =
      previous &&
      (previous.type === 'string' ||
        previous.type === 'number' ||
        (previous.type === 'name' && !JINJA_KEYWORDS.has(previous.text)) ||
        previous.text === ')' ||
        previous.text === ']' ||
        previous.text === '}');
    const keywordOperator = t.type === 'name' && ['and', 'or', 'in', 'is', 'if', 'else', 'not'].includes(t.text);
    if (isOperand && !keywordOperator && previousIsOperand && !(previous?.type === 'name' && previous.text === 'is')) {
      errors.push({
        message: `unexpected '${t.text}' after '${previous!.text}': an operator or ',' is missing`,
        span: { start: t.start, end: t.end },
      });
      return false;
    }
    if (t.type === 'operator' && binary.has(t.text)) {
      const next = tokens[k + 1];
      if (!previous || k === from) {
        errors.push({ message: `'${t.text}' needs something on its left`, span: { start: t.start, end: t.end } });
        return false;
      }
      if (!next || next.text === ')' || next.text === ']' || next.text === ',') {
        errors.push({ message: `'${t.text}' needs something on its right`, span: { start: t.start, end: t.end } });
        return false;
      }
    }
  }
  return true;
}

function isInsideCall(tokens: JinjaToken[], index: number): boolean {
  let depth = 0;
  for (let k = index - 1; k >= 0; k--) {
    const t = tokens[k].text;
    if (t === ')' || t === ']' || t === '}') depth++;
    else if (t === '(' || t === '[' || t === '{') {
      if (depth === 0) return t === '(';
      depth--;
    }
  }
  return false;
}

function isInsideBraces(tokens: JinjaToken[], index: number): boolean {
  let depth = 0;
  for (let k = index - 1; k >= 0; k--) {
    const t = tokens[k].text;
    if (t === ')' || t === ']' || t === '}') depth++;
    else if (t === '(' || t === '[' || t === '{') {
      if (depth === 0) return t === '{';
      depth--;
    }
  }
  return false;
}

function readCall(tokens: JinjaToken[], openIndex: number): JinjaCall {
  const args: JinjaArgument[] = [];
  let depth = 0;
  let argTokens: JinjaToken[] = [];
  let end = tokens[openIndex].end;
  const flush = () => {
    if (argTokens.length === 0) return;
    let keyword: string | undefined;
    let valueTokens = argTokens;
    if (argTokens.length >= 2 && argTokens[0].type === 'name' && argTokens[1].text === '=') {
      keyword = argTokens[0].text;
      valueTokens = argTokens.slice(2);
    }
    const literal = literalOf(valueTokens);
    args.push({
      span: { start: argTokens[0].start, end: argTokens[argTokens.length - 1].end },
      keyword,
      ...literal,
    });
    argTokens = [];
  };
  for (let k = openIndex; k < tokens.length; k++) {
    const t = tokens[k];
    if ('([{'.includes(t.text) && t.type === 'punct') {
      depth++;
      if (depth === 1) continue;
    } else if (')]}'.includes(t.text) && t.type === 'punct') {
      depth--;
      if (depth === 0) {
        flush();
        end = t.end;
        break;
      }
    } else if (t.text === ',' && depth === 1) {
      flush();
      continue;
    }
    argTokens.push(t);
  }
  return { span: { start: tokens[openIndex].start, end }, args };
}

function checkBlockNesting(segments: JinjaSegment[], errors: JinjaError[]): void {
  const open: JinjaSegment[] = [];
  for (const segment of segments) {
    const tag = segment.tag;
    if (segment.kind !== 'statement' || !tag) continue;
    if (tag === 'set' && segment.tokens.some((t) => t.text === '=')) continue; // `{% set x = 1 %}` has no end tag
    if (tag in BLOCK_TAGS) {
      open.push(segment);
    } else if (tag in MIDDLE_TAGS) {
      const top = open[open.length - 1];
      if (!top || !MIDDLE_TAGS[tag].includes(top.tag!))
        errors.push({
          message: `'${tag}' outside of ${MIDDLE_TAGS[tag].map((t) => `'${t}'`).join(' or ')}`,
          span: segment.span,
        });
    } else if (tag.startsWith('end')) {
      const top = open.pop();
      if (!top) errors.push({ message: `'${tag}' without an opening '${tag.slice(3)}'`, span: segment.span });
      else if (BLOCK_TAGS[top.tag!] !== tag) {
        errors.push({
          message: `'${tag}' closes '${top.tag}', which expects '${BLOCK_TAGS[top.tag!]}'`,
          span: segment.span,
        });
      }
    }
  }
  for (const segment of open)
    errors.push({ message: `'${segment.tag}' is never closed by '${BLOCK_TAGS[segment.tag!]}'`, span: segment.span });
}
