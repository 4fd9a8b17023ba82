/** Jinja2's default globals: range, dict, lipsum, cycler, joiner, namespace. */
import { bind, bindFull } from './bind';
import type { RandomSource } from './runtime';
import {
  CallArgs,
  iterate,
  JinjaError,
  Markup,
  PyCallable,
  PyDict,
  PyObject,
  pyRepr,
  pyStr,
  PyTuple,
  typeError,
  typeName,
  Value,
  valueError,
} from './values';

function integer(value: Value): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return BigInt(value);
  throw typeError(`'${typeName(value)}' object cannot be interpreted as an integer`);
}

export function makeRange(args: CallArgs, maxLength: number): PyObject {
  if (args.keywords.size > 0) throw typeError('range() takes no keyword arguments');
  const count = args.positional.length;
  if (count === 0) throw typeError('range expected at least 1 argument, got 0');
  if (count > 3) throw typeError(`range expected at most 3 arguments, got ${count}`);
  const numbers = args.positional.map(integer);
  const [start, stop, step] = count === 1 ? [0n, numbers[0], 1n] : [numbers[0], numbers[1], numbers[2] ?? 1n];
  if (step === 0n) throw valueError('range() arg 3 must not be zero');
  const span = step > 0n ? stop - start : start - stop;
  const stride = step > 0n ? step : -step;
  const length = span <= 0n ? 0n : (span + stride - 1n) / stride;
  if (length > BigInt(maxLength))
    throw new JinjaError('LimitError', `range() of ${length} numbers is larger than ${maxLength}`);
  const items: Value[] = [];
  for (let i = 0n; i < length; i++) items.push(start + i * step);
  const repr = step === 1n ? `range(${start}, ${stop})` : `range(${start}, ${stop}, ${step})`;
  return new PyObject('range', new Map(), () => repr, false, undefined, items);
}

function makeDict(args: CallArgs): PyDict {
  if (args.positional.length > 1) throw typeError(`dict expected at most 1 argument, got ${args.positional.length}`);
  const dict = new PyDict();
  const [source] = args.positional;
  if (source instanceof PyDict) for (const [key, value] of source.items()) dict.set(key, value);
  else if (source !== undefined) {
    iterate(source).forEach((pair, index) => {
      const items = iterate(pair);
      if (items.length !== 2)
        throw valueError(`dictionary update sequence element #${index} has length ${items.length}; 2 is required`);
      dict.set(items[0], items[1]);
    });
  }
  for (const [key, value] of args.keywords) dict.set(key, value);
  return dict;
}

function makeNamespace(args: CallArgs): PyObject {
  const dict = makeDict(args);
  const attributes = new Map<string, Value>();
  for (const [key, value] of dict.items()) {
    if (typeof key !== 'string') throw typeError('keywords must be strings');
    attributes.set(key, value);
  }
  return new PyObject('Namespace', attributes, (self) => `<Namespace ${pyRepr(PyDict.from(self.attributes))}>`, true);
}

function makeCycler(args: CallArgs): PyObject {
  if (args.keywords.size > 0) throw typeError('Cycler.__init__() got an unexpected keyword argument');
  const items = args.positional;
  if (items.length === 0) throw new JinjaError('RuntimeError', 'at least one item has to be provided');
  let position = 0;
  const attributes = new Map<string, Value>();
  const update = () => {
    attributes.set('pos', BigInt(position));
    attributes.set('current', items[position]);
  };
  attributes.set('items', new PyTuple(items));
  attributes.set(
    'next',
    new PyCallable('next', (call) => {
      bind('next', call, []);
      const value = items[position];
      position = (position + 1) % items.length;
      update();
      return value;
    }),
  );
  attributes.set(
    'reset',
    new PyCallable('reset', (call) => {
      bind('reset', call, []);
      position = 0;
      update();
      return null;
    }),
  );
  update();
  return new PyObject('Cycler', attributes, () => '<jinja2.utils.Cycler object>');
}

function makeJoiner(args: CallArgs): PyObject {
  const [separator] = bind('Joiner', args, [['sep', ', ']]);
  let used = false;
  return new PyObject(
    'Joiner',
    new Map(),
    () => '<jinja2.utils.Joiner object>',
    false,
    (call) => {
      bind('Joiner.__call__', call, []);
      if (!used) {
        used = true;
        return '';
      }
      return separator;
    },
  );
}

const LOREM_WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore ' +
  'magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo ' +
  'consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint ' +
  'occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum'
).split(' ');

/** Random lorem ipsum paragraphs (Jinja2's words come from Python's random module; ours from the RandomSource). */
function lipsum(args: CallArgs, random: RandomSource): Value {
  const [count, html, minimum, maximum] = bind('generate_lorem_ipsum', args, [['n', 5n], ['html', true], ['min', 20n], ['max', 100n]]); // prettier-ignore
  const paragraphs: string[] = [];
  const low = Number(integer(minimum));
  const high = Number(integer(maximum));
  if (high < low) throw valueError('empty range for randrange()');
  for (let p = 0; p < Math.min(Number(integer(count)), 100); p++) {
    const length = low + random.int(0, high - low + 1);
    const words: string[] = [];
    let capitalise = true;
    for (let w = 0; w < length; w++) {
      let word = LOREM_WORDS[random.int(0, LOREM_WORDS.length)];
      if (capitalise) word = word[0].toUpperCase() + word.slice(1);
      capitalise = false;
      if (w < length - 1 && random.int(0, 10) === 0) {
        word += random.int(0, 3) === 0 ? '.' : ',';
        capitalise = word.endsWith('.');
      }
      words.push(word);
    }
    let paragraph = words.join(' ');
    if (!paragraph.endsWith('.')) paragraph = `${paragraph.replace(/,$/, '')}.`;
    paragraphs.push(paragraph);
  }
  if (html === false) return paragraphs.join('\n\n');
  return new Markup(paragraphs.map((paragraph) => `<p>${paragraph}</p>`).join('\n'));
}

export function jinjaGlobals(random: RandomSource, rangeLength: number): Map<string, Value> {
  return new Map<string, Value>([
    ['range', new PyCallable('range', (args) => makeRange(args, rangeLength), "<class 'range'>")],
    ['dict', new PyCallable('dict', makeDict, "<class 'dict'>")],
    ['lipsum', new PyCallable('generate_lorem_ipsum', (args) => lipsum(args, random))],
    ['cycler', new PyCallable('Cycler', makeCycler, "<class 'jinja2.utils.Cycler'>")],
    ['joiner', new PyCallable('Joiner', makeJoiner, "<class 'jinja2.utils.Joiner'>")],
    ['namespace', new PyCallable('Namespace', makeNamespace, "<class 'jinja2.utils.Namespace'>")],
  ]);
}

export { bindFull, pyStr };
