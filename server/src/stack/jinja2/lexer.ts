/* eslint-disable no-control-regex -- Python counts \x1c-\x1f and \x85 as whitespace and line breaks, and so must we. */
/**
 * Jinja2's lexer for the default environment WindFlow uses: `{{ }}`, `{% %}`, `{# #}`, whitespace control with `-`
 * (`+` is accepted; lstrip_blocks and trim_blocks are off), `{% raw %}`, newlines normalised and one trailing newline
 * dropped (keep_trailing_newline off). Every token keeps its offsets in the source given to `tokenize`.
 */
import { JinjaError } from './values';

export type TokenType =
  | 'data'
  | 'variable_begin'
  | 'variable_end'
  | 'block_begin'
  | 'block_end'
  | 'name'
  | 'string'
  | 'integer'
  | 'float'
  | 'operator'
  | 'eof';

export interface Token {
  type: TokenType;
  /** Source text for names and operators, decoded text for strings and data. */
  value: string;
  start: number;
  end: number;
  /** integer and float tokens: the parsed number. */
  number?: bigint | number;
}

export class TemplateSyntaxError extends JinjaError {
  constructor(message: string, offset: number, kind = 'TemplateSyntaxError') {
    super(kind, message, undefined, offset);
  }
}

/** An unknown filter or test where Jinja2's compiler checks names (outside `if` branches and `x if c else y`). */
export class TemplateAssertionError extends TemplateSyntaxError {
  constructor(message: string, offset: number) {
    super(message, offset, 'TemplateAssertionError');
  }
}

const OPERATORS = [
  '//', '**', '==', '!=', '>=', '<=',
  '+', '-', '/', '*', '%', '~', '[', ']', '(', ')', '{', '}', '>', '<', '=', '.', ':', '|', ',', ';',
]; // prettier-ignore
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const FLOAT = /(?<!\.)(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?e[+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/iy;
const INTEGER = /0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\da-f])+|[1-9](?:_?\d)*|0(?:_?0)*/iy;
const STRING = /'([^'\\]*(?:\\[\s\S][^'\\]*)*)'|"([^"\\]*(?:\\[\s\S][^"\\]*)*)"/y;
const WHITESPACE = /\s+/y;
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
const RAW_BEGIN = /\{%([-+]?)\s*raw\s*(-?)%\}/y;
const RAW_END = /\{%([-+]?)\s*endraw\s*(-?)%\}/g;

/**
 * Jinja2 splits the source in lines (Python's splitlines) and joins them with '\n', which normalises every line
 * break and drops one trailing break. Offsets after a `\r\n` shift by one: `sourceOffset` maps them back.
 */
export function normaliseSource(source: string): { text: string; sourceOffset: (offset: number) => number } {
  const shifts: number[] = [];
  let text = source.replace(LINE_BREAK, (match, offset: number) => {
    if (match.length === 2) shifts.push(offset + 1 - shifts.length);
    return '\n';
  });
  if (text.endsWith('\n')) text = text.slice(0, -1);
  return {
    text,
    sourceOffset: (offset) => {
      let result = offset;
      for (const shift of shifts) if (shift <= offset) result++;
      return result;
    },
  };
}

/** Python's unicode-escape decoding of a string literal's body. */
function unescape(body: string, offset: number): string {
  return body.replace(
    /\\(?:([\\'"abfnrtv])|([0-7]{1,3})|x([\s\S]{0,2})|u([\s\S]{0,4})|U([\s\S]{0,8})|(\n)|([\s\S]))/g,
    (whole, simple?: string, octal?: string, hex2?: string, hex4?: string, hex8?: string, newline?: string) => {
      if (simple) return { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }[simple]!; // prettier-ignore
      if (octal) return String.fromCodePoint(parseInt(octal, 8));
      const hex = hex2 ?? hex4 ?? hex8;
      if (hex !== undefined) {
        const width = hex2 !== undefined ? 2 : hex4 !== undefined ? 4 : 8;
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex) || parseInt(hex, 16) > 0x10ffff)
          throw new TemplateSyntaxError(`(unicode error) 'unicodeescape' codec can't decode bytes`, offset);
        return String.fromCodePoint(parseInt(hex, 16));
      }
      if (newline) return '';
      return whole;
    },
  );
}

function parseInteger(text: string): bigint {
  const clean = text.replace(/_/g, '');
  const prefix = clean.slice(0, 2).toLowerCase();
  if (prefix === '0b' || prefix === '0o' || prefix === '0x') return BigInt(`0${prefix[1]}${clean.slice(2)}`);
  return BigInt(clean);
}

/** Tokens of a whole template (already normalised with normaliseSource). */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  /** A `-%}`/`-}}` strips whitespace at the start of the next data. */
  let stripNext = false;
  const pushData = (text: string, start: number, end: number, stripEnd: boolean) => {
    let data = text;
    let from = start;
    if (stripNext) {
      const trimmed = data.replace(/^\s+/, '');
      from += data.length - trimmed.length;
      data = trimmed;
    }
    if (stripEnd) data = data.replace(/\s+$/, '');
    stripNext = false;
    if (data !== '') tokens.push({ type: 'data', value: data, start: from, end });
  };

  while (position < source.length) {
    const next = findOpening(source, position);
    if (!next) {
      pushData(source.slice(position), position, source.length, false);
      break;
    }
    const { at, kind } = next;
    const marker = source[at + 2];
    const stripBefore = marker === '-';
    RAW_BEGIN.lastIndex = at;
    const raw = kind === '{%' ? RAW_BEGIN.exec(source) : null;
    pushData(source.slice(position, at), position, at, stripBefore || raw?.[1] === '-');

    if (raw) {
      RAW_END.lastIndex = at + raw[0].length;
      const end = RAW_END.exec(source);
      if (!end) throw new TemplateSyntaxError('Missing end of raw directive', at);
      let body = source.slice(at + raw[0].length, end.index);
      if (raw[2] === '-') body = body.replace(/^\s+/, '');
      if (end[1] === '-') body = body.replace(/\s+$/, '');
      if (body !== '') tokens.push({ type: 'data', value: body, start: at + raw[0].length, end: end.index });
      position = end.index + end[0].length;
      stripNext = end[2] === '-';
      continue;
    }

    if (kind === '{#') {
      const close = source.indexOf('#}', at + 2);
      if (close < 0) throw new TemplateSyntaxError('Missing end of comment tag', at);
      position = close + 2;
      stripNext = source[close - 1] === '-' && close - 1 >= at + 2;
      continue;
    }
    position = lexTag(source, at, kind, tokens);
    stripNext = source[position - 3] === '-';
  }
  tokens.push({ type: 'eof', value: '', start: source.length, end: source.length });
  return tokens;
}

function findOpening(source: string, from: number): { at: number; kind: string } | undefined {
  for (let i = source.indexOf('{', from); i >= 0 && i < source.length - 1; i = source.indexOf('{', i + 1)) {
    const second = source[i + 1];
    if (second === '{' || second === '%' || second === '#') return { at: i, kind: `{${second}` };
  }
  return undefined;
}

/** Lexes one `{{ … }}` or `{% … %}`; returns the position after its end. */
function lexTag(source: string, at: number, kind: string, tokens: Token[]): number {
  const isVariable = kind === '{{';
  const close = isVariable ? '}}' : '%}';
  let position = at + 2;
  if (source[position] === '-' || source[position] === '+') position++;
  tokens.push({ type: isVariable ? 'variable_begin' : 'block_begin', value: kind, start: at, end: position });
  const balance: string[] = [];
  while (position < source.length) {
    WHITESPACE.lastIndex = position;
    const space = WHITESPACE.exec(source);
    if (space) position += space[0].length;
    if (position >= source.length) break;
    if (balance.length === 0) {
      const stripped = source.startsWith(`-${close}`, position) || source.startsWith(`+${close}`, position);
      if (stripped || source.startsWith(close, position)) {
        const end = position + (stripped ? 3 : 2);
        tokens.push({ type: isVariable ? 'variable_end' : 'block_end', value: close, start: position, end });
        return end;
      }
    }
    NAME.lastIndex = position;
    const name = NAME.exec(source);
    if (name) {
      tokens.push({ type: 'name', value: name[0], start: position, end: position + name[0].length });
      position += name[0].length;
      continue;
    }
    FLOAT.lastIndex = position;
    const float = FLOAT.exec(source);
    if (float) {
      const end = position + float[0].length;
      tokens.push({ type: 'float', value: float[0], start: position, end, number: Number(float[0].replace(/_/g, '')) });
      position = end;
      continue;
    }
    INTEGER.lastIndex = position;
    const integer = INTEGER.exec(source);
    if (integer) {
      const end = position + integer[0].length;
      tokens.push({ type: 'integer', value: integer[0], start: position, end, number: parseInteger(integer[0]) });
      position = end;
      continue;
    }
    STRING.lastIndex = position;
    const string = STRING.exec(source);
    if (string) {
      const end = position + string[0].length;
      const body = (string[1] ?? string[2]).replace(LINE_BREAK, '\n');
      tokens.push({ type: 'string', value: unescape(body, position), start: position, end });
      position = end;
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, position));
    if (operator) {
      if (operator in OPENERS) balance.push(operator);
      else if (operator in CLOSERS) {
        if (balance.length === 0) throw new TemplateSyntaxError(`unexpected '${operator}'`, position);
        const open = balance.pop()!;
        if (open !== CLOSERS[operator])
          throw new TemplateSyntaxError(`unexpected '${operator}', expected '${OPENERS[open]}'`, position);
      }
      tokens.push({ type: 'operator', value: operator, start: position, end: position + operator.length });
      position += operator.length;
      continue;
    }
    const char = source[position];
    const quoted = char === "'" ? `"'"` : `'${char}'`;
    throw new TemplateSyntaxError(`unexpected char ${quoted} at ${position}`, position);
  }
  if (balance.length > 0) throw new TemplateSyntaxError(`unexpected end of template, expected '${OPENERS[balance.at(-1)!]}'.`, source.length); // prettier-ignore
  return source.length;
}
