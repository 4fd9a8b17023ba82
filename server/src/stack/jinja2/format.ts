/** Python's `%` string formatting and str.format() with its format-spec mini-language. */
import { formatExponent, formatFixed, formatGeneral } from './numbers';
import {
  floatToInt,
  isNumber,
  isString,
  JinjaError,
  Markup,
  pyRepr,
  pyStr,
  PyDict,
  PyTuple,
  PyUndefined,
  textOf,
  toFloat,
  typeError,
  typeName,
  Value,
  valueError,
} from './values';

const SPECIFIER = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?([\s\S])?/y;

function pad(text: string, width: number, left: boolean, zero: boolean): string {
  if (text.length >= width) return text;
  if (left) return text.padEnd(width, ' ');
  if (zero) {
    const sign = /^[-+ ]/.test(text) ? text[0] : '';
    const prefix = /^[-+ ]?0[xXob]/.test(text) ? text.slice(0, sign.length + 2) : sign;
    return prefix + text.slice(prefix.length).padStart(width - prefix.length, '0');
  }
  return text.padStart(width, ' ');
}

function signed(text: string, negative: boolean, flags: string): string {
  if (negative) return `-${text}`;
  if (flags.includes('+')) return `+${text}`;
  if (flags.includes(' ')) return ` ${text}`;
  return text;
}

function integerArgument(value: Value, conversion: string, allowFloat: boolean): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return BigInt(value);
  if (typeof value === 'number' && allowFloat) return floatToInt(value);
  if (value instanceof PyUndefined) throw value.fail();
  if (allowFloat) throw typeError(`%${conversion} format: a real number is required, not ${typeName(value)}`);
  throw typeError(`%${conversion} format: an integer is required, not ${typeName(value)}`);
}

function floatArgument(value: Value): number {
  if (isNumber(value)) return toFloat(value);
  if (value instanceof PyUndefined) throw value.fail();
  throw typeError(`must be real number, not ${typeName(value)}`);
}

/** `format % args`. */
export function percentFormat(format: string, args: Value): string {
  const positional = args instanceof PyTuple ? args.items : [args];
  const mapping = args instanceof PyDict ? args : undefined;
  // Python skips the 'not all arguments converted' check for anything with __getitem__ but tuples and str.
  const mappingLike = mapping !== undefined || Array.isArray(args) || args instanceof PyUndefined;
  let next = 0;
  const take = (): Value => {
    if (next >= positional.length) throw typeError('not enough arguments for format string');
    return positional[next++];
  };
  let result = '';
  let position = 0;
  let usedMapping = false;
  while (position < format.length) {
    const percent = format.indexOf('%', position);
    if (percent < 0) {
      result += format.slice(position);
      break;
    }
    result += format.slice(position, percent);
    SPECIFIER.lastIndex = percent;
    const match = SPECIFIER.exec(format)!;
    const [whole, key, flags, widthText, precisionText, conversion] = match;
    if (conversion === undefined) throw valueError('incomplete format');
    position = percent + whole.length;
    if (conversion === '%' && key === undefined && whole === '%%') {
      result += '%';
      continue;
    }
    let value: Value;
    const width = widthText === '*' ? Number(integerArgument(take(), '*', false)) : Number(widthText ?? 0);
    const precision =
      precisionText === undefined
        ? undefined
        : precisionText === '*'
          ? Number(integerArgument(take(), '*', false))
          : Number(precisionText || 0);
    if (key !== undefined) {
      if (!mapping) throw typeError('format requires a mapping');
      usedMapping = true;
      const found = mapping.get(key);
      if (found === undefined) throw new JinjaError('KeyError', pyRepr(key));
      value = found;
    } else if (conversion === '%') {
      value = null;
    } else value = take();
    const left = flags.includes('-');
    const zero = flags.includes('0') && !left;
    let text: string;
    switch (conversion) {
      case 's':
        text = pyStr(value);
        if (precision !== undefined) text = [...text].slice(0, precision).join('');
        result += pad(text, width, left, false);
        continue;
      case 'r':
      case 'a':
        text = pyRepr(value);
        if (precision !== undefined) text = text.slice(0, precision);
        result += pad(text, width, left, false);
        continue;
      case 'd':
      case 'i':
      case 'u': {
        const number = integerArgument(value, conversion, true);
        text = (number < 0n ? -number : number).toString();
        if (precision !== undefined) text = text.padStart(precision, '0');
        result += pad(signed(text, number < 0n, flags), width, left, zero);
        continue;
      }
      case 'x':
      case 'X':
      case 'o': {
        const number = integerArgument(value, conversion, false);
        text = (number < 0n ? -number : number).toString(conversion === 'o' ? 8 : 16);
        if (precision !== undefined) text = text.padStart(precision, '0');
        if (flags.includes('#')) text = (conversion === 'o' ? '0o' : '0x') + text;
        if (conversion === 'X') text = text.toUpperCase();
        result += pad(signed(text, number < 0n, flags), width, left, zero);
        continue;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G': {
        const number = floatArgument(value);
        const digits = precision ?? 6;
        const lower = conversion.toLowerCase();
        const upper = conversion !== lower;
        let body =
          lower === 'f'
            ? formatFixed(number, digits)
            : lower === 'e'
              ? formatExponent(number, digits, upper)
              : formatGeneral(number, digits, upper, flags.includes('#'));
        if (upper) body = body.toUpperCase();
        const negative = body.startsWith('-');
        result += pad(signed(negative ? body.slice(1) : body, negative, flags), width, left, zero && Number.isFinite(number)); // prettier-ignore
        continue;
      }
      case 'c': {
        if (typeof value === 'bigint') text = String.fromCodePoint(Number(value));
        else if (typeof value === 'string' && [...value].length === 1) text = value;
        else throw typeError('%c requires int or char');
        result += pad(text, width, left, false);
        continue;
      }
      default: {
        const code = conversion.codePointAt(0)!;
        throw valueError(
          `unsupported format character '${conversion}' (0x${code.toString(16)}) at index ${position - 1}`,
        );
      }
    }
  }
  if (next < positional.length && !mappingLike && !usedMapping)
    throw typeError('not all arguments converted during string formatting');
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// str.format()

const SPEC = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([a-zA-Z%])?$/;

function group(digits: string, separator: string, every = 3): string {
  let result = '';
  for (let i = digits.length; i > 0; i -= every) {
    const part = digits.slice(Math.max(0, i - every), i);
    result = result ? `${part}${separator}${result}` : part;
  }
  return result;
}

/** format(value, spec): Python's __format__ of str, int, float and bool. */
export function formatValue(value: Value, spec: string): string {
  if (value instanceof Markup) value = value.text;
  if (spec === '') return pyStr(value);
  const match = SPEC.exec(spec);
  if (value instanceof PyUndefined) throw value.fail();
  const kind = typeof value === 'string' ? 'str' : isNumber(value) ? 'number' : undefined;
  if (!kind) throw typeError(`unsupported format string passed to ${typeName(value)}.__format__`);
  if (!match) throw valueError('Invalid format specifier');
  const [, fillChar, align, sign, , alternate, zero, widthText, grouping, precisionText, type] = match;
  const width = Number(widthText ?? 0);
  const precision = precisionText === undefined ? undefined : Number(precisionText);
  const fill = fillChar ?? (zero && !align ? '0' : ' ');
  const alignment = align ?? (zero ? '=' : kind === 'str' ? '<' : '>');

  let body: string;
  let prefix = '';
  if (kind === 'str') {
    if (type !== undefined && type !== 's') throw valueError(`Unknown format code '${type}' for object of type 'str'`);
    if (sign) throw valueError('Sign not allowed in string format specifier');
    if (alignment === '=') throw valueError("'=' alignment not allowed in string format specifier");
    body = precision !== undefined ? [...(value as string)].slice(0, precision).join('') : (value as string);
  } else {
    const number = value as bigint | number | boolean;
    const isInt = typeof number !== 'number';
    const numberType = type ?? (isInt ? 'd' : '');
    if (isInt && 'bcdoxXn'.includes(numberType) && numberType !== '') {
      if (precision !== undefined) throw valueError('Precision not allowed in integer format specifier');
      const int = typeof number === 'boolean' ? BigInt(number) : (number as bigint);
      const magnitude = int < 0n ? -int : int;
      if (numberType === 'c') body = String.fromCodePoint(Number(int));
      else {
        const radix = { b: 2, o: 8, x: 16, X: 16, d: 10, n: 10 }[numberType]!;
        body = magnitude.toString(radix);
        if (numberType === 'X') body = body.toUpperCase();
        if (grouping) body = group(body, grouping, radix === 10 ? 3 : 4);
        if (alternate && radix !== 10) prefix = { b: '0b', o: '0o', x: '0x', X: '0X' }[numberType]!;
      }
      prefix = (int < 0n ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '') + prefix;
    } else {
      if (!'eEfFgGn%'.includes(numberType) && numberType !== '')
        throw valueError(`Unknown format code '${numberType}' for object of type '${isInt ? 'int' : 'float'}'`);
      const float = toFloat(number);
      const digits = precision ?? 6;
      const lower = numberType.toLowerCase();
      let text: string;
      if (lower === 'f') text = formatFixed(float, digits);
      else if (lower === 'e') text = formatExponent(float, digits, numberType === 'E');
      else if (lower === 'g' || lower === 'n') text = formatGeneral(float, digits, numberType === 'G', !!alternate);
      else if (numberType === '%') text = `${formatFixed(float * 100, digits)}%`;
      else if (precision !== undefined) {
        text = formatGeneral(float, digits, false, !!alternate);
        if (/^-?\d+$/.test(text) && Math.abs(float) < 10 ** digits) text += '.0';
      } else text = pyStr(float);
      if (numberType === 'F') text = text.toUpperCase();
      const negative = text.startsWith('-');
      body = negative ? text.slice(1) : text;
      if (grouping) {
        const [whole, ...rest] = body.split('.');
        if (/^\d+$/.test(whole)) body = [group(whole, grouping), ...rest].join('.');
      }
      prefix = negative ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
    }
  }
  const total = prefix.length + [...body].length;
  if (total >= width) return prefix + body;
  const padding = width - total;
  switch (alignment) {
    case '<':
      return prefix + body + fill.repeat(padding);
    case '>':
      return fill.repeat(padding) + prefix + body;
    case '^':
      return fill.repeat(Math.floor(padding / 2)) + prefix + body + fill.repeat(Math.ceil(padding / 2));
    default:
      return prefix + fill.repeat(padding) + body;
  }
}

/** Looks up `.attr` and `[key]` parts of a replacement field. */
export type FieldLookup = (value: Value, key: string, kind: 'attribute' | 'item') => Value;

/** str.format(*args, **kwargs). */
export function strFormat(format: string, args: Value[], kwargs: Map<string, Value>, lookup: FieldLookup): string {
  let result = '';
  let auto = 0;
  let mode: 'auto' | 'manual' | undefined;
  let position = 0;
  while (position < format.length) {
    const char = format[position];
    if (char === '}') {
      if (format[position + 1] !== '}') throw valueError("Single '}' encountered in format string");
      result += '}';
      position += 2;
      continue;
    }
    if (char !== '{') {
      result += char;
      position++;
      continue;
    }
    if (format[position + 1] === '{') {
      result += '{';
      position += 2;
      continue;
    }
    // Find the matching '}' (a spec may hold nested fields).
    let depth = 1;
    let end = position + 1;
    while (end < format.length && depth > 0) {
      if (format[end] === '{') depth++;
      else if (format[end] === '}') depth--;
      if (depth > 0) end++;
    }
    if (depth > 0) throw valueError("Single '{' encountered in format string");
    const field = format.slice(position + 1, end);
    position = end + 1;
    const fieldMatch = /^([^.[!:]*)((?:\.[^.[!:]*|\[[^\]]*\])*)(?:!([^:]*))?(?::([\s\S]*))?$/.exec(field);
    if (!fieldMatch) throw valueError("unmatched '{' in format spec");
    const [, name, accessors, conversion, rawSpec] = fieldMatch;
    let value: Value;
    if (name === '') {
      if (mode === 'manual')
        throw valueError('cannot switch from manual field specification to automatic field numbering');
      mode = 'auto';
      if (auto >= args.length) throw new JinjaError('IndexError', `Replacement index ${auto} out of range for positional args tuple`); // prettier-ignore
      value = args[auto++];
    } else if (/^\d+$/.test(name)) {
      if (mode === 'auto')
        throw valueError('cannot switch from automatic field numbering to manual field specification');
      mode = 'manual';
      const index = Number(name);
      if (index >= args.length) throw new JinjaError('IndexError', `Replacement index ${index} out of range for positional args tuple`); // prettier-ignore
      value = args[index];
    } else {
      const found = kwargs.get(name);
      if (found === undefined) throw new JinjaError('KeyError', pyRepr(name));
      value = found;
    }
    for (const part of accessors.match(/\.[^.[]*|\[[^\]]*\]/g) ?? []) {
      if (part.startsWith('.')) value = lookup(value, part.slice(1), 'attribute');
      else value = lookup(value, part.slice(1, -1), 'item');
    }
    if (conversion !== undefined) {
      if (conversion === 'r' || conversion === 'a') value = pyRepr(value);
      else if (conversion === 's') value = pyStr(value);
      else throw valueError(`Unknown conversion specifier ${conversion}`);
    }
    const spec = rawSpec === undefined ? '' : strFormat(rawSpec, args.slice(auto), kwargs, lookup);
    result += formatValue(value, spec);
  }
  return result;
}

export { isString, textOf };
