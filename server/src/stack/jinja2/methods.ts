/* eslint-disable no-control-regex -- Python counts \x1c-\x1f and \x85 as whitespace and line breaks, and so must we. */
/**
 * Attributes a template can read: the methods of str, list, dict, tuple, int and float (Python's built-in
 * methods), the attributes of our own objects, and namedtuple fields. Nothing else is reachable.
 */
import { bind } from './bind';
import { strFormat } from './format';
import type { Runtime } from './runtime';
import { sliceItems } from './runtime';
import {
  CallArgs,
  escapeHtml,
  floatToInt,
  isString,
  iterate,
  JinjaError,
  Markup,
  pyCompare,
  pyEquals,
  PyCallable,
  PyDict,
  PyObject,
  pyRepr,
  pyStr,
  PyTuple,
  PyUndefined,
  textOf,
  typeError,
  typeName,
  Value,
  valueError,
} from './values';

type Method = (rt: Runtime, self: Value, args: CallArgs) => Value;

function method(owner: Value, name: string, body: Method, rt: Runtime): PyCallable {
  return new PyCallable(
    name,
    (args) => body(rt, owner, args),
    `<built-in method ${name} of ${typeName(owner)} object>`,
  );
}

export function attributeOf(rt: Runtime, owner: Value, name: string): Value | undefined {
  // Python's private and special names are never exposed.
  if (name.startsWith('_')) return undefined;
  let table: Map<string, Method> | undefined;
  if (owner instanceof Markup) {
    const body = STR_METHODS.get(name);
    return body && method(owner, name, (runtime, self, args) => markupCall(runtime, self as Markup, name, body, args), rt); // prettier-ignore
  }
  if (typeof owner === 'string') table = STR_METHODS;
  else if (Array.isArray(owner)) table = LIST_METHODS;
  else if (owner instanceof PyDict) table = DICT_METHODS;
  else if (owner instanceof PyTuple) {
    const field = owner.named?.fields.indexOf(name) ?? -1;
    if (field >= 0) return owner.items[field];
    table = TUPLE_METHODS;
  } else if (typeof owner === 'bigint' || typeof owner === 'boolean') {
    if (name === 'real' || name === 'numerator') return BigInt(owner);
    if (name === 'imag') return 0n;
    if (name === 'denominator') return 1n;
    table = INT_METHODS;
  } else if (typeof owner === 'number') {
    if (name === 'real') return owner;
    if (name === 'imag') return 0;
    table = FLOAT_METHODS;
  } else if (owner instanceof PyObject) return owner.attributes.get(name);
  else if (owner instanceof PyCallable) return owner.attributes?.(name);
  const body = table?.get(name);
  return body ? method(owner, name, body, rt) : undefined;
}

/** Markup's str methods escape their text arguments and return Markup (markupsafe's behaviour). */
function markupCall(rt: Runtime, self: Markup, name: string, body: Method, args: CallArgs): Value {
  const escapeArgument = (value: Value): Value => (typeof value === 'string' ? new Markup(escapeHtml(value)) : value);
  let positional = args.positional;
  if (name === 'join') positional = [iterate(positional[0] ?? null).map(escapeArgument)];
  else if (MARKUP_ESCAPING.has(name)) positional = positional.map(escapeArgument);
  const keywords = new Map([...args.keywords].map(([key, value]) => [key, MARKUP_ESCAPING.has(name) ? escapeArgument(value) : value])); // prettier-ignore
  const result = body(rt, self, { positional, keywords });
  const wrap = (value: Value): Value => (typeof value === 'string' ? new Markup(value) : value);
  if (typeof result === 'string') return new Markup(result);
  if (Array.isArray(result)) return result.map(wrap);
  if (result instanceof PyTuple) return new PyTuple(result.items.map(wrap));
  return result;
}

const MARKUP_ESCAPING = new Set(['format', 'replace', 'ljust', 'rjust', 'lstrip', 'rstrip', 'center', 'strip', 'partition', 'rpartition', 'split', 'rsplit', 'removeprefix', 'removesuffix']); // prettier-ignore

// ---------------------------------------------------------------------------------------------------------------
// str

function str(value: Value, methodName: string, position = 1): string {
  if (typeof value === 'string') return value;
  if (value instanceof Markup) return value.text;
  throw typeError(`${methodName}() argument ${position} must be str, not ${typeName(value)}`);
}

function int(value: Value, what = 'an integer'): number {
  if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
  throw typeError(`'${typeName(value)}' object cannot be interpreted as ${what}`);
}

function optionalIndex(value: Value | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  return int(value);
}

const WHITESPACE = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g;

function stripChars(text: string, chars: Value, left: boolean, right: boolean, name: string): string {
  if (chars === null) {
    let result = text;
    if (left) result = result.replace(/^[\s\x1c-\x1f\x85]+/, '');
    if (right) result = result.replace(/[\s\x1c-\x1f\x85]+$/, '');
    return result;
  }
  const set = new Set(str(chars, name));
  const points = [...text];
  let start = 0;
  let end = points.length;
  if (left) while (start < end && set.has(points[start])) start++;
  if (right) while (end > start && set.has(points[end - 1])) end--;
  return points.slice(start, end).join('');
}

function splitWhitespace(text: string, maxsplit: number, fromRight: boolean): string[] {
  const isSpace = (char: string) => /[\s\x1c-\x1f\x85]/.test(char);
  const chars = fromRight ? [...text].reverse() : [...text];
  const result: string[] = [];
  let position = 0;
  let remaining = maxsplit < 0 ? Infinity : maxsplit;
  while (position < chars.length && isSpace(chars[position])) position++;
  while (position < chars.length && remaining-- > 0) {
    const start = position;
    while (position < chars.length && !isSpace(chars[position])) position++;
    result.push(chars.slice(start, position).join(''));
    while (position < chars.length && isSpace(chars[position])) position++;
  }
  if (position < chars.length) result.push(chars.slice(position).join(''));
  if (!fromRight) return result;
  return result.map((part) => [...part].reverse().join('')).reverse();
}

function split(text: string, sep: Value, maxsplitValue: Value, fromRight: boolean): string[] {
  const maxsplit = int(maxsplitValue);
  if (sep === null) return splitWhitespace(text, maxsplit, fromRight);
  const separator = str(sep, fromRight ? 'rsplit' : 'split');
  if (separator === '') throw valueError('empty separator');
  const parts = text.split(separator);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  if (!fromRight) return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(separator)];
  return [parts.slice(0, parts.length - maxsplit).join(separator), ...parts.slice(parts.length - maxsplit)];
}

/** Python's index normalisation for find/count/startswith's start and end. */
function range(text: string, start: Value | undefined, end: Value | undefined): [number, number] {
  const length = text.length;
  const clamp = (value: number | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const index = value < 0 ? value + length : value;
    return Math.min(Math.max(index, 0), length);
  };
  return [clamp(optionalIndex(start), 0), clamp(optionalIndex(end), length)];
}

function find(text: string, sub: string, start: Value | undefined, end: Value | undefined, last: boolean): number {
  const [from, to] = range(text, start, end);
  if (to - from < sub.length || from > text.length) return -1;
  const window = text.slice(from, to);
  const index = last ? window.lastIndexOf(sub) : window.indexOf(sub);
  return index < 0 ? -1 : from + index;
}

function prefixes(value: Value, name: string): string[] {
  if (value instanceof PyTuple) return value.items.map((item) => str(item, name));
  if (isString(value)) return [textOf(value)];
  throw typeError(`${name} first arg must be str or a tuple of str, not ${typeName(value)}`);
}

/** CPython's padding split for center(). */
function center(text: string, width: number, fill: string): string {
  const length = [...text].length;
  if (width <= length) return text;
  const margin = width - length;
  const left = Math.floor(margin / 2) + (margin & width & 1);
  return fill.repeat(left) + text + fill.repeat(margin - left);
}

function fillChar(value: Value, name: string): string {
  const text = str(value, name, 2);
  if ([...text].length !== 1) throw typeError('The fill character must be exactly one character long');
  return text;
}

export function pyTitle(text: string): string {
  let previousCased = false;
  let result = '';
  for (const char of text) {
    const cased = char.toLowerCase() !== char.toUpperCase();
    result += cased ? (previousCased ? char.toLowerCase() : char.toUpperCase()) : char;
    previousCased = cased;
  }
  return result;
}

export function pyCapitalize(text: string): string {
  const [first = '', ...rest] = [...text];
  return first.toUpperCase() + rest.join('').toLowerCase();
}

function isCased(char: string): boolean {
  return char.toLowerCase() !== char.toUpperCase();
}

function splitLines(text: string, keepEnds: boolean): string[] {
  const lines: string[] = [];
  const pattern = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    lines.push(text.slice(last, keepEnds ? match.index + match[0].length : match.index));
    last = match.index + match[0].length;
  }
  if (last < text.length) lines.push(text.slice(last));
  return lines;
}

export function joinStrings(separator: string, items: Value[]): string {
  return items
    .map((item, index) => {
      if (!isString(item)) throw typeError(`sequence item ${index}: expected str instance, ${typeName(item)} found`);
      return textOf(item);
    })
    .join(separator);
}

const s = (self: Value) => textOf(self as string | Markup);

const STR_METHODS = new Map<string, Method>([
  ['upper', (rt, self, args) => (bind('upper', args, [], { positionalOnly: true }), s(self).toUpperCase())],
  ['lower', (rt, self, args) => (bind('lower', args, [], { positionalOnly: true }), s(self).toLowerCase())],
  ['casefold', (rt, self, args) => (bind('casefold', args, [], { positionalOnly: true }), s(self).toLowerCase())],
  ['title', (rt, self, args) => (bind('title', args, [], { positionalOnly: true }), pyTitle(s(self)))],
  ['capitalize', (rt, self, args) => (bind('capitalize', args, [], { positionalOnly: true }), pyCapitalize(s(self)))],
  [
    'swapcase',
    (rt, self, args) => {
      bind('swapcase', args, [], { positionalOnly: true });
      return [...s(self)].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    },
  ],
  ['strip', (rt, self, args) => stripChars(s(self), bind('strip', args, [['chars', null]], { positionalOnly: true })[0], true, true, 'strip')], // prettier-ignore
  ['lstrip', (rt, self, args) => stripChars(s(self), bind('lstrip', args, [['chars', null]], { positionalOnly: true })[0], true, false, 'lstrip')], // prettier-ignore
  ['rstrip', (rt, self, args) => stripChars(s(self), bind('rstrip', args, [['chars', null]], { positionalOnly: true })[0], false, true, 'rstrip')], // prettier-ignore
  [
    'split',
    (rt, self, args) => {
      const [sep, maxsplit] = bind('split', args, [
        ['sep', null],
        ['maxsplit', -1n],
      ]);
      return split(s(self), sep, maxsplit, false);
    },
  ],
  [
    'rsplit',
    (rt, self, args) => {
      const [sep, maxsplit] = bind('rsplit', args, [
        ['sep', null],
        ['maxsplit', -1n],
      ]);
      return split(s(self), sep, maxsplit, true);
    },
  ],
  ['splitlines', (rt, self, args) => splitLines(s(self), !!bind('splitlines', args, [['keepends', false]])[0])],
  [
    'join',
    (rt, self, args) => {
      const [iterable] = bind('join', args, ['iterable'], { positionalOnly: true });
      return rt.concat('', joinStrings(s(self), iterate(iterable)));
    },
  ],
  [
    'replace',
    (rt, self, args) => {
      const [old, replacement, count] = bind('replace', args, ['old', 'new', ['count', -1n]], { positionalOnly: true }); // prettier-ignore
      return pyReplace(rt, s(self), str(old, 'replace'), str(replacement, 'replace', 2), int(count));
    },
  ],
  [
    'count',
    (rt, self, args) => {
      const [sub, start, end] = bind('count', args, ['sub', ['start', null], ['end', null]], { positionalOnly: true }); // prettier-ignore
      const text = s(self);
      const [from, to] = range(text, start, end);
      const needle = str(sub, 'count');
      if (from > to) return 0n;
      const window = text.slice(from, to);
      if (needle === '') return BigInt([...window].length + 1);
      return BigInt(window.split(needle).length - 1);
    },
  ],
  ...(['find', 'rfind', 'index', 'rindex'] as const).map((name): [string, Method] => [
    name,
    (rt, self, args) => {
      const [sub, start, end] = bind(name, args, ['sub', ['start', null], ['end', null]], { positionalOnly: true });
      const found = find(s(self), str(sub, name), start, end, name.startsWith('r'));
      if (found < 0 && name.endsWith('index')) throw valueError('substring not found');
      return BigInt(found);
    },
  ]),
  ...(['startswith', 'endswith'] as const).map((name): [string, Method] => [
    name,
    (rt, self, args) => {
      const [prefix, start, end] = bind(name, args, ['prefix', ['start', null], ['end', null]], { positionalOnly: true }); // prettier-ignore
      const text = s(self);
      const [from, to] = range(text, start, end);
      const window = from <= to ? text.slice(from, to) : undefined;
      if (window === undefined) return false;
      return prefixes(prefix, name).some((candidate) =>
        name === 'startswith' ? window.startsWith(candidate) : window.endsWith(candidate),
      );
    },
  ]),
  [
    'zfill',
    (rt, self, args) => {
      const [width] = bind('zfill', args, ['width'], { positionalOnly: true });
      const text = s(self);
      const target = int(width);
      const sign = text[0] === '-' || text[0] === '+' ? text[0] : '';
      return sign + text.slice(sign.length).padStart(target - sign.length, '0');
    },
  ],
  ...(['ljust', 'rjust', 'center'] as const).map((name): [string, Method] => [
    name,
    (rt, self, args) => {
      const [width, fill] = bind(name, args, ['width', ['fillchar', ' ']], { positionalOnly: true });
      const text = s(self);
      const target = int(width);
      if (target > rt.limits.outputLength) throw new JinjaError('MemoryError', 'the padded string is too long');
      const char = fillChar(fill, name);
      const padding = Math.max(0, target - [...text].length);
      if (name === 'ljust') return text + char.repeat(padding);
      if (name === 'rjust') return char.repeat(padding) + text;
      return center(text, target, char);
    },
  ]),
  [
    'expandtabs',
    (rt, self, args) => {
      const size = int(bind('expandtabs', args, [['tabsize', 8n]])[0]);
      let column = 0;
      let result = '';
      for (const char of s(self)) {
        if (char === '\t') {
          const spaces = size > 0 ? size - (column % size) : 0;
          result += ' '.repeat(spaces);
          column += spaces;
        } else {
          result += char;
          column = char === '\n' || char === '\r' ? 0 : column + 1;
        }
      }
      return result;
    },
  ],
  ...(['partition', 'rpartition'] as const).map((name): [string, Method] => [
    name,
    (rt, self, args) => {
      const [sep] = bind(name, args, ['sep'], { positionalOnly: true });
      const separator = str(sep, name);
      if (separator === '') throw valueError('empty separator');
      const text = s(self);
      const at = name === 'partition' ? text.indexOf(separator) : text.lastIndexOf(separator);
      if (at < 0) return new PyTuple(name === 'partition' ? [text, '', ''] : ['', '', text]);
      return new PyTuple([text.slice(0, at), separator, text.slice(at + separator.length)]);
    },
  ]),
  [
    'removeprefix',
    (rt, self, args) => {
      const prefix = str(bind('removeprefix', args, ['prefix'], { positionalOnly: true })[0], 'removeprefix');
      const text = s(self);
      return prefix !== '' && text.startsWith(prefix) ? text.slice(prefix.length) : text;
    },
  ],
  [
    'removesuffix',
    (rt, self, args) => {
      const suffix = str(bind('removesuffix', args, ['suffix'], { positionalOnly: true })[0], 'removesuffix');
      const text = s(self);
      return suffix !== '' && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
    },
  ],
  [
    'format',
    (rt, self, args) =>
      rt.concat('', strFormat(s(self), args.positional, args.keywords, (value, key, kind) => formatLookup(rt, value, key, kind))), // prettier-ignore
  ],
  [
    'format_map',
    (rt, self, args) => {
      const [mapping] = bind('format_map', args, ['mapping'], { positionalOnly: true });
      if (!(mapping instanceof PyDict)) throw typeError(`'${typeName(mapping)}' object is not subscriptable`);
      const keywords = new Map(mapping.items().map(([key, value]) => [pyStr(key), value]));
      return strFormat(s(self), [], keywords, (value, key, kind) => formatLookup(rt, value, key, kind));
    },
  ],
  ['isdigit', predicate('isdigit', /^[\p{Nd}\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089]+$/u)],
  ['isdecimal', predicate('isdecimal', /^\p{Nd}+$/u)],
  ['isnumeric', predicate('isnumeric', /^[\p{Nd}\p{Nl}\p{No}]+$/u)],
  ['isalpha', predicate('isalpha', /^[\p{L}\p{Lm}]+$/u)],
  ['isalnum', predicate('isalnum', /^[\p{L}\p{Nd}\p{Nl}\p{No}]+$/u)],
  ['isascii', (rt, self, args) => (bind('isascii', args, []), /^[\x00-\x7f]*$/.test(s(self)))],
  ['isspace', predicate('isspace', /^[\s\x1c-\x1f\x85]+$/)],
  ['isidentifier', predicate('isidentifier', /^[\p{L}_][\p{L}\p{N}_]*$/u)],
  ['isprintable', (rt, self, args) => (bind('isprintable', args, []), !/[\p{C}\p{Zl}\p{Zp}]|[^\S ]/u.test(s(self)))],
  [
    'islower',
    (rt, self, args) => {
      bind('islower', args, []);
      const text = s(self);
      return [...text].some(isCased) && text === text.toLowerCase();
    },
  ],
  [
    'isupper',
    (rt, self, args) => {
      bind('isupper', args, []);
      const text = s(self);
      return [...text].some(isCased) && text === text.toUpperCase();
    },
  ],
  [
    'istitle',
    (rt, self, args) => {
      bind('istitle', args, []);
      const text = s(self);
      return [...text].some(isCased) && pyTitle(text) === text;
    },
  ],
  [
    'encode',
    () => {
      throw typeError('bytes are not supported in WindFlow templates');
    },
  ],
]);

function predicate(name: string, pattern: RegExp): Method {
  return (rt, self, args) => {
    bind(name, args, [], { positionalOnly: true });
    return pattern.test(s(self));
  };
}

export function pyReplace(rt: Runtime, text: string, old: string, replacement: string, count: number): string {
  let result: string;
  if (old === '') {
    const chars = [...text];
    const limit = count < 0 ? chars.length + 1 : Math.min(count, chars.length + 1);
    if ((chars.length + 1) * replacement.length > rt.limits.outputLength)
      throw new JinjaError('MemoryError', 'the replaced string is too long');
    result = '';
    for (let i = 0; i < chars.length; i++) result += (i < limit ? replacement : '') + chars[i];
    if (limit > chars.length) result += replacement;
    return result;
  }
  const parts = text.split(old);
  if ((parts.length - 1) * replacement.length > rt.limits.outputLength)
    throw new JinjaError('MemoryError', 'the replaced string is too long');
  if (count < 0 || count >= parts.length - 1) return parts.join(replacement);
  return parts.slice(0, count + 1).join(replacement) + old + parts.slice(count + 1).join(old);
}

function formatLookup(rt: Runtime, value: Value, key: string, kind: 'attribute' | 'item'): Value {
  if (kind === 'attribute') {
    const attribute = key.startsWith('_') ? undefined : attributeOf(rt, value, key);
    if (attribute === undefined)
      throw new JinjaError('AttributeError', `'${typeName(value)}' object has no attribute '${key}'`);
    return attribute;
  }
  // Python's format treats an all-digit item key as an int, anything else as a str.
  const index: Value = /^\d+$/.test(key) ? BigInt(key) : key;
  if (value instanceof PyDict) {
    const item = value.get(index);
    if (item === undefined) throw new JinjaError('KeyError', pyRepr(index));
    return item;
  }
  const items = Array.isArray(value) ? value : value instanceof PyTuple ? value.items : undefined;
  if (items && typeof index === 'bigint') {
    if (index >= BigInt(items.length)) throw new JinjaError('IndexError', `${typeName(value)} index out of range`);
    return items[Number(index)];
  }
  if (items) throw typeError(`${typeName(value)} indices must be integers or slices, not str`);
  throw typeError(`'${typeName(value)}' object is not subscriptable`);
}

// ---------------------------------------------------------------------------------------------------------------
// list, tuple, dict, numbers

function indexIn(items: Value[], args: CallArgs, name: string): bigint {
  const [value, start, end] = bind(name, args, ['value', ['start', null], ['stop', null]], { positionalOnly: true });
  const window = sliceItems(items, optionalIndex(start), optionalIndex(end));
  const offset = start === null ? 0 : sliceOffset(items.length, optionalIndex(start)!);
  const found = window.findIndex((item) => pyEquals(item, value));
  if (found < 0) throw valueError(`${pyRepr(value)} is not in ${name === 'index' ? 'list' : 'tuple'}`);
  return BigInt(found + offset);
}

function sliceOffset(length: number, start: number): number {
  return Math.min(Math.max(start < 0 ? start + length : start, 0), length);
}

function countIn(items: Value[], args: CallArgs): bigint {
  const [value] = bind('count', args, ['value'], { positionalOnly: true });
  return BigInt(items.filter((item) => pyEquals(item, value)).length);
}

export function sortValues(rt: Runtime, items: Value[], key: (item: Value) => Value, reverse: boolean): Value[] {
  const keyed = items.map((item) => ({ item, key: key(item) }));
  // Python's sort is stable and reverse keeps equal items in their order.
  const sorted = keyed.sort((a, b) => (reverse ? pyCompare(b.key, a.key) : pyCompare(a.key, b.key)));
  return sorted.map(({ item }) => item);
}

const LIST_METHODS = new Map<string, Method>([
  [
    'append',
    (rt, self, args) => {
      const [value] = bind('append', args, ['object'], { positionalOnly: true });
      (self as Value[]).push(value);
      return null;
    },
  ],
  [
    'extend',
    (rt, self, args) => {
      const [iterable] = bind('extend', args, ['iterable'], { positionalOnly: true });
      (self as Value[]).push(...iterate(iterable));
      return null;
    },
  ],
  [
    'insert',
    (rt, self, args) => {
      const [index, value] = bind('insert', args, ['index', 'object'], { positionalOnly: true });
      const list = self as Value[];
      list.splice(sliceOffset(list.length, int(index)), 0, value);
      return null;
    },
  ],
  [
    'pop',
    (rt, self, args) => {
      const [index] = bind('pop', args, [['index', -1n]], { positionalOnly: true });
      const list = self as Value[];
      if (list.length === 0) throw new JinjaError('IndexError', 'pop from empty list');
      let at = int(index);
      if (at < 0) at += list.length;
      if (at < 0 || at >= list.length) throw new JinjaError('IndexError', 'pop index out of range');
      return list.splice(at, 1)[0];
    },
  ],
  [
    'remove',
    (rt, self, args) => {
      const [value] = bind('remove', args, ['value'], { positionalOnly: true });
      const list = self as Value[];
      const at = list.findIndex((item) => pyEquals(item, value));
      if (at < 0) throw valueError('list.remove(x): x not in list');
      list.splice(at, 1);
      return null;
    },
  ],
  ['clear', (rt, self, args) => (bind('clear', args, []), (self as Value[]).splice(0), null)],
  ['copy', (rt, self, args) => (bind('copy', args, []), [...(self as Value[])])],
  ['reverse', (rt, self, args) => (bind('reverse', args, []), (self as Value[]).reverse(), null)],
  ['count', (rt, self, args) => countIn(self as Value[], args)],
  ['index', (rt, self, args) => indexIn(self as Value[], args, 'index')],
  [
    'sort',
    (rt, self, args) => {
      const [key, reverse] = bind('sort', args, [
        ['key', null],
        ['reverse', false],
      ]);
      if (args.positional.length > 0) throw typeError('sort() takes no positional arguments');
      const list = self as Value[];
      const sorted = sortValues(rt, list, (item) => (key === null ? item : rt.call(key, { positional: [item], keywords: new Map() })), !!reverse); // prettier-ignore
      list.splice(0, list.length, ...sorted);
      return null;
    },
  ],
]);

const TUPLE_METHODS = new Map<string, Method>([
  ['count', (rt, self, args) => countIn((self as PyTuple).items, args)],
  ['index', (rt, self, args) => indexIn((self as PyTuple).items, args, 'tuple.index')],
]);

export function dictView(kind: 'dict_keys' | 'dict_values' | 'dict_items', items: Value[]): PyObject {
  return new PyObject(
    kind,
    new Map(),
    () => `${kind}([${items.map((item) => pyRepr(item)).join(', ')}])`,
    false,
    undefined,
    items,
  );
}

const DICT_METHODS = new Map<string, Method>([
  ['keys', (rt, self, args) => (bind('keys', args, []), dictView('dict_keys', (self as PyDict).keys()))],
  ['values', (rt, self, args) => (bind('values', args, []), dictView('dict_values', (self as PyDict).values()))],
  [
    'items',
    (rt, self, args) => {
      bind('items', args, []);
      return dictView(
        'dict_items',
        (self as PyDict).items().map((pair) => new PyTuple(pair)),
      );
    },
  ],
  [
    'get',
    (rt, self, args) => {
      const [key, fallback] = bind('get', args, ['key', ['default', null]], { positionalOnly: true });
      return (self as PyDict).get(key) ?? fallback;
    },
  ],
  [
    'pop',
    (rt, self, args) => {
      const dict = self as PyDict;
      const [key] = bind('pop', { positional: args.positional.slice(0, 1), keywords: args.keywords }, ['key'], { positionalOnly: true }); // prettier-ignore
      const value = dict.get(key);
      if (value === undefined) {
        if (args.positional.length > 1) return args.positional[1];
        throw new JinjaError('KeyError', pyRepr(key));
      }
      dict.delete(key);
      return value;
    },
  ],
  [
    'setdefault',
    (rt, self, args) => {
      const [key, fallback] = bind('setdefault', args, ['key', ['default', null]], { positionalOnly: true });
      const dict = self as PyDict;
      if (!dict.has(key)) dict.set(key, fallback);
      return dict.get(key)!;
    },
  ],
  [
    'update',
    (rt, self, args) => {
      const dict = self as PyDict;
      if (args.positional.length > 1) throw typeError(`update expected at most 1 argument, got ${args.positional.length}`); // prettier-ignore
      const [other] = args.positional;
      if (other instanceof PyDict) for (const [key, value] of other.items()) dict.set(key, value);
      else if (other !== undefined)
        for (const pair of iterate(other)) {
          const items = iterate(pair);
          if (items.length !== 2) throw valueError(`dictionary update sequence element #0 has length ${items.length}; 2 is required`); // prettier-ignore
          dict.set(items[0], items[1]);
        }
      for (const [key, value] of args.keywords) dict.set(key, value);
      return null;
    },
  ],
  ['clear', (rt, self, args) => (bind('clear', args, []), (self as PyDict).clear(), null)],
  ['copy', (rt, self, args) => (bind('copy', args, []), PyDict.from((self as PyDict).items()))],
  [
    'popitem',
    (rt, self, args) => {
      bind('popitem', args, []);
      const dict = self as PyDict;
      const last = dict.items().at(-1);
      if (!last) throw new JinjaError('KeyError', "'popitem(): dictionary is empty'");
      dict.delete(last[0]);
      return new PyTuple(last);
    },
  ],
]);

const INT_METHODS = new Map<string, Method>([
  [
    'bit_length',
    (rt, self, args) => {
      bind('bit_length', args, []);
      const value = BigInt(self as bigint | boolean);
      return value === 0n ? 0n : BigInt((value < 0n ? -value : value).toString(2).length);
    },
  ],
  ['conjugate', (rt, self, args) => (bind('conjugate', args, []), BigInt(self as bigint | boolean))],
]);

const FLOAT_METHODS = new Map<string, Method>([
  ['is_integer', (rt, self, args) => (bind('is_integer', args, []), Number.isInteger(self as number))],
  ['conjugate', (rt, self, args) => (bind('conjugate', args, []), self)],
]);

export { floatToInt, PyUndefined, WHITESPACE };
