/**
 * Python's value model for the Jinja2 interpreter. Python values live in JavaScript as:
 * None → null, bool → boolean, int → bigint, float → number, str → string, list → Array, tuple → PyTuple,
 * dict → PyDict (a Map keyed by Python equality), and our own classes for everything else. No JavaScript object
 * other than these is ever handed to a template, and attributes are looked up in our own tables only.
 */
import { exactDecimal } from './numbers';

/** A failure Jinja2 would raise, with its Python exception type. */
export class JinjaError extends Error {
  constructor(
    readonly kind: string,
    message: string,
    /** The undefined name or called function involved, to place the error in the editor. */
    readonly reference?: string,
    /** Offset in the template source, for syntax errors. */
    readonly offset?: number,
  ) {
    super(message);
    this.name = kind;
  }
}

export const typeError = (message: string) => new JinjaError('TypeError', message);
export const valueError = (message: string) => new JinjaError('ValueError', message);

export class PyTuple {
  constructor(
    readonly items: Value[],
    /** Field names of a namedtuple (groupby's results), with its class name. */
    readonly named?: { type: string; fields: string[]; plainRepr?: boolean },
  ) {}
}

export class PyUndefined {
  constructor(
    /** The name (or attribute) that was looked up. */
    readonly name: string | undefined,
    /** The object it was looked up on; absent for a plain undefined name. */
    readonly owner?: { value: Value },
    readonly hint?: string,
  ) {}

  message(): string {
    if (this.hint) return this.hint;
    if (!this.owner) return `'${this.name ?? 'value'}' is undefined`;
    return `${objectTypeRepr(this.owner.value)} has no attribute '${this.name}'`;
  }

  fail(): JinjaError {
    return new JinjaError('UndefinedError', this.message(), this.owner ? undefined : this.name);
  }
}

/** Jinja2's Markup: text marked safe. Without autoescape it prints as its text. */
export class Markup {
  constructor(readonly text: string) {}
}

export interface CallArgs {
  positional: Value[];
  keywords: Map<string, Value>;
}

/** Anything a template can call: globals, filters used as functions, methods, macros. */
export class PyCallable {
  constructor(
    readonly name: string,
    readonly call: (args: CallArgs) => Value,
    /** Python's repr, e.g. `<function env>`. */
    readonly repr: string = `<function ${name}>`,
    /** Attributes a template may read (`macro.name`, `loop.index`). */
    readonly attributes?: (name: string) => Value | undefined,
  ) {}
}

/** An object with attributes only (namespace(), loop, cycler, joiner, macro): attributes come from our own Map. */
export class PyObject {
  constructor(
    readonly type: string,
    readonly attributes: Map<string, Value>,
    readonly reprText: (self: PyObject) => string,
    /** namespace() objects accept `{% set ns.attr = … %}`. */
    readonly assignable = false,
    readonly callable?: (args: CallArgs) => Value,
    /** The items of an iterable object (dict views). */
    readonly items?: Value[],
  ) {}
}

export type Value =
  null | boolean | bigint | number | string | Value[] | PyTuple | PyDict | PyUndefined | Markup | PyCallable | PyObject;

/** A Python dict: insertion-ordered, keyed by Python equality (1 == 1.0 == True). */
export class PyDict {
  private readonly entries = new Map<string, [Value, Value]>();

  static from(pairs: Iterable<[Value, Value]>): PyDict {
    const dict = new PyDict();
    for (const [key, value] of pairs) dict.set(key, value);
    return dict;
  }

  get size(): number {
    return this.entries.size;
  }
  get(key: Value): Value | undefined {
    return this.entries.get(hashKey(key))?.[1];
  }
  has(key: Value): boolean {
    return this.entries.has(hashKey(key));
  }
  set(key: Value, value: Value): void {
    const hash = hashKey(key);
    const existing = this.entries.get(hash);
    // Python keeps the first key object and its position.
    this.entries.set(hash, [existing ? existing[0] : key, value]);
  }
  delete(key: Value): boolean {
    return this.entries.delete(hashKey(key));
  }
  keys(): Value[] {
    return [...this.entries.values()].map(([key]) => key);
  }
  values(): Value[] {
    return [...this.entries.values()].map(([, value]) => value);
  }
  items(): [Value, Value][] {
    return [...this.entries.values()].map(([key, value]) => [key, value]);
  }
  clear(): void {
    this.entries.clear();
  }
}

/** Python's hash identity of a key; unhashable values raise TypeError like Python. */
export function hashKey(key: Value): string {
  if (typeof key === 'string') return `s${key}`;
  if (key === null) return 'N';
  if (typeof key === 'boolean') return key ? 'n1' : 'n0';
  if (typeof key === 'bigint') return `n${key}`;
  if (typeof key === 'number') {
    if (Number.isInteger(key)) return `n${BigInt(key)}`;
    return `f${key}`;
  }
  if (key instanceof PyTuple) return `t${JSON.stringify(key.items.map(hashKey))}`;
  if (key instanceof Markup) return `s${key.text}`;
  if (key instanceof PyUndefined) return 'U';
  if (key instanceof PyCallable || key instanceof PyObject) throw typeError(`unhashable type: '${typeName(key)}'`);
  throw typeError(`unhashable type: '${typeName(key)}'`);
}

export function typeName(value: Value): string {
  if (value === null) return 'NoneType';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'str';
  }
  if (Array.isArray(value)) return 'list';
  if (value instanceof PyTuple) return value.named ? value.named.type : 'tuple';
  if (value instanceof PyDict) return 'dict';
  if (value instanceof PyUndefined) return 'Undefined';
  if (value instanceof Markup) return 'Markup';
  if (value instanceof PyObject) return value.type;
  return 'function';
}

/** Jinja2's object_type_repr: how an undefined attribute's owner is named in errors. */
export function objectTypeRepr(value: Value): string {
  if (value === null) return "'None'";
  if (value instanceof Markup) return "'markupsafe.Markup object'";
  if (value instanceof PyObject) return `'jinja2.utils.${value.type} object'`;
  return `'${typeName(value)} object'`;
}

export function isNumber(value: Value): value is bigint | number | boolean {
  return typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean';
}

export function isString(value: Value): value is string | Markup {
  return typeof value === 'string' || value instanceof Markup;
}

export function textOf(value: string | Markup): string {
  return typeof value === 'string' ? value : value.text;
}

/** markupsafe's escape of text. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&#39;')
    .replace(/"/g, '&#34;');
}

/** Python's truth value. */
export function truthy(value: Value): boolean {
  if (value === null || value instanceof PyUndefined) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'bigint':
      return value !== 0n;
    case 'number':
      return value !== 0;
    case 'string':
      return value !== '';
  }
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof PyTuple) return value.items.length > 0;
  if (value instanceof PyDict) return value.size > 0;
  if (value instanceof Markup) return value.text !== '';
  return true;
}

/** Python's ==. */
export function pyEquals(a: Value, b: Value): boolean {
  if (a instanceof Markup) a = a.text;
  if (b instanceof Markup) b = b.text;
  if (isNumber(a) && isNumber(b)) return numericCompare(a, b) === 0;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a === null || b === null) return a === b;
  if (a instanceof PyUndefined || b instanceof PyUndefined) return a instanceof PyUndefined && b instanceof PyUndefined;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => pyEquals(item, b[i]));
  if (a instanceof PyTuple && b instanceof PyTuple)
    return a.items.length === b.items.length && a.items.every((item, i) => pyEquals(item, b.items[i]));
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.size !== b.size) return false;
    return a.items().every(([key, value]) => b.has(key) && pyEquals(value, b.get(key)!));
  }
  return a === b;
}

/** Compares two numbers of any Python numeric type exactly (NaN compares as unordered: returns NaN). */
export function numericCompare(a: bigint | number | boolean, b: bigint | number | boolean): number {
  const x = typeof a === 'boolean' ? BigInt(a) : a;
  const y = typeof b === 'boolean' ? BigInt(b) : b;
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
  // Mixed int and float: compare exactly, not through a lossy conversion.
  const [float, int, sign] = typeof x === 'number' ? [x, y as bigint, 1] : [y as number, x as bigint, -1];
  if (Number.isNaN(float)) return NaN;
  if (!Number.isFinite(float)) return float > 0 ? sign : -sign;
  const floor = BigInt(Math.floor(float));
  if (floor < int) return -sign;
  if (floor > int) return sign;
  return float === Math.floor(float) ? 0 : sign;
}

/** Python's < for sortable values; raises TypeError for mixed kinds like Python. */
export function pyCompare(a: Value, b: Value, op = '<'): number {
  if (a instanceof PyUndefined && !(b instanceof PyUndefined)) throw a.fail();
  if (b instanceof PyUndefined && !(a instanceof PyUndefined)) throw b.fail();
  if (a instanceof PyUndefined && b instanceof PyUndefined) {
    if (op === '<' || op === '>') throw a.fail();
    return 0;
  }
  if (a instanceof Markup) a = a.text;
  if (b instanceof Markup) b = b.text;
  if (isNumber(a) && isNumber(b)) {
    const result = numericCompare(a, b);
    return Number.isNaN(result) ? 0 : result;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const sequence = (value: Value) =>
    Array.isArray(value) ? value : value instanceof PyTuple ? value.items : undefined;
  const left = sequence(a);
  const right = sequence(b);
  if (left && right && Array.isArray(a) === Array.isArray(b)) {
    for (let i = 0; i < Math.min(left.length, right.length); i++) {
      if (!pyEquals(left[i], right[i])) return pyCompare(left[i], right[i], op);
    }
    return left.length - right.length;
  }
  throw typeError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** Python's str(): what `{{ value }}` prints. */
export function pyStr(value: Value): string {
  if (typeof value === 'string') return value;
  if (value instanceof Markup) return value.text;
  if (value instanceof PyUndefined) return '';
  return pyRepr(value);
}

/** Python's repr(). */
export function pyRepr(value: Value, depth = 0): string {
  if (depth > 100) throw new JinjaError('RecursionError', 'maximum recursion depth exceeded while getting the repr');
  if (value === null) return 'None';
  switch (typeof value) {
    case 'boolean':
      return value ? 'True' : 'False';
    case 'bigint':
      return value.toString();
    case 'number':
      return floatRepr(value);
    case 'string':
      return quoteString(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => pyRepr(item, depth + 1)).join(', ')}]`;
  if (value instanceof PyTuple) {
    const items = value.items.map((item) => pyRepr(item, depth + 1));
    if (value.named && !value.named.plainRepr)
      return `${value.named.type}(${value.named.fields.map((f, i) => `${f}=${items[i]}`).join(', ')})`;
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  if (value instanceof PyDict)
    return `{${value
      .items()
      .map(([key, item]) => `${pyRepr(key, depth + 1)}: ${pyRepr(item, depth + 1)}`)
      .join(', ')}}`;
  if (value instanceof Markup) return `Markup(${quoteString(value.text)})`;
  if (value instanceof PyUndefined) return 'Undefined';
  if (value instanceof PyObject) return value.reprText(value);
  return value.repr;
}

const NOT_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's repr of a str: single quotes unless the text has ' and no ", non-printable characters escaped. */
export function quoteString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let quoted = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') quoted += '\\\\';
    else if (char === quote) quoted += `\\${quote}`;
    else if (char === '\n') quoted += '\\n';
    else if (char === '\r') quoted += '\\r';
    else if (char === '\t') quoted += '\\t';
    else if (char !== ' ' && NOT_PRINTABLE.test(char)) {
      if (code < 0x100) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
      else if (code < 0x10000) quoted += `\\u${code.toString(16).padStart(4, '0')}`;
      else quoted += `\\U${code.toString(16).padStart(8, '0')}`;
    } else quoted += char;
  }
  return quote + quoted + quote;
}

/** Python's float repr: shortest round-trip digits, positional between 1e-4 and 1e16. */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16)
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = value < 0 ? '-' : '';
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction || '0'}`;
}

/** Python's int(float): truncation, refusing inf and nan. */
export function floatToInt(value: number): bigint {
  if (Number.isNaN(value)) throw valueError('cannot convert float NaN to integer');
  if (!Number.isFinite(value)) throw new JinjaError('OverflowError', 'cannot convert float infinity to integer');
  return BigInt(Math.trunc(value));
}

export function toFloat(value: bigint | number | boolean): number {
  if (typeof value === 'number') return value;
  const result = Number(value);
  if (!Number.isFinite(result)) throw new JinjaError('OverflowError', 'int too large to convert to float');
  return result;
}

/** Items of an iterable value, as Python's iter() gives them. */
export function iterate(value: Value): Value[] {
  if (Array.isArray(value)) return value;
  if (value instanceof PyTuple) return value.items;
  if (value instanceof PyDict) return value.keys();
  if (typeof value === 'string') return [...value];
  if (value instanceof Markup) return [...value.text];
  if (value instanceof PyUndefined) return [];
  if (value instanceof PyObject && value.items) return value.items;
  throw typeError(`'${typeName(value)}' object is not iterable`);
}

export function isIterable(value: Value): boolean {
  return (
    Array.isArray(value) ||
    value instanceof PyTuple ||
    value instanceof PyDict ||
    isString(value) ||
    value instanceof PyUndefined ||
    (value instanceof PyObject && value.items !== undefined)
  );
}

export function pyLength(value: Value): number {
  if (typeof value === 'string') return codePointLength(value);
  if (value instanceof Markup) return codePointLength(value.text);
  if (Array.isArray(value)) return value.length;
  if (value instanceof PyTuple) return value.items.length;
  if (value instanceof PyDict) return value.size;
  if (value instanceof PyUndefined) return 0;
  if (value instanceof PyObject && value.items) return value.items.length;
  throw typeError(`object of type '${typeName(value)}' has no len()`);
}

export function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) length--;
  }
  return length;
}

/** A JavaScript value read from YAML or a helper result, as the Python value PyYAML would give. */
export function fromJs(value: unknown): Value {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'number':
      return Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? BigInt(value) : value;
  }
  if (value instanceof Date) return pythonDate(value);
  if (Array.isArray(value)) return value.map(fromJs);
  if (typeof value === 'object') {
    const dict = new PyDict();
    for (const key of Object.keys(value)) dict.set(key, fromJs((value as Record<string, unknown>)[key]));
    return dict;
  }
  return String(value);
}

/** A Python value as plain JavaScript data (for helper function arguments). */
export function toJs(value: Value): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Markup) return value.text;
  if (value instanceof PyUndefined) return undefined;
  if (Array.isArray(value)) return value.map(toJs);
  if (value instanceof PyTuple) return value.items.map(toJs);
  if (value instanceof PyDict) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of value.items())
      Object.defineProperty(result, pyStr(key), { value: toJs(item), enumerable: true, writable: true });
    return result;
  }
  if (value instanceof PyCallable || value instanceof PyObject) return pyRepr(value);
  return value;
}

/** PyYAML loads timestamps as dates; Python prints them like this. */
function pythonDate(date: Date): string {
  const iso = date.toISOString();
  return date.getTime() % 86_400_000 === 0 ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Python's round(x, ndigits) for floats: the exact binary value rounded half to even. */
export function roundFloat(value: number, digits: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  if (digits > 308) return value;
  const { digits: mantissa, exponent, negative } = exactDecimal(value);
  // value = 0.mantissa × 10^exponent; keep `exponent + digits` digits.
  const keep = exponent + digits;
  if (keep < 0) return negative ? -0 : 0;
  if (keep >= mantissa.length) return value;
  let kept = mantissa.slice(0, keep) === '' ? 0n : BigInt(mantissa.slice(0, keep));
  const rest = mantissa.slice(keep);
  const half = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || kept % 2n === 1n));
  if (half) kept += 1n;
  const result = Number(`${kept}e${exponent - keep}`);
  return negative ? -result : result;
}
