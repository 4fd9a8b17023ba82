/**
 * Exact decimal formatting of floats, as Python's '%f', '%e', '%g' and round() produce it: they round the exact
 * binary value half to even, which JavaScript's toFixed does not do for ties.
 */

export interface Decimal {
  /** Significant digits without leading zeros ('' for zero). */
  digits: string;
  /** The value is 0.digits × 10^exponent. */
  exponent: number;
  negative: boolean;
}

/** The exact decimal expansion of a finite double. */
export function exactDecimal(value: number): Decimal {
  const negative = value < 0 || Object.is(value, -0);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent2: number;
  if (biased === 0) exponent2 = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent2 = biased - 1075;
  }
  if (mantissa === 0n) return { digits: '', exponent: 0, negative };
  let digits: string;
  let exponent: number;
  if (exponent2 >= 0) {
    digits = (mantissa << BigInt(exponent2)).toString();
    exponent = digits.length;
  } else {
    const scaled = mantissa * 5n ** BigInt(-exponent2);
    digits = scaled.toString();
    exponent = digits.length + exponent2;
  }
  digits = digits.replace(/0+$/, '');
  return { digits, exponent, negative };
}

/** Rounds 0.digits × 10^exponent to `keep` significant digits, half to even. */
function roundTo(decimal: Decimal, keep: number): Decimal {
  const { digits, negative } = decimal;
  let { exponent } = decimal;
  if (keep >= digits.length) return { digits, exponent, negative };
  if (keep < 0) return { digits: '', exponent, negative };
  let kept = keep === 0 ? 0n : BigInt(digits.slice(0, keep));
  const rest = digits.slice(keep);
  if (rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || kept % 2n === 1n))) kept += 1n;
  if (kept === 0n) return { digits: '', exponent, negative };
  const text = kept.toString();
  if (text.length > keep) exponent += 1; // 0.999 → 0.1 × 10 (a carry adds a digit)
  return { digits: text.replace(/0+$/, ''), exponent, negative };
}

function special(value: number, upper: boolean): string | undefined {
  if (Number.isNaN(value)) return upper ? 'NAN' : 'nan';
  if (!Number.isFinite(value)) return (value < 0 ? '-' : '') + (upper ? 'INF' : 'inf');
  return undefined;
}

/** '%.<precision>f' without sign handling of its own: the sign is in the result. */
export function formatFixed(value: number, precision: number): string {
  const name = special(value, false);
  if (name) return name;
  const decimal = exactDecimal(value);
  const rounded = roundTo(decimal, decimal.exponent + precision);
  const digitsAfter = rounded.digits;
  // Integer part and fraction from 0.digits × 10^exponent.
  const all = digitsAfter.padEnd(Math.max(rounded.exponent + precision, 0), '0');
  let whole: string;
  let fraction: string;
  if (rounded.exponent > 0) {
    whole = all.slice(0, rounded.exponent).padEnd(rounded.exponent, '0');
    fraction = all.slice(rounded.exponent);
  } else {
    whole = '0';
    fraction = '0'.repeat(-rounded.exponent) + all;
  }
  fraction = fraction.slice(0, precision).padEnd(precision, '0');
  whole = whole.replace(/^0+(?=\d)/, '');
  const sign = decimal.negative ? '-' : '';
  return sign + whole + (precision > 0 ? `.${fraction}` : '');
}

/** '%.<precision>e'. */
export function formatExponent(value: number, precision: number, upper = false): string {
  const name = special(value, upper);
  if (name) return name;
  const decimal = exactDecimal(value);
  const sign = decimal.negative ? '-' : '';
  if (decimal.digits === '') {
    return `${sign}0${precision > 0 ? `.${'0'.repeat(precision)}` : ''}${upper ? 'E' : 'e'}+00`;
  }
  const rounded = roundTo(decimal, precision + 1);
  const digits = rounded.digits.padEnd(precision + 1, '0');
  const exponent = rounded.exponent - 1;
  const mantissa = digits[0] + (precision > 0 ? `.${digits.slice(1)}` : '');
  const expText = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return `${sign}${mantissa}${upper ? 'E' : 'e'}${expText}`;
}

/** '%.<precision>g' (alternate keeps trailing zeros). */
export function formatGeneral(value: number, precision: number, upper = false, alternate = false): string {
  const name = special(value, upper);
  if (name) return name;
  const p = precision === 0 ? 1 : precision;
  const decimal = exactDecimal(value);
  const rounded = decimal.digits === '' ? decimal : roundTo(decimal, p);
  const exponent = decimal.digits === '' ? 0 : rounded.exponent - 1;
  let text: string;
  if (exponent >= -4 && exponent < p) text = formatFixed(value, p - 1 - exponent);
  else text = formatExponent(value, p - 1, upper);
  if (!alternate) {
    const [mantissa, exp] = text.split(/(?=[eE])/);
    const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    text = trimmed + (exp ?? '');
  }
  return text;
}
