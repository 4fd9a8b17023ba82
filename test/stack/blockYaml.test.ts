import assert from 'node:assert/strict';
import { isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { generateComposeStack } from '../../bench/generate';
import { parseBlockYaml } from '../../server/src/stack/blockYaml';
import { YAML_OPTIONS } from '../../server/src/stack/model';
import { readSample } from './util';

/** Every property yaml gives a node, recursively, in a comparable shape. */
function dump(node: unknown): unknown {
  if (node === null || node === undefined) return node;
  if (isPair(node)) return { key: dump(node.key), value: dump(node.value) };
  const own = Object.fromEntries(
    Object.entries(node as object)
      .filter(([name]) => name !== 'items' && name !== 'value')
      .map(([name, value]) => [name, value instanceof Date ? value.toISOString() : value]),
  );
  if (isMap(node) || isSeq(node)) return { kind: isMap(node) ? 'map' : 'seq', ...own, items: node.items.map(dump) };
  if (isScalar(node)) {
    const value = node.value instanceof Date ? `date ${node.value.toISOString()}` : node.value;
    return { kind: 'scalar', ...own, value: typeof value === 'number' && isNaN(value) ? 'NaN' : value };
  }
  return { kind: 'other', ...own };
}

/** A dump with every range moved by `delta`. */
function shifted(dumped: unknown, delta: number): unknown {
  if (Array.isArray(dumped)) return dumped.map((item) => shifted(item, delta));
  if (dumped === null || typeof dumped !== 'object') return dumped;
  return Object.fromEntries(
    Object.entries(dumped).map(([name, value]) => [
      name,
      name === 'range' ? (value as number[]).map((offset) => offset + delta) : shifted(value, delta),
    ]),
  );
}

/** Asserts that whenever the block reader accepts a text, yaml reads it without complaint into the same nodes. */
function agreesWithYaml(text: string): boolean {
  const fast = parseBlockYaml(text);
  if (!fast) return false;
  const document = parseDocument(text, YAML_OPTIONS);
  assert.deepEqual(
    [...document.errors, ...document.warnings].map((problem) => problem.message),
    [],
    `accepted a text yaml complains about:\n${text}`,
  );
  assert.deepEqual(dump(fast), dump(document.contents), `different nodes for:\n${text}`);
  return true;
}

function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
}

const KEYS = [
  'image',
  'n',
  'y',
  'on',
  '1',
  '0x10',
  'a b',
  '-x',
  'x:y',
  '"quoted key"',
  "'single'",
  'x ',
  'k',
  '~',
  '"a":',
  'a#b',
  '"#k"',
  'k #c',
];
const SCALARS = [
  'hello',
  'unless-stopped',
  '1',
  '0x1F',
  '0o17',
  '017',
  '1_000',
  '1.50',
  '12e03',
  '.inf',
  '-.NaN',
  '+12',
  '190:20:30',
  'yes',
  'No',
  'off',
  '~',
  'null',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  'a:b',
  'http://x:80/y',
  'a: b',
  'x:',
  '-1',
  '- x',
  '-',
  '? x',
  ':x',
  '{{ v }}',
  'a {{ v }}-{{ w }}',
  'a, b [c] {d}',
  '"dq"',
  '"d: q # not a comment"',
  '"a  "',
  '""',
  "'it''s'",
  "''",
  "'a' b",
  '"a" ',
  '"a"  ',
  '"open',
  '[a, b]',
  '[]',
  '{}',
  '[ ]',
  '{ }',
  '["80:80", "443:443"]',
  "[ 'x' , y ,z ]",
  '[1, yes, ~, 0x1F, "s"]  ',
  '[a,]',
  '[a,,b]',
  '[a: b]',
  '[a:b]',
  '{a: b}',
  '[[a]]',
  '[a] b',
  '[a',
  '[-1, -x, - y]',
  '"#fff"',
  "'# not a comment'",
  'a#b',
  '#fff',
  'x #c',
  'x  # c',
  '[a, "#"]',
  '[a #c]',
  '"a" # c',
  'v # c',
  '"q" #  c  ',
  "'s' # x",
  '[a] # d',
  '{} #e',
  'x #',
  'x #c: d',
  '~ # nothing',
  'a # c',
  '*alias',
  '!!str 1',
  '@at',
  '`tick',
  '%pct',
  'a\\tb',
  '"esc\\"q"',
  'tail   ',
  '|',
  '>-',
  'ünïcödé ✓',
];

/** A random block document built from pieces that yaml reads in different ways, some of them invalid. */
function generate(next: (n: number) => number): string {
  const lines: string[] = [];
  const blank = () => {
    if (next(6) === 0) lines.push(next(2) === 0 ? '' : '   ');
    // A comment line, indented anywhere.
    if (next(40) === 0) lines.push(`${' '.repeat(next(6))}# note${next(2) === 0 ? ': x' : ''}`);
  };
  const scalar = () => SCALARS[next(SCALARS.length)];
  const keyComment = () => [' # about', '  #x ', ' #', '#no'][next(12)] ?? '';
  const mapping = (indent: number, depth: number, firstPrefix?: string) => {
    const count = 1 + next(3);
    for (let i = 0; i < count; i++) {
      if (i > 0) blank();
      const pad = i === 0 && firstPrefix !== undefined ? firstPrefix : ' '.repeat(indent + (next(25) === 0 ? 1 : 0));
      const key = KEYS[next(KEYS.length)];
      const kind = depth > 2 ? next(2) : next(5);
      if (kind === 0) lines.push(`${pad}${key}: ${scalar()}`);
      else if (kind === 1) lines.push(`${pad}${key}:${next(8) === 0 ? ' ' : ''}`);
      else if (kind === 2) {
        lines.push(`${pad}${key}:${keyComment()}`);
        blank();
        mapping(indent + 2 + 2 * next(2), depth + 1);
      } else {
        lines.push(`${pad}${key}:${keyComment()}`);
        blank();
        sequence(next(3) === 0 ? indent : indent + 2, depth + 1);
      }
    }
  };
  const sequence = (indent: number, depth: number) => {
    const count = 1 + next(3);
    for (let i = 0; i < count; i++) {
      if (i > 0) blank();
      const dash = `${' '.repeat(indent)}-${' '.repeat(1 + (next(5) === 0 ? 2 : 0))}`;
      const kind = next(depth > 2 ? 2 : 4);
      if (kind === 3) lines.push(`${' '.repeat(indent)}-`);
      else if (kind === 2) mapping(dash.length, depth + 1, dash);
      else lines.push(`${dash}${scalar()}`);
    }
  };
  const rootIndent = next(3) * 2;
  mapping(rootIndent, 0);
  // Comments after the last entry, as a chunk of a stack file ends with the comment of the next entry.
  if (next(3) === 0) {
    if (next(3) === 0) lines.push('');
    for (let i = 1 + next(2); i > 0; i--)
      lines.push(`${' '.repeat(rootIndent + (next(6) === 0 ? 2 : 0))}# next${next(8) === 0 ? '' : ' one'}`);
    if (next(6) === 0) lines.push('');
  }
  return lines.join('\n') + (next(4) === 0 ? '' : '\n');
}

describe('block YAML reader', () => {
  it('builds the same nodes as yaml for every random text it accepts, and refuses the rest', () => {
    const next = random(20261126);
    let accepted = 0;
    const total = 4000;
    for (let i = 0; i < total; i++) if (agreesWithYaml(generate(next))) accepted++;
    // The generator is tuned so that both outcomes are exercised.
    assert.ok(accepted > total * 0.1, `only ${accepted} of ${total} texts were read by the block reader`);
    assert.ok(accepted < total * 0.9, `${accepted} of ${total} texts were read: the generator lost its invalid pieces`);
  });

  it('reads every chunk of a generated compose stack like yaml, at its offset in the document', () => {
    const text = generateComposeStack(40);
    const services = text.split(/^(?= {4}svc\d+:$)/m).slice(1);
    services[services.length - 1] = services[services.length - 1].split(/^(?= {0,2}\S)/m)[0];
    for (const service of services) {
      assert.ok(agreesWithYaml(service), service);
      const base = text.indexOf(service);
      assert.deepEqual(dump(parseBlockYaml(service, base)), shifted(dump(parseBlockYaml(service)), base));
    }
  });

  it('reads the upstream samples like yaml wherever it accepts them', () => {
    for (const name of ['upstream-baserow.yaml', 'upstream-postgresql.yaml']) {
      const sections = readSample(name).split(/^(?=\S)/m);
      for (const section of sections) agreesWithYaml(section);
    }
  });

  it('reads the comments stack files commonly have like yaml', () => {
    for (const text of [
      'a: 1 # after a value\n',
      'a: "q" # after a quoted value\nb: [x] # after a flow sequence\n',
      'a: # about the block\n  b: 1\n',
      'a: # about the list\n  - x\n',
      '    svc0:\n      image: x\n\n    # the next service\n',
    ])
      assert.ok(agreesWithYaml(text), text);
  });

  it('leaves other comments, block scalars, nested flow collections and anchors to yaml', () => {
    for (const text of [
      'a: 1\n# between entries\nb: 2\n',
      'a:\n  # before the first entry\n  b: 1\n',
      'a: |\n  text\n',
      'a: [1, [2]]\n',
      'a: {b: 1}\n',
      'a: &x 1\nb: *x\n',
      'a: "line\n  two"\n',
      'a: plain\n  continued\n',
      '- a\n',
      '\na: 1\n',
      'a: "\\u00e9"\n',
      Array.from({ length: 300 }, (_, depth) => `${' '.repeat(depth)}k${depth}:`).join('\n') + ' 1\n',
    ])
      assert.equal(parseBlockYaml(text), undefined, text);
  });
});
