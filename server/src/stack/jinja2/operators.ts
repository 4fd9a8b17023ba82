/** Python's arithmetic, comparison and membership operators on our value model. */
import { percentFormat } from './format';
import {
  floatToInt,
  isNumber,
  isIterable,
  isString,
  iterate,
  JinjaError,
  Markup,
  numericCompare,
  pyCompare,
  pyEquals,
  PyDict,
  PyTuple,
  PyUndefined,
  textOf,
  toFloat,
  typeError,
  typeName,
  Value,
} from './values';

/** Sizes beyond which an operation is refused instead of exhausting memory. */
export interface SizeLimits {
  outputLength: number;
  /** Bits of the largest int an operation may create. */
  intBits: number;
}

const zeroDivision = (message: string) => new JinjaError('ZeroDivisionError', message);

function asInt(value: bigint | boolean): bigint {
  return typeof value === 'boolean' ? BigInt(value) : value;
}

function unsupported(op: string, a: Value, b: Value): JinjaError {
  return typeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? quotient - 1n : quotient; // prettier-ignore
}

function pyMod(a: bigint, b: bigint): bigint {
  const rest = a % b;
  return rest !== 0n && rest < 0n !== b < 0n ? rest + b : rest;
}

function floatMod(a: number, b: number): number {
  const rest = a % b;
  if (rest === 0) return b < 0 ? -0 : 0;
  return rest < 0 !== b < 0 ? rest + b : rest;
}

function bitLength(value: bigint): number {
  return (value < 0n ? -value : value).toString(2).length;
}

function repeat(sequence: Value, times: Value, limits: SizeLimits): Value {
  const count = typeof times === 'boolean' ? Number(times) : Number(times as bigint);
  if (Math.abs(count) > Number.MAX_SAFE_INTEGER)
    throw new JinjaError('OverflowError', "cannot fit 'int' into an index-sized integer");
  const n = Math.max(0, count);
  if (typeof sequence === 'string' || sequence instanceof Markup) {
    const text = textOf(sequence);
    if (text.length * n > limits.outputLength)
      throw new JinjaError('MemoryError', `the repeated string would be longer than ${limits.outputLength} characters`);
    const result = text.repeat(n);
    return sequence instanceof Markup ? new Markup(result) : result;
  }
  const items = Array.isArray(sequence) ? sequence : (sequence as PyTuple).items;
  if (items.length * n > limits.outputLength)
    throw new JinjaError('MemoryError', `the repeated list would have more than ${limits.outputLength} items`);
  const result: Value[] = [];
  for (let i = 0; i < n; i++) result.push(...items);
  return Array.isArray(sequence) ? result : new PyTuple(result);
}

function isSequence(value: Value): boolean {
  return Array.isArray(value) || value instanceof PyTuple || isString(value);
}

/** `a <op> b` for + - * / // % **. */
export function binaryOperation(op: string, a: Value, b: Value, limits: SizeLimits): Value {
  // str % Undefined formats like any other argument (Undefined prints as '').
  if (op === '%' && isString(a) && b instanceof PyUndefined) return percentFormat(textOf(a), b);
  if (a instanceof PyUndefined) throw a.fail();
  if (b instanceof PyUndefined) throw b.fail();
  if (isNumber(a) && isNumber(b)) return numeric(op, a, b, limits);
  switch (op) {
    case '+':
      if (isString(a) && isString(b)) {
        const text = textOf(a) + textOf(b);
        if (text.length > limits.outputLength)
          throw new JinjaError('MemoryError', `the string would be longer than ${limits.outputLength} characters`);
        return a instanceof Markup || b instanceof Markup ? new Markup(text) : text;
      }
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      if (a instanceof PyTuple && b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
      if (typeof a === 'string') throw typeError(`can only concatenate str (not "${typeName(b)}") to str`);
      if (Array.isArray(a)) throw typeError(`can only concatenate list (not "${typeName(b)}") to list`);
      if (a instanceof PyTuple) throw typeError(`can only concatenate tuple (not "${typeName(b)}") to tuple`);
      throw unsupported('+', a, b);
    case '*':
      if (isSequence(a) && (typeof b === 'bigint' || typeof b === 'boolean')) return repeat(a, b, limits);
      if (isSequence(b) && (typeof a === 'bigint' || typeof a === 'boolean')) return repeat(b, a, limits);
      if (isSequence(a) || isSequence(b)) {
        const other = isSequence(a) ? b : a;
        throw typeError(`can't multiply sequence by non-int of type '${typeName(other)}'`);
      }
      throw unsupported('*', a, b);
    case '%':
      if (isString(a)) {
        const text = percentFormat(textOf(a), b);
        return a instanceof Markup ? new Markup(text) : text;
      }
      throw unsupported('%', a, b);
    case '**':
      throw unsupported('** or pow()', a, b);
    default:
      throw unsupported(op, a, b);
  }
}

function numeric(op: string, a: bigint | number | boolean, b: bigint | number | boolean, limits: SizeLimits): Value {
  if (typeof a !== 'number' && typeof b !== 'number') {
    const x = asInt(a);
    const y = asInt(b);
    switch (op) {
      case '+':
        return checkBits(x + y, limits);
      case '-':
        return checkBits(x - y, limits);
      case '*':
        if (bitLength(x) + bitLength(y) > limits.intBits) throw tooLarge(limits);
        return x * y;
      case '/':
        if (y === 0n) throw zeroDivision('division by zero');
        return intTrueDivide(x, y);
      case '//':
        if (y === 0n) throw zeroDivision('integer division or modulo by zero');
        return floorDiv(x, y);
      case '%':
        if (y === 0n) throw zeroDivision('integer modulo by zero');
        return pyMod(x, y);
      case '**':
        if (y < 0n) {
          if (x === 0n) throw zeroDivision('0.0 cannot be raised to a negative power');
          return Math.pow(Number(x), Number(y));
        }
        if (x === 0n || x === 1n) return y === 0n ? 1n : x;
        if (x === -1n) return y % 2n === 0n ? 1n : -1n;
        if (BigInt(bitLength(x)) * y > BigInt(limits.intBits)) throw tooLarge(limits);
        return x ** y;
    }
  }
  const x = toFloat(a);
  const y = toFloat(b);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0) throw zeroDivision('float division by zero');
      return x / y;
    case '//':
      if (y === 0) throw zeroDivision('float floor division by zero');
      return Math.floor(x / y);
    case '%':
      if (y === 0) throw zeroDivision('float modulo');
      return floatMod(x, y);
    case '**': {
      if (x === 0 && y < 0) throw zeroDivision('0.0 cannot be raised to a negative power');
      if (x < 0 && !Number.isInteger(y)) throw typeError('complex results are not supported'); // Python would return a complex number
      const result = Math.pow(x, y);
      if (!Number.isFinite(result) && Number.isFinite(x) && Number.isFinite(y))
        throw new JinjaError('OverflowError', "(34, 'Numerical result out of range')");
      return result;
    }
  }
  throw unsupported(op, a, b);
}

function tooLarge(limits: SizeLimits): JinjaError {
  return new JinjaError('OverflowError', `the integer result would have more than ${limits.intBits} bits`);
}

function checkBits(value: bigint, limits: SizeLimits): bigint {
  if (bitLength(value) > limits.intBits) throw tooLarge(limits);
  return value;
}

/** int / int: Python rounds the exact quotient correctly. */
function intTrueDivide(x: bigint, y: bigint): number {
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  if (x <= safe && x >= -safe && y <= safe && y >= -safe) return Number(x) / Number(y);
  const negative = x < 0n !== y < 0n;
  const ax = x < 0n ? -x : x;
  const ay = y < 0n ? -y : y;
  // Scale so the quotient has at least 64 significant bits, then let Number round the rest.
  const shift = Math.max(0, bitLength(ay) - bitLength(ax) + 66);
  const quotient = (ax << BigInt(shift)) / ay;
  const result = Number(quotient) / 2 ** shift;
  if (!Number.isFinite(result)) throw new JinjaError('OverflowError', 'integer division result too large for a float');
  return negative ? -result : result;
}

export function unaryOperation(op: '-' | '+', value: Value): Value {
  if (value instanceof PyUndefined) throw value.fail();
  if (typeof value === 'boolean') value = BigInt(value);
  if (typeof value === 'bigint') return op === '-' ? -value : value;
  if (typeof value === 'number') return op === '-' ? -value : value;
  throw typeError(`bad operand type for unary ${op}: '${typeName(value)}'`);
}

/** `a in b`. */
export function contains(container: Value, item: Value): boolean {
  if (isString(container)) {
    if (!isString(item)) throw typeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return textOf(container).includes(textOf(item));
  }
  if (container instanceof PyDict) return container.has(item);
  if (isIterable(container)) return iterate(container).some((candidate) => pyEquals(candidate, item));
  throw typeError(`argument of type '${typeName(container)}' is not iterable`);
}

/** One comparison of a chain. */
export function compare(op: string, a: Value, b: Value): boolean {
  switch (op) {
    case '==':
      return pyEquals(a, b);
    case '!=':
      return !pyEquals(a, b);
    case 'in':
      return contains(b, a);
    case 'notin':
      return !contains(b, a);
  }
  if (a instanceof PyUndefined) throw a.fail();
  if (b instanceof PyUndefined) throw b.fail();
  if (isNumber(a) && isNumber(b)) {
    const order = numericCompare(a, b);
    if (Number.isNaN(order)) return false;
    return op === '<' ? order < 0 : op === '<=' ? order <= 0 : op === '>' ? order > 0 : order >= 0;
  }
  const order = pyCompare(a, b, op);
  return op === '<' ? order < 0 : op === '<=' ? order <= 0 : op === '>' ? order > 0 : order >= 0;
}

export { floatToInt };
