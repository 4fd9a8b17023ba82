/** Jinja2 3.1's builtin tests (`value is name(args)`). */
import { bind } from './bind';
import { KNOWN_NAMES } from './parser';
import { binaryOperation, compare, contains } from './operators';
import type { Runtime } from './runtime';
import {
  CallArgs,
  hashKey,
  isIterable,
  isString,
  Markup,
  PyCallable,
  PyDict,
  PyObject,
  PyTuple,
  PyUndefined,
  pyEquals,
  pyStr,
  Value,
} from './values';
import { FILTERS } from './filters';

export type TestFunction = (rt: Runtime, value: Value, args: CallArgs) => boolean;

function noArguments(name: string, test: (value: Value) => boolean): TestFunction {
  return (rt, value, args) => {
    bind(`test_${name}`, args, []);
    return test(value);
  };
}

function withArgument(name: string, parameter: string, test: (rt: Runtime, value: Value, other: Value) => boolean) {
  return (rt: Runtime, value: Value, args: CallArgs) => {
    const [other] = bind(`test_${name}`, args, [parameter]);
    return test(rt, value, other);
  };
}

const modulo = (rt: Runtime, value: Value, by: Value) => binaryOperation('%', value, by, rt.limits);

function comparison(op: string): TestFunction {
  return withArgument(op, 'b', (rt, value, other) => compare(op, value, other));
}

const SMALL_INT_MIN = -5n;
const SMALL_INT_MAX = 256n;

/** Python's `is`: identity. Small ints, None, booleans and equal objects of ours are the same object. */
function sameAs(a: Value, b: Value): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a === b && a >= SMALL_INT_MIN && a <= SMALL_INT_MAX;
  if (typeof a === 'number' || typeof b === 'number') return false;
  return a === b;
}

export const TESTS: Map<string, TestFunction> = new Map<string, TestFunction>([
  ['odd', noArgumentsRt('odd', (rt, value) => pyEquals(modulo(rt, value, 2n), 1n))],
  ['even', noArgumentsRt('even', (rt, value) => pyEquals(modulo(rt, value, 2n), 0n))],
  ['divisibleby', withArgument('divisibleby', 'num', (rt, value, num) => pyEquals(modulo(rt, value, num), 0n))],
  ['defined', noArguments('defined', (value) => !(value instanceof PyUndefined))],
  ['undefined', noArguments('undefined', (value) => value instanceof PyUndefined)],
  ['none', noArguments('none', (value) => value === null)],
  ['boolean', noArguments('boolean', (value) => typeof value === 'boolean')],
  ['false', noArguments('false', (value) => value === false)],
  ['true', noArguments('true', (value) => value === true)],
  ['integer', noArguments('integer', (value) => typeof value === 'bigint')],
  ['float', noArguments('float', (value) => typeof value === 'number')],
  [
    'number',
    noArguments('number', (value) => typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean'), // prettier-ignore
  ],
  [
    'lower',
    noArgumentsRt('lower', (rt, value) => {
      const text = stringOf(value);
      return [...text].some((c) => c.toLowerCase() !== c.toUpperCase()) && text === text.toLowerCase(); // prettier-ignore
    }),
  ],
  [
    'upper',
    noArgumentsRt('upper', (rt, value) => {
      const text = stringOf(value);
      return [...text].some((c) => c.toLowerCase() !== c.toUpperCase()) && text === text.toUpperCase();
    }),
  ],
  ['string', noArguments('string', (value) => isString(value))],
  ['mapping', noArguments('mapping', (value) => value instanceof PyDict)],
  [
    'sequence',
    noArguments(
      'sequence',
      (value) =>
        isString(value) ||
        Array.isArray(value) ||
        value instanceof PyTuple ||
        value instanceof PyDict ||
        value instanceof PyUndefined,
    ),
  ],
  ['iterable', noArguments('iterable', (value) => isIterable(value))],
  [
    'callable',
    noArguments(
      'callable',
      (value) =>
        value instanceof PyCallable || value instanceof PyUndefined || (value instanceof PyObject && !!value.callable),
    ),
  ],
  ['sameas', withArgument('sameas', 'other', (rt, value, other) => sameAs(value, other))],
  ['escaped', noArguments('escaped', (value) => value instanceof Markup)],
  ['in', withArgument('in', 'seq', (rt, value, seq) => contains(seq, value))],
  [
    'filter',
    noArguments('filter', (value) => hashKey(value) !== '' && typeof value === 'string' && FILTERS.has(value)),
  ],
  ['test', noArguments('test', (value) => hashKey(value) !== '' && typeof value === 'string' && TESTS.has(value))],
  ...(
    [
      ['==', '=='],
      ['eq', '=='],
      ['equalto', '=='],
      ['!=', '!='],
      ['ne', '!='],
      ['>', '>'],
      ['gt', '>'],
      ['greaterthan', '>'],
      ['>=', '>='],
      ['ge', '>='],
      ['<', '<'],
      ['lt', '<'],
      ['lessthan', '<'],
      ['<=', '<='],
      ['le', '<='],
    ] as const
  ).map(([name, op]): [string, TestFunction] => [name, comparison(op)]),
]);

function noArgumentsRt(name: string, test: (rt: Runtime, value: Value) => boolean): TestFunction {
  return (rt, value, args) => {
    bind(`test_${name}`, args, []);
    return test(rt, value);
  };
}

/** Jinja2 calls str(value).islower(). */
function stringOf(value: Value): string {
  return pyStr(value);
}

for (const name of TESTS.keys()) KNOWN_NAMES.tests.add(name);
