/**
 * Regular expressions from `pattern` keys, compiled and matched without ever hanging the caller.
 *
 * WindFlow's web form checks a string variable's value with a JavaScript `RegExp` (a search, not a full match), so we
 * compile patterns the same way. Authors often write Python syntax; the unambiguous spellings are translated, the rest
 * is refused with a reason. Patterns that could backtrack heavily are matched in a worker thread that is terminated
 * when it runs over its budget; the bundles have one file per entry, so the worker runs inline source code.
 */
import { Worker } from 'node:worker_threads';

export type PatternMatch = { ok: true; matches: boolean } | { ok: false; reason: string };
export type PatternCompile = { ok: true } | { ok: false; reason: string };

/** How long one match in the worker may run before we give up on it. */
const MATCH_BUDGET_MS = 100;
/** How long a fresh worker may take to start (module loading on a busy machine). */
const WORKER_START_BUDGET_MS = 2000;

interface Translation {
  source: string;
  flags: string;
}

/** Python inline flags that have a JavaScript equivalent. */
const INLINE_FLAG_TRANSLATION: Record<string, string> = { i: 'i', m: 'm', s: 's' };

/** Rewrites Python-only syntax into its JavaScript equivalent, or says why it cannot. */
function translatePython(pattern: string): Translation | { reason: string } {
  let flags = '';
  let body = pattern;
  const leadingFlags = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (leadingFlags) {
    for (const flag of leadingFlags[1]) {
      const jsFlag = INLINE_FLAG_TRANSLATION[flag];
      if (!jsFlag) return { reason: `the Python inline flag '(?${flag})' has no JavaScript equivalent` };
      if (!flags.includes(jsFlag)) flags += jsFlag;
    }
    body = body.slice(leadingFlags[0].length);
  }
  let source = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === '\\') {
      const next = body[i + 1] ?? '';
      if (!inClass && next === 'A') source += '^';
      else if (!inClass && next === 'Z') source += '$';
      else source += char + next;
      i++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      source += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      // A ']' right after '[' or '[^' is a literal in both dialects; copy it so it does not close the class.
      const negated = body[i + 1] === '^';
      const first = body[i + (negated ? 2 : 1)];
      const prefixLength = (negated ? 2 : 1) + (first === ']' ? 1 : 0);
      source += body.slice(i, i + prefixLength);
      i += prefixLength - 1;
      continue;
    }
    if (body.startsWith('(?P<', i)) {
      source += '(?<';
      i += 3;
      continue;
    }
    const backReference = /^\(\?P=(\w+)\)/.exec(body.slice(i));
    if (backReference) {
      source += `\\k<${backReference[1]}>`;
      i += backReference[0].length - 1;
      continue;
    }
    if (body.startsWith('(?#', i)) return { reason: 'Python comment groups (?#…) are not supported by JavaScript' };
    source += char;
  }
  return { source, flags };
}

function compile(pattern: string): RegExp | { reason: string } {
  const translation = translatePython(pattern);
  if ('reason' in translation) return translation;
  try {
    return new RegExp(translation.source, translation.flags);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    return { reason: `invalid regular expression: ${detail}` };
  }
}

/** Whether the pattern compiles as the web form would compile it. */
export function compilePattern(pattern: string): PatternCompile {
  const compiled = compile(pattern);
  return compiled instanceof RegExp ? { ok: true } : { ok: false, reason: compiled.reason };
}

/** One atom written directly inside a group (a character, an escape, a class or a nested group). */
interface Atom {
  source: string;
  /** The single character it matches, when it is a literal. */
  literal?: string;
  /** Quantified with ?, * or {0,…}: it may match nothing, so it cannot delimit repetitions. */
  optional: boolean;
}

interface GroupFrame {
  atoms: Atom[];
  hasAlternation: boolean;
  /** First-atom sources of each alternative, for the overlap test. */
  alternativeStarts: Atom[];
  atAlternativeStart: boolean;
  /** Sources of the variable-length repeated atoms anywhere inside (undefined: a nested group, not analysed). */
  repeated: (string | undefined)[];
}

function newFrame(): GroupFrame {
  return { atoms: [], hasAlternation: false, alternativeStarts: [], atAlternativeStart: true, repeated: [] };
}

interface Quantifier {
  length: number;
  /** May match more than once: *, +, {n,m} with m > 1. */
  repeats: boolean;
  /** May match an unlimited number of times: *, +, {n,} and a large {n,m}. */
  unbounded: boolean;
  /** The number of matches is not fixed (not {n}), so the input can be split between iterations in several ways. */
  variable: boolean;
  /** May match nothing: ?, *, {0,…}. */
  optional: boolean;
}

/** The quantifier at `index`, if any. */
function quantifierAt(body: string, index: number): Quantifier | undefined {
  const char = body[index];
  let quantifier: Quantifier;
  if (char === '*' || char === '+' || char === '?') {
    const repeats = char !== '?';
    quantifier = { length: 1, repeats, unbounded: repeats, variable: true, optional: char !== '+' };
  } else if (char === '{') {
    const braces = /^\{(\d*)(,?)(\d*)\}/.exec(body.slice(index));
    if (!braces) return undefined;
    const minimum = Number(braces[1] || '0');
    const maximum = braces[2] === ',' ? (braces[3] === '' ? Infinity : Number(braces[3])) : minimum;
    quantifier = {
      length: braces[0].length,
      repeats: maximum > 1,
      unbounded: maximum > 10,
      variable: maximum > minimum,
      optional: minimum === 0,
    };
  } else {
    return undefined;
  }
  // A lazy or possessive suffix does not change the backtracking risk.
  if (body[index + quantifier.length] === '?' || body[index + quantifier.length] === '+') quantifier.length++;
  return quantifier;
}

/** The end of the atom that starts at `index` (not a group). */
function atomEnd(body: string, index: number): number {
  if (body[index] === '\\') return index + 2;
  if (body[index] !== '[') return index + 1;
  let end = index + 1;
  if (body[end] === '^') end++;
  if (body[end] === ']') end++;
  while (end < body.length && body[end] !== ']') end += body[end] === '\\' ? 2 : 1;
  return end + 1;
}

function literalOf(source: string): string | undefined {
  if (source.length === 1 && !'.[()|^$'.includes(source)) return source;
  if (source.length === 2 && source[0] === '\\' && !/[A-Za-z0-9]/.test(source[1])) return source[1];
  return undefined;
}

function atomMatches(source: string, char: string): boolean {
  try {
    return new RegExp(`^(?:${source})$`).test(char);
  } catch {
    return true;
  }
}

/**
 * Repetitions of a group are unambiguous when a required literal at its start or end (like the '.' in `(\.\d+)*`)
 * cannot be matched by anything repeated inside it: the input then splits into iterations in exactly one way.
 */
function isDelimited(group: GroupFrame): boolean {
  if (group.hasAlternation || group.atoms.length === 0) return false;
  const edges = [group.atoms[0], group.atoms[group.atoms.length - 1]];
  return edges.some(
    (edge) =>
      !edge.optional &&
      edge.literal !== undefined &&
      group.repeated.every((source) => source !== undefined && !atomMatches(source, edge.literal as string)),
  );
}

/** Two alternatives may start with the same character: a literal seen twice, or any class or group. */
function alternativesOverlap(starts: Atom[]): boolean {
  if (starts.length < 2) return false;
  const seen = new Set<string>();
  for (const start of starts) {
    if (start.literal === undefined || seen.has(start.literal)) return true;
    seen.add(start.literal);
  }
  return false;
}

interface PatternShape {
  /** A shape that backtracks exponentially (or with a high polynomial degree). */
  risky: boolean;
  /** How many quantifiers may match more than once. */
  repetitions: number;
}

/**
 * Walks the pattern's groups and atoms. Risky: a repeated group that itself repeats something (`(a+)+`, `(a+){10}`)
 * and whose iterations are not delimited, or a repeated alternation whose branches can start with the same character
 * (`(a|ab)*`, `(\w|\d)+`).
 */
function analysePattern(pattern: string): PatternShape {
  const translation = translatePython(pattern);
  const body = 'reason' in translation ? pattern : translation.source;
  const stack: GroupFrame[] = [newFrame()];
  let repetitions = 0;
  let index = 0;
  while (index < body.length) {
    const frame = stack[stack.length - 1];
    const char = body[index];
    if (char === '(') {
      // Skip the group prefix ((?:, (?=, (?<name>, …) so it is not read as atoms.
      const prefix = /^\((\?(<[A-Za-z_]\w*>|[:=!]|<[=!]))?/.exec(body.slice(index));
      stack.push(newFrame());
      index += prefix ? prefix[0].length : 1;
      continue;
    }
    if (char === '|') {
      frame.hasAlternation = true;
      frame.atAlternativeStart = true;
      index++;
      continue;
    }
    let group: GroupFrame | undefined;
    let end: number;
    let source: string;
    if (char === ')' && stack.length > 1) {
      group = stack.pop() as GroupFrame;
      end = index + 1;
      source = '';
    } else {
      end = atomEnd(body, index);
      source = body.slice(index, end);
    }
    const parent = stack[stack.length - 1];
    if (char === '^' || char === '$') {
      index = end;
      continue;
    }
    const quantifier = quantifierAt(body, end);
    if (quantifier?.repeats) repetitions++;
    const atom: Atom = {
      source,
      literal: group ? undefined : literalOf(source),
      optional: quantifier?.optional ?? false,
    };
    if (parent.atAlternativeStart) parent.alternativeStarts.push(atom);
    parent.atAlternativeStart = false;
    parent.atoms.push(atom);
    if (group) {
      if (quantifier?.repeats) {
        if (group.repeated.length > 0 && !isDelimited(group)) return { risky: true, repetitions };
        if (quantifier.unbounded && alternativesOverlap(group.alternativeStarts)) return { risky: true, repetitions };
        parent.repeated.push(undefined);
      } else {
        parent.repeated.push(...group.repeated);
      }
    } else if (quantifier?.repeats && quantifier.variable) {
      parent.repeated.push(source);
    }
    index = end + (quantifier?.length ?? 0);
  }
  return { risky: false, repetitions };
}

/** Whether the pattern may take exponential time on some input (see analysePattern). */
export function isPatternRisky(pattern: string): boolean {
  return analysePattern(pattern).risky;
}

/**
 * The code of the matching worker. It signals through a shared Int32Array: slot 0 is the call state (0 waiting,
 * 1 done), slot 1 the result (1 match, 0 no match, -1 compile error), slot 2 turns 1 once the worker runs.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const shared = new Int32Array(workerData);
Atomics.store(shared, 2, 1);
Atomics.notify(shared, 2);
parentPort.on('message', ({ source, flags, value }) => {
  let result;
  try { result = new RegExp(source, flags).test(value) ? 1 : 0; } catch { result = -1; }
  Atomics.store(shared, 1, result);
  Atomics.store(shared, 0, 1);
  Atomics.notify(shared, 0);
});
`;

const STATE = 0;
const RESULT = 1;
const STARTED = 2;
const WAITING = 0;

interface MatchWorker {
  worker: Worker;
  shared: Int32Array;
}

let matchWorker: MatchWorker | undefined;

function startWorker(): MatchWorker | undefined {
  const shared = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: shared.buffer });
  // The worker must never keep the process alive (the CLI exits when its work is done).
  worker.unref();
  worker.on('error', () => {
    if (matchWorker?.worker === worker) matchWorker = undefined;
  });
  if (Atomics.wait(shared, STARTED, 0, WORKER_START_BUDGET_MS) === 'timed-out') {
    void worker.terminate();
    return undefined;
  }
  return { worker, shared };
}

/** Runs one match in the worker, blocking this thread for at most MATCH_BUDGET_MS. */
function matchInWorker(source: string, flags: string, value: string): PatternMatch {
  matchWorker ??= startWorker();
  const current = matchWorker;
  if (!current) return { ok: false, reason: 'the pattern could not be checked safely (no worker thread available)' };
  Atomics.store(current.shared, STATE, WAITING);
  current.worker.postMessage({ source, flags, value });
  if (Atomics.wait(current.shared, STATE, WAITING, MATCH_BUDGET_MS) === 'timed-out') {
    // The worker is stuck in backtracking; only terminating it stops that.
    void current.worker.terminate();
    matchWorker = undefined;
    return { ok: false, reason: `matching took longer than ${MATCH_BUDGET_MS} ms (catastrophic backtracking)` };
  }
  const result = Atomics.load(current.shared, RESULT);
  if (result === -1) return { ok: false, reason: 'invalid regular expression' };
  return { ok: true, matches: result === 1 };
}

/**
 * Tests `value` against `pattern` like the web form does (`new RegExp(pattern).test(value)`), never hanging. A pattern
 * with a single repetition runs here; anything more could hide polynomial or exponential backtracking that the static
 * analysis does not see, so it runs in the worker under a time budget.
 */
export function matchPattern(pattern: string, value: string): PatternMatch {
  const compiled = compile(pattern);
  if (!(compiled instanceof RegExp)) return { ok: false, reason: compiled.reason };
  const shape = analysePattern(pattern);
  if (shape.risky || shape.repetitions > 1) return matchInWorker(compiled.source, compiled.flags, value);
  return { ok: true, matches: compiled.test(value) };
}
