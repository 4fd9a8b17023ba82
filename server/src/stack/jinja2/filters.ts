/* eslint-disable no-control-regex -- Python counts \x1c-\x1f and \x85 as whitespace and line breaks, and so must we. */
/** Jinja2 3.1's builtin filters, with Python's results (the default environment: no autoescape). */
import { bind, bindFull, noArgs } from './bind';
import { KNOWN_NAMES } from './parser';
import { formatFixed } from './numbers';
import { percentFormat } from './format';
import { attributeOf, joinStrings, pyCapitalize, pyReplace, sortValues } from './methods';
import { binaryOperation, contains } from './operators';
import type { Runtime } from './runtime';
import {
  CallArgs,
  escapeHtml,
  floatRepr,
  floatToInt,
  hashKey,
  isIterable,
  isNumber,
  isString,
  iterate,
  JinjaError,
  Markup,
  pyCompare,
  PyDict,
  pyLength,
  PyObject,
  pyRepr,
  pyStr,
  PyTuple,
  PyUndefined,
  quoteString,
  roundFloat,
  textOf,
  toFloat,
  truthy,
  typeError,
  typeName,
  Value,
} from './values';

export type FilterFunction = (rt: Runtime, value: Value, args: CallArgs) => Value;

const filterArgumentError = (message: string) => new JinjaError('FilterArgumentError', message);

/** A lazily consumed result (generators, iterators): iterable, printed like Python prints the object. */
function iterator(kind: string, items: Value[]): PyObject {
  return new PyObject(kind, new Map(), () => `<${kind} object>`, false, undefined, items);
}

const soft = (value: Value): string => pyStr(value);

function int(value: Value, name: string): number {
  if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
  if (value instanceof PyUndefined) throw value.fail();
  throw typeError(`'${typeName(value)}' object cannot be interpreted as an integer (${name})`);
}

function lowerIfString(value: Value): Value {
  return isString(value) ? textOf(value).toLowerCase() : value;
}

/** Jinja2's make_attrgetter: `a.b.0` looked up with getitem, with an optional default for undefined results. */
function attrGetter(rt: Runtime, attribute: Value, postprocess?: (value: Value) => Value, fallback?: Value) {
  const parts =
    attribute === null
      ? []
      : typeof attribute === 'bigint'
        ? [attribute]
        : soft(attribute)
            .split('.')
            .map((part): Value => (/^\d+$/.test(part) ? BigInt(part) : part));
  return (item: Value): Value => {
    let value = item;
    for (const part of parts) {
      value = rt.getitem(value, part);
      if (value instanceof PyUndefined && fallback !== undefined) {
        value = fallback;
        break;
      }
    }
    return postprocess ? postprocess(value) : value;
  };
}

function escape(value: Value): Markup {
  if (value instanceof Markup) return value;
  return new Markup(escapeHtml(soft(value)));
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function unescapeHtml(text: string): string {
  return text.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10); // prettier-ignore
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED_ENTITIES[entity] ?? whole;
  });
}

/** Python's int(str, base). */
function parseIntText(text: string, base: number): bigint | undefined {
  let body = text.trim().replace(/^[+]/, '');
  let negative = false;
  if (body.startsWith('-')) {
    negative = true;
    body = body.slice(1);
  }
  let radix = base;
  const prefix = body.slice(0, 2).toLowerCase();
  const prefixes: Record<string, number> = { '0x': 16, '0o': 8, '0b': 2 };
  if (prefix in prefixes && (base === 0 || base === prefixes[prefix])) {
    radix = prefixes[prefix];
    body = body.slice(2).replace(/^_/, '');
  } else if (base === 0) {
    radix = 10;
    if (/^0+[1-9]/.test(body)) return undefined;
  }
  if (radix < 2 || radix > 36) return undefined;
  if (!/^[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/.test(body)) return undefined;
  const digits = body.replace(/_/g, '').toLowerCase();
  let result = 0n;
  for (const char of digits) {
    const digit = parseInt(char, 36);
    if (Number.isNaN(digit) || digit >= radix) return undefined;
    result = result * BigInt(radix) + BigInt(digit);
  }
  return negative ? -result : result;
}

/** Python's float(str), or undefined when Python would raise ValueError. */
export function parseFloatText(text: string): number | undefined {
  const body = text.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(body);
  if (special) return special[2].toLowerCase().startsWith('inf') ? (special[1] === '-' ? -Infinity : Infinity) : NaN;
  if (!/^[+-]?((\d(_?\d)*)?\.?\d(_?\d)*|\d(_?\d)*\.)([eE][+-]?\d(_?\d)*)?$/.test(body)) return undefined;
  return Number(body.replace(/_/g, ''));
}

function toFloatOrUndefined(value: Value): number | undefined {
  if (isNumber(value)) return toFloat(value);
  if (isString(value)) return parseFloatText(textOf(value));
  return undefined;
}

function truncate(text: string, length: number, killwords: boolean, end: string, leeway: number): string {
  if (length < end.length) throw new JinjaError('AssertionError', `expected length >= ${end.length}, got ${length}`);
  if (leeway < 0) throw new JinjaError('AssertionError', `expected leeway >= 0, got ${leeway}`);
  const chars = [...text];
  if (chars.length <= length + leeway) return text;
  const kept = chars.slice(0, length - end.length).join('');
  if (killwords) return kept + end;
  const space = kept.lastIndexOf(' ');
  return (space >= 0 ? kept.slice(0, space) : kept) + end;
}

// ---------------------------------------------------------------------------------------------------------------
// tojson and pprint

function jsonString(text: string): string {
  let result = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') result += '\\"';
    else if (char === '\\') result += '\\\\';
    else if (char === '\n') result += '\\n';
    else if (char === '\r') result += '\\r';
    else if (char === '\t') result += '\\t';
    else if (char === '\b') result += '\\b';
    else if (char === '\f') result += '\\f';
    else if (code < 0x20 || code > 0x7e) {
      if (code > 0xffff) {
        const high = Math.floor((code - 0x10000) / 0x400) + 0xd800;
        const low = ((code - 0x10000) % 0x400) + 0xdc00;
        result += `\\u${high.toString(16).padStart(4, '0')}\\u${low.toString(16).padStart(4, '0')}`;
      } else result += `\\u${code.toString(16).padStart(4, '0')}`;
    } else result += char;
  }
  return `${result}"`;
}

function jsonKey(key: Value): string {
  if (isString(key)) return textOf(key);
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  if (key === null) return 'null';
  if (typeof key === 'bigint') return key.toString();
  if (typeof key === 'number') return jsonNumber(key);
  throw typeError(`keys must be str, int, float, bool or None, not ${typeName(key)}`);
}

function jsonNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return floatRepr(value);
}

function toJson(value: Value, indent: string | undefined, level: number): string {
  if (level > 100) throw new JinjaError('RecursionError', 'maximum recursion depth exceeded while encoding a JSON object'); // prettier-ignore
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return jsonNumber(value);
  if (isString(value)) return jsonString(textOf(value));
  const open = (items: string[], left: string, right: string) => {
    if (items.length === 0) return left + right;
    if (indent === undefined) return left + items.join(', ') + right;
    const inner = `\n${indent.repeat(level + 1)}`;
    return `${left}${inner}${items.join(`,${inner}`)}\n${indent.repeat(level)}${right}`;
  };
  if (Array.isArray(value) || value instanceof PyTuple)
    return open(
      iterate(value).map((item) => toJson(item, indent, level + 1)),
      '[',
      ']',
    );
  if (value instanceof PyDict) {
    const entries = value.items().map(([key, item]) => [jsonKey(key), key, item] as const);
    entries.sort((a, b) => {
      if (typeof a[1] !== typeof b[1] && !(isString(a[1]) && isString(b[1]))) pyCompare(a[1], b[1]); // raises TypeError for mixed kinds, like sort_keys does
      return pyCompare(a[1], b[1]);
    });
    return open(
      entries.map(([key, , item]) => `${jsonString(key)}: ${toJson(item, indent, level + 1)}`),
      '{',
      '}',
    );
  }
  throw typeError(`Object of type ${typeName(value)} is not JSON serializable`);
}

function htmlSafeJson(text: string): string {
  return text.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027');
}

/** Python's pprint.pformat (width 80, dicts sorted). */
function pformat(value: Value, indent = 0, allowance = 0): string {
  const flat = pprintRepr(value);
  if (flat.length <= 80 - indent - allowance) return flat;
  const items =
    Array.isArray(value) || value instanceof PyTuple
      ? iterate(value)
      : value instanceof PyDict
        ? sortedItems(value)
        : undefined;
  if (typeof value === 'string' && value.length > 0) return pformatString(value, indent, allowance);
  if (!items || items.length === 0) return flat;
  const [open, close] = Array.isArray(value) ? ['[', ']'] : value instanceof PyTuple ? ['(', ')'] : ['{', '}'];
  const inner = indent + 1;
  const parts = items.map((item, index) => {
    const last = index === items.length - 1;
    const trailing = last ? allowance + 1 : 1;
    if (value instanceof PyDict) {
      const [key, entry] = item as unknown as [Value, Value];
      const keyText = pprintRepr(key);
      return `${keyText}: ${pformat(entry, inner + keyText.length + 2, trailing)}`;
    }
    return pformat(item, inner, trailing);
  });
  const single = value instanceof PyTuple && items.length === 1 ? ',' : '';
  return `${open}${parts.join(`,\n${' '.repeat(inner)}`)}${single}${close}`;
}

function pformatString(text: string, indent: number, allowance: number): string {
  const width = 80 - indent - allowance;
  const chunks = text.split(/(?<=\s)(?=\S)/);
  const lines: string[] = [];
  let current = '';
  for (const chunk of chunks) {
    const candidate = current + chunk;
    if (current !== '' && quoteString(candidate).length > width - 2) {
      lines.push(current);
      current = chunk;
    } else current = candidate;
  }
  if (current !== '') lines.push(current);
  if (lines.length <= 1) return quoteString(text);
  return `(${lines.map((line) => quoteString(line)).join(`\n${' '.repeat(indent + 1)}`)})`;
}

function sortedItems(dict: PyDict): Value[] {
  const items = dict.items();
  items.sort((a, b) => {
    try {
      return pyCompare(a[0], b[0]);
    } catch {
      return 0;
    }
  });
  return items as unknown as Value[];
}

function pprintRepr(value: Value): string {
  if (value instanceof PyDict)
    return `{${(sortedItems(value) as unknown as [Value, Value][]).map(([key, item]) => `${pprintRepr(key)}: ${pprintRepr(item)}`).join(', ')}}`; // prettier-ignore
  if (Array.isArray(value)) return `[${value.map(pprintRepr).join(', ')}]`;
  if (value instanceof PyTuple && !value.named) {
    const items = value.items.map(pprintRepr);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  return pyRepr(value);
}

// ---------------------------------------------------------------------------------------------------------------
// wordwrap (Python's textwrap with expand_tabs and replace_whitespace off)

function wrapLine(text: string, width: number, breakLongWords: boolean, breakOnHyphens: boolean): string[] {
  if (width <= 0) throw new JinjaError('ValueError', `invalid width ${width} (must be > 0)`);
  const pieces = text.split(/(\s+)/).filter((piece) => piece !== '');
  const chunks: string[] = [];
  for (const piece of pieces) {
    if (!breakOnHyphens || /^\s/.test(piece)) chunks.push(piece);
    // textwrap breaks after a hyphen between two words of at least two characters ending with a letter.
    else chunks.push(...piece.split(/(?<=\w[^\W\d]-)(?=\w*[^\W\d])/).filter((part) => part !== ''));
  }
  const lines: string[] = [];
  chunks.reverse();
  while (chunks.length > 0) {
    const line: string[] = [];
    let length = 0;
    if (/^\s+$/.test(chunks.at(-1)!) && lines.length > 0) chunks.pop();
    while (chunks.length > 0) {
      const chunk = chunks.at(-1)!;
      if (length + chunk.length <= width) {
        line.push(chunks.pop()!);
        length += chunk.length;
      } else break;
    }
    if (chunks.length > 0 && chunks.at(-1)!.length > width) {
      const space = Math.max(width - length, 1);
      if (breakLongWords) {
        const chunk = chunks.pop()!;
        line.push(chunk.slice(0, space));
        chunks.push(chunk.slice(space));
      } else if (line.length === 0) line.push(chunks.pop()!);
    }
    if (line.length > 0 && /^\s+$/.test(line.at(-1)!)) line.pop();
    if (line.length > 0) lines.push(line.join(''));
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// urlencode and urlize

function urlQuote(value: Value, forQuery: boolean): string {
  const text = soft(value);
  const bytes = Buffer.from(text, 'utf8');
  let result = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(char) || (!forQuery && char === '/')) result += char;
    else result += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return forQuery ? result.replace(/%20/g, '+') : result;
}

function unpackPair(pair: Value): Value[] {
  if (!isIterable(pair)) throw typeError(`cannot unpack non-iterable ${typeName(pair)} object`);
  const items = iterate(pair);
  if (items.length > 2) throw new JinjaError('ValueError', 'too many values to unpack (expected 2)');
  if (items.length < 2)
    throw new JinjaError('ValueError', `not enough values to unpack (expected 2, got ${items.length})`);
  return items;
}

function urlize(text: string, trimLength: number | undefined, nofollow: boolean, target: Value, rel: Value): string {
  // Jinja2 always adds its policy's rel (noopener) to the one given.
  const relations = new Set([...(rel === null ? '' : soft(rel)).split(/\s+/).filter(Boolean), 'noopener']);
  if (nofollow) relations.add('nofollow');
  const relAttr = relations.size > 0 ? ` rel="${escapeHtml([...relations].sort().join(' '))}"` : '';
  const targetAttr = target !== null && target !== undefined && soft(target) !== '' ? ` target="${escapeHtml(soft(target))}"` : ''; // prettier-ignore
  const shorten = (url: string) =>
    trimLength !== undefined && url.length > trimLength ? `${url.slice(0, trimLength)}${url.length >= 3 && trimLength >= 3 ? '...' : ''}` : url; // prettier-ignore
  return text
    .split(/(\s+)/)
    .map((word) => {
      const match = /^((?:[(<]|&lt;)*)(.*?)((?:[.,)>\n]|&gt;)*)$/s.exec(word);
      if (!match) return escapeHtml(word);
      const [, head = ''] = match;
      let [, , middle, tail = ''] = match;
      // Like Jinja2, balance brackets by moving closing ones from the tail back into the link.
      for (const [open, close] of [
        ['(', ')'],
        ['<', '>'],
        ['&lt;', '&gt;'],
      ]) {
        const opens = middle.split(open).length - 1;
        if (opens <= middle.split(close).length - 1) continue;
        for (let moved = 0; moved < Math.min(opens, tail.split(close).length - 1); moved++) {
          const end = tail.indexOf(close) + close.length;
          middle += tail.slice(0, end);
          tail = tail.slice(end);
        }
      }
      let link: string | undefined;
      if (/^https?:\/\//.test(middle)) link = middle;
      else if (/^www\./.test(middle) || (/^[\w.-]+\.(org|net|com)$/.test(middle) && !middle.includes('@')))
        link = `https://${middle}`;
      if (link)
        return `${escapeHtml(head)}<a href="${escapeHtml(link)}"${relAttr}${targetAttr}>${escapeHtml(shorten(middle))}</a>${escapeHtml(tail)}`; // prettier-ignore
      if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(middle) && !middle.includes(':'))
        return `${escapeHtml(head)}<a href="mailto:${escapeHtml(middle)}">${escapeHtml(middle)}</a>${escapeHtml(tail)}`;
      return escapeHtml(word);
    })
    .join('');
}

// ---------------------------------------------------------------------------------------------------------------
// select / reject / map

function selectOrReject(rt: Runtime, value: Value, args: CallArgs, byAttribute: boolean, keep: boolean): Value {
  const [attribute, ...rest] = byAttribute ? args.positional : [null, ...args.positional];
  if (byAttribute && attribute === undefined) throw typeError('Missing parameter for attribute name');
  const getter = byAttribute ? attrGetter(rt, attribute) : (item: Value) => item;
  let test: (item: Value) => boolean;
  if (rest.length === 0) test = (item) => truthy(item);
  else {
    const [name, ...testArgs] = rest;
    const testFunction = rt.testByName(soft(name));
    test = (item) => testFunction(rt, item, { positional: testArgs, keywords: args.keywords });
  }
  // Jinja2 yields nothing for a false value (`if value:`), iterable or not.
  return iterator('generator', truthy(value) ? iterate(value).filter((item) => test(getter(item)) === keep) : []);
}

function map(rt: Runtime, value: Value, args: CallArgs): Value {
  let transform: (item: Value) => Value;
  if (args.positional.length === 0 && args.keywords.has('attribute')) {
    const keywords = new Map(args.keywords);
    const attribute = keywords.get('attribute')!;
    keywords.delete('attribute');
    const fallback = keywords.get('default');
    keywords.delete('default');
    if (keywords.size > 0) throw filterArgumentError('Unexpected keyword argument ' + quoteString([...keywords.keys()][0])); // prettier-ignore
    transform = attrGetter(rt, attribute, undefined, fallback);
  } else {
    const [name, ...rest] = args.positional;
    if (name === undefined) throw filterArgumentError('map requires a filter argument');
    const filter = rt.filterByName(soft(name));
    transform = (item) => rt.applyFilter(filter, item, { positional: rest, keywords: args.keywords });
  }
  return iterator('generator', truthy(value) ? iterate(value).map(transform) : []);
}

function minMax(rt: Runtime, value: Value, args: CallArgs, wantMax: boolean): Value {
  const [caseSensitive, attribute] = bind(wantMax ? 'do_max' : 'do_min', args, [['case_sensitive', false], ['attribute', null]]); // prettier-ignore
  const items = iterate(value);
  if (items.length === 0) return new PyUndefined(undefined, undefined, 'No aggregated item, sequence was empty.');
  const key = attrGetter(rt, attribute, truthy(caseSensitive) ? undefined : lowerIfString);
  let best = items[0];
  let bestKey = key(best);
  for (const item of items.slice(1)) {
    const itemKey = key(item);
    const order = pyCompare(itemKey, bestKey, wantMax ? '>' : '<');
    if (wantMax ? order > 0 : order < 0) {
      best = item;
      bestKey = itemKey;
    }
  }
  return best;
}

const ROUND_LIMITS = { outputLength: 5_000_000, intBits: 100_000 };

function roundValue(value: Value, precision: number, method: string): Value {
  if (!['common', 'ceil', 'floor'].includes(method)) throw filterArgumentError('method must be common, ceil or floor');
  if (!isNumber(value)) {
    if (method === 'common') throw typeError(`type ${typeName(value)} doesn't define __round__ method`);
    // Jinja2 computes `math.ceil(value * 10 ** precision)`: the product fails first, else ceil refuses it.
    const scaled = binaryOperation('*', value, 10n ** BigInt(Math.max(precision, 0)), ROUND_LIMITS);
    throw typeError(`must be real number, not ${typeName(scaled)}`);
  }
  if (method === 'common') {
    if (typeof value !== 'number') {
      const int = BigInt(value);
      if (precision >= 0) return int;
      const unit = 10n ** BigInt(-precision);
      const rest = ((int % unit) + unit) % unit;
      let rounded = int - rest;
      if (rest * 2n > unit || (rest * 2n === unit && (rounded / unit) % 2n !== 0n)) rounded += unit;
      return rounded;
    }
    return roundFloat(value, precision);
  }
  const scale = 10 ** precision;
  const scaled = toFloat(value) * scale;
  return (method === 'ceil' ? Math.ceil(scaled) : Math.floor(scaled)) / scale;
}

function groupby(rt: Runtime, value: Value, args: CallArgs): Value {
  const [attribute, fallback, caseSensitive] = bind('do_groupby', args, ['attribute', ['default', null], ['case_sensitive', false]]); // prettier-ignore
  const sensitive = truthy(caseSensitive);
  const key = attrGetter(rt, attribute, sensitive ? undefined : lowerIfString, fallback ?? undefined);
  const display = attrGetter(rt, attribute, undefined, fallback ?? undefined);
  const sorted = sortValues(rt, iterate(value), key, false);
  const groups: PyTuple[] = [];
  let current: { key: Value; items: Value[] } | undefined;
  for (const item of sorted) {
    const itemKey = key(item);
    if (current && hashKeyEquals(current.key, itemKey)) current.items.push(item);
    else {
      current = { key: itemKey, items: [item] };
      groups.push(
        new PyTuple([display(item), current.items], {
          type: '_GroupTuple',
          fields: ['grouper', 'list'],
          plainRepr: true,
        }),
      );
    }
  }
  return groups;
}

function hashKeyEquals(a: Value, b: Value): boolean {
  try {
    return hashKey(a) === hashKey(b);
  } catch {
    return a === b;
  }
}

/** Filters that call str methods on their value refuse anything else, like Python does. */
function requireText(value: Value, failure: () => JinjaError): string {
  if (isString(value)) return textOf(value);
  if (value instanceof PyUndefined) throw value.fail();
  throw failure();
}

function indent(value: Value, width: Value, first: boolean, blank: boolean): Value {
  requireText(value, () => {
    // `s += "\n"` extends a list (then splitlines fails) and refuses other types.
    if (Array.isArray(value)) return new JinjaError('AttributeError', "'list' object has no attribute 'splitlines'");
    if (value instanceof PyTuple) return typeError('can only concatenate tuple (not "str") to tuple');
    return typeError(`unsupported operand type(s) for +=: '${typeName(value)}' and 'str'`);
  });
  const indention = isString(width) ? textOf(width) : ' '.repeat(Math.max(0, int(width, 'width')));
  const text = `${soft(value)}\n`;
  const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  lines.pop();
  let result: string;
  if (blank) result = lines.join(`\n${indention}`);
  else {
    result = lines.shift() ?? '';
    if (lines.length > 0) result += `\n${lines.map((line) => (line ? indention + line : line)).join('\n')}`;
  }
  if (first) result = indention + result;
  return value instanceof Markup ? new Markup(result) : result;
}

function filesizeformat(value: Value, binary: boolean): string {
  if (isString(value) && parseFloatText(textOf(value)) === undefined)
    throw new JinjaError('ValueError', `could not convert string to float: ${quoteString(textOf(value))}`);
  const bytes = toFloatOrUndefined(value);
  if (bytes === undefined) throw value instanceof PyUndefined ? value.fail() : typeError(`float() argument must be a string or a real number, not '${typeName(value)}'`); // prettier-ignore
  const base = binary ? 1024 : 1000;
  const prefixes = binary
    ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB']
    : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  if (bytes === 1) return '1 Byte';
  if (bytes < base) return `${floatToInt(bytes)} Bytes`;
  let unit = 0;
  let prefix = '';
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    prefix = prefixes[i];
    if (bytes < unit) break;
  }
  return `${formatFixed((base * bytes) / unit, 1)} ${prefix}`;
}

function title(text: string): string {
  return text
    .split(/([-\s({[<]+)/)
    .filter((item) => item !== '')
    .map((item) => {
      const [first, ...rest] = [...item];
      return first.toUpperCase() + rest.join('').toLowerCase();
    })
    .join('');
}

function sumValues(rt: Runtime, value: Value, args: CallArgs): Value {
  const [attribute, start] = bind('sync_do_sum', args, [
    ['attribute', null],
    ['start', 0n],
  ]);
  const getter = attrGetter(rt, attribute);
  return iterate(value).reduce((total: Value, item) => binaryOperation('+', total, getter(item), rt.limits), start);
}

function xmlattr(value: Value, autospace: boolean): Markup {
  if (!(value instanceof PyDict)) throw new JinjaError('AttributeError', `'${typeName(value)}' object has no attribute 'items'`); // prettier-ignore
  const parts = value
    .items()
    .filter(([, item]) => item !== null && !(item instanceof PyUndefined))
    .map(([key, item]) => `${escapeHtml(soft(key))}="${escape(item).text}"`);
  const text = parts.join(' ');
  return new Markup(text && autospace ? ` ${text}` : text);
}

function dictsort(rt: Runtime, value: Value, args: CallArgs): Value {
  const [caseSensitive, by, reverse] = bind('do_dictsort', args, [['case_sensitive', false], ['by', 'key'], ['reverse', false]]); // prettier-ignore
  const position = by === 'key' ? 0 : by === 'value' ? 1 : undefined;
  if (position === undefined) throw filterArgumentError('You can only sort by either "key" or "value"');
  if (value instanceof PyUndefined) throw value.fail();
  if (!(value instanceof PyDict)) throw new JinjaError('AttributeError', `'${typeName(value)}' object has no attribute 'items'`); // prettier-ignore
  const pairs = value.items().map((pair) => new PyTuple(pair));
  return sortValues(
    rt,
    pairs,
    (pair) => {
      const item = (pair as PyTuple).items[position];
      return truthy(caseSensitive) ? item : lowerIfString(item);
    },
    truthy(reverse),
  );
}

function batch(value: Value, count: number, fill: Value): Value[] {
  const result: Value[][] = [];
  let current: Value[] = [];
  for (const item of iterate(value)) {
    if (current.length === count) {
      result.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) {
    if (fill !== null) while (current.length < count) current.push(fill);
    result.push(current);
  }
  return result;
}

function sliceFilter(value: Value, slices: number, fill: Value): Value {
  const sequence = [...iterate(value)];
  const perSlice = Math.floor(sequence.length / slices);
  const withExtra = sequence.length % slices;
  let offset = 0;
  const result: Value[] = [];
  for (let index = 0; index < slices; index++) {
    const start = offset + index * perSlice;
    if (index < withExtra) offset += 1;
    const end = offset + (index + 1) * perSlice;
    const part = sequence.slice(start, end);
    if (fill !== null && index >= withExtra) part.push(fill);
    result.push(part);
  }
  return iterator('generator', result);
}

function unique(rt: Runtime, value: Value, args: CallArgs): Value {
  const [caseSensitive, attribute] = bind('do_unique', args, [
    ['case_sensitive', false],
    ['attribute', null],
  ]);
  const getter = attrGetter(rt, attribute, truthy(caseSensitive) ? undefined : lowerIfString);
  const seen = new Set<string>();
  const result: Value[] = [];
  for (const item of iterate(value)) {
    const key = hashKey(getter(item));
    if (!seen.has(key)) {
      seen.add(key);
      result.push(item);
    }
  }
  return iterator('generator', result);
}

function first(value: Value): Value {
  const items = iterate(value);
  return items.length > 0 ? items[0] : new PyUndefined(undefined, undefined, 'No first item, sequence was empty.');
}

function last(value: Value): Value {
  if (!isIterable(value)) throw typeError(`'${typeName(value)}' object is not reversible`);
  const items = iterate(value);
  return items.length > 0 ? items.at(-1)! : new PyUndefined(undefined, undefined, 'No last item, sequence was empty.');
}

function reverse(value: Value): Value {
  if (typeof value === 'string' || value instanceof Markup) return [...soft(value)].reverse().join('');
  if (Array.isArray(value) || value instanceof PyTuple || value instanceof PyDict)
    return iterator(Array.isArray(value) ? 'list_reverseiterator' : value instanceof PyTuple ? 'reversed' : 'dict_reversekeyiterator', [...iterate(value)].reverse()); // prettier-ignore
  if (!isIterable(value)) throw filterArgumentError('argument must be iterable');
  return [...iterate(value)].reverse();
}

function toInt(value: Value, fallback: Value, base: number): Value {
  if (value instanceof PyUndefined) throw value.fail();
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return BigInt(value);
  if (typeof value === 'number') return floatToInt(value);
  if (isString(value)) {
    const parsed = parseIntText(textOf(value), base);
    if (parsed !== undefined) return parsed;
    const float = parseFloatText(textOf(value));
    if (float !== undefined) return floatToInt(float);
  }
  return fallback;
}

/** Filters whose positional parameters we bind by name (Jinja2's signature after the value). */
const FILTER_LIST: [string, FilterFunction][] = [
  [
    'abs',
    (rt, value, args) => {
      bind('abs', args, []);
      if (typeof value === 'bigint') return value < 0n ? -value : value;
      if (typeof value === 'boolean') return BigInt(value);
      if (typeof value === 'number') return Math.abs(value);
      throw typeError(`bad operand type for abs(): '${typeName(value)}'`);
    },
  ],
  [
    'attr',
    (rt, value, args) => {
      const [name] = bind('do_attr', args, ['name']);
      if (value instanceof PyUndefined) throw value.fail();
      const attribute = attributeOf(rt, value, soft(name));
      return attribute ?? new PyUndefined(soft(name), { value });
    },
  ],
  [
    'batch',
    (rt, value, args) => {
      const [count, fill] = bind('do_batch', args, ['linecount', ['fill_with', null]]);
      const size = int(count, 'linecount');
      if (size <= 0) throw new JinjaError('ValueError', 'batch size must be positive'); // Python loops forever here
      return iterator('generator', batch(value, size, fill));
    },
  ],
  ['capitalize', (rt, value, args) => (bind('do_capitalize', args, []), pyCapitalize(soft(value)))],
  [
    'center',
    (rt, value, args) => {
      const [width] = bind('do_center', args, [['width', 80n]]);
      const method = attributeOf(rt, soft(value), 'center');
      return rt.call(method!, noArgs([width]));
    },
  ],
  ['count', (rt, value, args) => (bind('do_count', args, []), BigInt(pyLength(value)))],
  [
    'default',
    (rt, value, args) => {
      const [fallback, boolean] = bind('do_default', args, [
        ['default_value', ''],
        ['boolean', false],
      ]);
      if (value instanceof PyUndefined || (truthy(boolean) && !truthy(value))) return fallback;
      return value;
    },
  ],
  ['dictsort', dictsort],
  ['escape', (rt, value, args) => (bind('escape', args, []), escape(value))],
  [
    'filesizeformat',
    (rt, value, args) => filesizeformat(value, truthy(bind('do_filesizeformat', args, [['binary', false]])[0])),
  ],
  ['first', (rt, value, args) => (bind('do_first', args, []), first(value))],
  [
    'float',
    (rt, value, args) => {
      const [fallback] = bind('do_float', args, [['default', 0.0]]);
      if (value instanceof PyUndefined) throw value.fail();
      return toFloatOrUndefined(value) ?? fallback;
    },
  ],
  ['forceescape', (rt, value, args) => (bind('do_forceescape', args, []), new Markup(escapeHtml(soft(value))))],
  [
    'format',
    (rt, value, args) => {
      if (args.positional.length > 0 && args.keywords.size > 0)
        throw filterArgumentError("can't handle positional and keyword arguments at the same time");
      const values = args.keywords.size > 0 ? PyDict.from(args.keywords) : new PyTuple(args.positional);
      return percentFormat(soft(value), values);
    },
  ],
  ['groupby', groupby],
  [
    'indent',
    (rt, value, args) => {
      const [width, firstLine, blank] = bind('do_indent', args, [
        ['width', 4n],
        ['first', false],
        ['blank', false],
      ]);
      return indent(value, width, truthy(firstLine), truthy(blank));
    },
  ],
  [
    'int',
    (rt, value, args) => {
      const [fallback, base] = bind('do_int', args, [
        ['default', 0n],
        ['base', 10n],
      ]);
      return toInt(value, fallback, int(base, 'base'));
    },
  ],
  [
    'items',
    (rt, value, args) => {
      bind('do_items', args, []);
      if (value instanceof PyUndefined) return iterator('generator', []);
      if (!(value instanceof PyDict)) throw typeError('Can only get item pairs from a mapping.');
      return iterator(
        'dict_itemiterator',
        value.items().map((pair) => new PyTuple(pair)),
      );
    },
  ],
  [
    'join',
    (rt, value, args) => {
      const [separator, attribute] = bind('do_join', args, [
        ['d', ''],
        ['attribute', null],
      ]);
      const getter = attrGetter(rt, attribute);
      const items = iterate(value).map((item) => soft(getter(item)));
      return rt.concat('', joinStrings(soft(separator), items));
    },
  ],
  ['last', (rt, value, args) => (bind('do_last', args, []), last(value))],
  ['length', (rt, value, args) => (bind('do_count', args, []), BigInt(pyLength(value)))],
  ['list', (rt, value, args) => (bind('do_list', args, []), [...iterate(value)])],
  ['lower', (rt, value, args) => (bind('do_lower', args, []), soft(value).toLowerCase())],
  ['map', map],
  ['max', (rt, value, args) => minMax(rt, value, args, true)],
  ['min', (rt, value, args) => minMax(rt, value, args, false)],
  ['pprint', (rt, value, args) => (bind('do_pprint', args, []), pformat(value))],
  [
    'random',
    (rt, value, args) => {
      bind('do_random', args, []);
      const items = iterate(value);
      if (items.length === 0) return new PyUndefined(undefined, undefined, 'No random item, sequence was empty.');
      return items[rt.random.int(0, items.length)];
    },
  ],
  ['reject', (rt, value, args) => selectOrReject(rt, value, args, false, false)],
  ['rejectattr', (rt, value, args) => selectOrReject(rt, value, args, true, false)],
  [
    'replace',
    (rt, value, args) => {
      const [old, replacement, count] = bind('do_replace', args, ['old', 'new', ['count', null]]);
      const result = pyReplace(rt, soft(value), soft(old), soft(replacement), count === null ? -1 : int(count, 'count')); // prettier-ignore
      return result;
    },
  ],
  ['reverse', (rt, value, args) => (bind('do_reverse', args, []), reverse(value))],
  [
    'round',
    (rt, value, args) => {
      const [precision, method] = bind('do_round', args, [
        ['precision', 0n],
        ['method', 'common'],
      ]);
      return roundValue(value, int(precision, 'precision'), soft(method));
    },
  ],
  ['safe', (rt, value, args) => (bind('do_mark_safe', args, []), value instanceof Markup ? value : new Markup(soft(value)))], // prettier-ignore
  ['select', (rt, value, args) => selectOrReject(rt, value, args, false, true)],
  ['selectattr', (rt, value, args) => selectOrReject(rt, value, args, true, true)],
  [
    'slice',
    (rt, value, args) => {
      const [slices, fill] = bind('do_slice', args, ['slices', ['fill_with', null]]);
      const count = int(slices, 'slices');
      if (count <= 0) throw new JinjaError('ZeroDivisionError', 'integer division or modulo by zero');
      return sliceFilter(value, count, fill);
    },
  ],
  [
    'sort',
    (rt, value, args) => {
      const [reverseOrder, caseSensitive, attribute] = bind('do_sort', args, [['reverse', false], ['case_sensitive', false], ['attribute', null]]); // prettier-ignore
      // Jinja2 sorts by a list of keys (`attribute='a,b'`), which compares equal undefined keys without failing.
      const getters = (attribute === null ? [null] : soft(attribute).split(',')).map((part) =>
        attrGetter(rt, part, truthy(caseSensitive) ? undefined : lowerIfString),
      );
      return sortValues(rt, [...iterate(value)], (item) => getters.map((getter) => getter(item)), truthy(reverseOrder));
    },
  ],
  ['string', (rt, value, args) => (bind('do_string', args, []), value instanceof Markup ? value : soft(value))],
  [
    'striptags',
    (rt, value, args) => {
      bind('do_striptags', args, []);
      const stripped = soft(value)
        .replace(/<!--[\s\S]*?-->/g, '')
        .replace(/<[\s\S]*?>/g, '')
        .split(/[\s\x1c-\x1f\x85]+/)
        .filter(Boolean)
        .join(' ');
      return unescapeHtml(stripped);
    },
  ],
  ['sum', sumValues],
  ['title', (rt, value, args) => (bind('do_title', args, []), title(soft(value)))],
  [
    'tojson',
    (rt, value, args) => {
      const [indentValue] = bind('do_tojson', args, [['indent', null]]);
      const indentText =
        indentValue === null
          ? undefined
          : isString(indentValue)
            ? textOf(indentValue)
            : ' '.repeat(Math.max(0, int(indentValue, 'indent')));
      return new Markup(htmlSafeJson(toJson(value, indentText, 0)));
    },
  ],
  [
    'trim',
    (rt, value, args) => {
      const [chars] = bind('do_trim', args, [['chars', null]]);
      const method = attributeOf(rt, soft(value), 'strip')!;
      return rt.call(method, noArgs([chars]));
    },
  ],
  [
    'truncate',
    (rt, value, args) => {
      const [length, killwords, end, leeway] = bind('do_truncate', args, [['length', 255n], ['killwords', false], ['end', '...'], ['leeway', null]]); // prettier-ignore
      if (Number(length) < soft(end).length) throw new JinjaError('AssertionError', `expected length >= ${soft(end).length}, got ${length}`); // prettier-ignore
      if (!isString(value)) {
        // Python's len() of the value, then str methods on it: only a short sequence comes back unchanged.
        const size = pyLength(value);
        if (size <= Number(length) + (leeway === null ? 5 : Number(leeway))) return value;
        throw new JinjaError('AttributeError', `'${typeName(value)}' object has no attribute 'rsplit'`);
      }
      return truncate(textOf(value), int(length, 'length'), truthy(killwords), soft(end), leeway === null ? 5 : int(leeway, 'leeway')); // prettier-ignore
    },
  ],
  ['unique', unique],
  ['upper', (rt, value, args) => (bind('do_upper', args, []), soft(value).toUpperCase())],
  [
    'urlencode',
    (rt, value, args) => {
      bind('do_urlencode', args, []);
      if (isString(value) || !isIterable(value)) return urlQuote(value, false);
      const pairs = value instanceof PyDict ? value.items() : iterate(value).map(unpackPair);
      return pairs.map(([key, item]) => `${urlQuote(key, true)}=${urlQuote(item, true)}`).join('&');
    },
  ],
  [
    'urlize',
    (rt, value, args) => {
      const [trimLength, nofollow, target, rel] = bind('do_urlize', args, [['trim_url_limit', null], ['nofollow', false], ['target', null], ['rel', null]]); // prettier-ignore
      return urlize(soft(value), trimLength === null ? undefined : int(trimLength, 'trim_url_limit'), truthy(nofollow), target, rel); // prettier-ignore
    },
  ],
  [
    'wordcount',
    (rt, value, args) => (bind('do_wordcount', args, []), BigInt((soft(value).match(/[\p{L}\p{N}_]+/gu) ?? []).length)),
  ],
  [
    'wordwrap',
    (rt, value, args) => {
      const [width, breakLong, wrapstring, breakOnHyphens] = bind('do_wordwrap', args, [['width', 79n], ['break_long_words', true], ['wrapstring', null], ['break_on_hyphens', true]]); // prettier-ignore
      const separator = wrapstring === null ? '\n' : soft(wrapstring);
      const text = requireText(value, () => new JinjaError('AttributeError', `'${typeName(value)}' object has no attribute 'splitlines'`)); // prettier-ignore
      const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
      if (/(\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])$/.test(text)) lines.pop();
      return lines
        .map((line) => wrapLine(line, int(width, 'width'), truthy(breakLong), truthy(breakOnHyphens)).join(separator))
        .join(separator);
    },
  ],
  ['xmlattr', (rt, value, args) => xmlattr(value, truthy(bind('do_xmlattr', args, [['autospace', true]])[0]))],
];

export const FILTERS = new Map<string, FilterFunction>([
  ...FILTER_LIST,
  ['d', FILTER_LIST.find(([name]) => name === 'default')![1]],
  ['e', FILTER_LIST.find(([name]) => name === 'escape')![1]],
]);

export { bindFull, contains };

for (const name of FILTERS.keys()) KNOWN_NAMES.filters.add(name);
