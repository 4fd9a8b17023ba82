import { Scalar } from 'yaml';

/**
 * Maps each UTF-16 index of a string scalar's parsed value to the offset, relative to the scalar's start, of the
 * source character that produced it, for every YAML scalar style (plain, quoted with escapes and folding, literal
 * and folded blocks). `offsets` has one more entry than the value: the end of the value. Offsets are relative so a
 * map stays valid when the scalar moves, and can be shared by identical scalars.
 */
export interface ScalarSourceMap {
  offsets: number[];
  /** False when our re-reading of the source did not reproduce the parser's value; offsets are then approximate. */
  exact: boolean;
}

interface Piece {
  text: string;
  offset: number;
}

const cache = new Map<string, ScalarSourceMap>();
const CACHE_LIMIT = 100_000;

export function mapScalarSource(text: string, node: Scalar): ScalarSourceMap | undefined {
  if (typeof node.value !== 'string' || !node.range) return undefined;
  const [nodeStart, valueEnd] = node.range;
  const verbatim = verbatimShift(text, nodeStart, valueEnd, node.type, node.value);
  if (verbatim !== undefined) return verbatimMap(node.value, verbatim, valueEnd - nodeStart);
  return mapByPieces(text, node);
}

/** The general reading, piece by piece of source; exported so tests can hold the shortcut above to it. */
export function mapByPieces(text: string, node: Scalar): ScalarSourceMap | undefined {
  if (typeof node.value !== 'string' || !node.range) return undefined;
  const [nodeStart, valueEnd] = node.range;
  const raw = text.slice(nodeStart, valueEnd);
  const parentIndent =
    node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED ? lineIndentAt(text, nodeStart) : 0;
  const key = `${node.type}\u0000${parentIndent}\u0000${raw}`;
  const cached = cache.get(key);
  if (cached) return cached;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const map = buildMap(raw, node.type, node.value, parentIndent);
  cache.set(key, map);
  return map;
}

/**
 * Most scalars are one line written exactly as their value, bare or between quotes, without escapes: then value
 * character i sits at source offset i (or i + 1 after a quote) and no pieces need to be read. Returns that shift.
 */
function verbatimShift(
  text: string,
  start: number,
  end: number,
  type: Scalar['type'],
  value: string,
): number | undefined {
  const quoted = type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE;
  if (!quoted && type !== Scalar.PLAIN) return undefined;
  const shift = quoted ? 1 : 0;
  if (end - start !== value.length + 2 * shift || !text.startsWith(value, start + shift)) return undefined;
  // An escape or a line break inside would have changed the value's length or text; a doubled quote too.
  return value.includes('\n') || (type === Scalar.QUOTE_DOUBLE && value.includes('\\')) ? undefined : shift;
}

function verbatimMap(value: string, shift: number, sourceLength: number): ScalarSourceMap {
  const offsets = new Array<number>(value.length + 1);
  for (let i = 0; i < value.length; i++) offsets[i] = i + shift;
  // Like lastSourceEnd: the end follows the last character that is not a space or a line break.
  let last = value.length - 1;
  while (last >= 0 && (value[last] === ' ' || value[last] === '\n')) last--;
  offsets[value.length] = value.length === 0 ? 0 : last >= 0 ? last + shift + 1 : sourceLength;
  return { offsets, exact: true };
}

function buildMap(raw: string, type: Scalar['type'], value: string, parentIndent: number): ScalarSourceMap {
  const start = 0;
  const valueEnd = raw.length;
  let pieces: Piece[] | undefined;
  switch (type) {
    case Scalar.PLAIN:
      pieces = foldFlowLines(raw, start, false);
      break;
    case Scalar.QUOTE_SINGLE:
      pieces = readSingleQuoted(raw, start);
      break;
    case Scalar.QUOTE_DOUBLE:
      pieces = readDoubleQuoted(raw, start);
      break;
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED:
      pieces = readBlock(raw, start, type === Scalar.BLOCK_FOLDED, parentIndent);
      break;
  }
  if (pieces) {
    const offsets: number[] = [];
    let built = '';
    for (const piece of pieces) {
      built += piece.text;
      for (let i = 0; i < piece.text.length; i++) offsets.push(piece.offset);
    }
    if (built === value) {
      offsets.push(offsets.length ? lastSourceEnd(pieces, valueEnd) : start);
      return { offsets, exact: true };
    }
  }
  // Fall back to a proportional mapping inside the scalar so a position is never lost entirely.
  const offsets: number[] = [];
  const span = Math.max(1, valueEnd - start);
  for (let i = 0; i <= value.length; i++)
    offsets.push(start + Math.min(span, Math.round((i * span) / Math.max(1, value.length))));
  return { offsets, exact: false };
}

function lastSourceEnd(pieces: Piece[], fallback: number): number {
  for (let i = pieces.length - 1; i >= 0; i--) {
    const piece = pieces[i];
    if (piece.text.length > 0 && piece.text !== '\n' && piece.text !== ' ') return piece.offset + 1;
  }
  return fallback;
}

interface SourceLine {
  text: string;
  offset: number;
}

function splitLines(raw: string, base: number): SourceLine[] {
  const lines: SourceLine[] = [];
  let lineStart = 0;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '\n' || ch === '\r') {
      lines.push({ text: raw.slice(lineStart, i), offset: base + lineStart });
      if (ch === '\r' && raw[i + 1] === '\n') i++;
      lineStart = i + 1;
    }
  }
  lines.push({ text: raw.slice(lineStart), offset: base + lineStart });
  return lines;
}

const isBlank = (ch: string) => ch === ' ' || ch === '\t';

/**
 * Flow folding shared by plain and quoted scalars: leading/trailing blanks of continuation lines vanish, a single
 * line break becomes a space, and each empty line becomes a newline. `keepFirstLeading` is for quoted scalars,
 * whose first line keeps its leading blanks and whose last line keeps its trailing ones.
 */
function foldFlowLines(raw: string, base: number, quoted: boolean): Piece[] {
  const lines = splitLines(raw, base);
  const pieces: Piece[] = [];
  let pendingBreaks = 0;
  let breakOffset = base;
  lines.forEach((line, index) => {
    let from = 0;
    let to = line.text.length;
    const first = index === 0;
    const last = index === lines.length - 1;
    if (!first) while (from < to && isBlank(line.text[from])) from++;
    if (!last || !quoted) while (to > from && isBlank(line.text[to - 1])) to--;
    const content = line.text.slice(from, to);
    if (!first) {
      if (content.length === 0 && !last) {
        pendingBreaks++;
        return;
      }
      if (pendingBreaks > 0) for (let b = 0; b < pendingBreaks; b++) pieces.push({ text: '\n', offset: breakOffset });
      else pieces.push({ text: ' ', offset: breakOffset });
      pendingBreaks = 0;
    }
    for (let i = 0; i < content.length; i++) pieces.push({ text: content[i], offset: line.offset + from + i });
    breakOffset = line.offset + line.text.length;
  });
  return pieces;
}

function readSingleQuoted(raw: string, base: number): Piece[] {
  const inner = raw.slice(1, raw.endsWith("'") && raw.length > 1 ? -1 : undefined);
  const folded = foldFlowLines(inner, base + 1, true);
  const pieces: Piece[] = [];
  for (let i = 0; i < folded.length; i++) {
    pieces.push(folded[i]);
    if (folded[i].text === "'" && folded[i + 1]?.text === "'" && folded[i + 1].offset === folded[i].offset + 1) i++;
  }
  return pieces;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

function readDoubleQuoted(raw: string, base: number): Piece[] {
  const inner = raw.slice(1, raw.endsWith('"') && raw.length > 1 ? -1 : undefined);
  const innerBase = base + 1;
  const lines = splitLines(inner, innerBase);
  const pieces: Piece[] = [];
  let pendingBreaks = 0;
  let joinWithoutSpace = false;
  let breakOffset = innerBase;
  lines.forEach((line, index) => {
    const first = index === 0;
    const last = index === lines.length - 1;
    let from = 0;
    let to = line.text.length;
    if (!first) while (from < to && isBlank(line.text[from])) from++;
    let escapedBreak = false;
    if (!last) {
      // An odd number of trailing backslashes escapes the line break: lines join without a space.
      let t = to;
      while (t > from && isBlank(line.text[t - 1])) t--;
      let slashes = 0;
      while (t - slashes - 1 >= from && line.text[t - slashes - 1] === '\\') slashes++;
      if (slashes % 2 === 1) {
        escapedBreak = true;
        to = t - 1;
      } else to = t;
    }
    const content = line.text.slice(from, to);
    if (!first) {
      if (content.length === 0 && !last && !escapedBreak) {
        pendingBreaks++;
        return;
      }
      if (!joinWithoutSpace) {
        if (pendingBreaks > 0) for (let b = 0; b < pendingBreaks; b++) pieces.push({ text: '\n', offset: breakOffset });
        else pieces.push({ text: ' ', offset: breakOffset });
      }
      pendingBreaks = 0;
    }
    joinWithoutSpace = escapedBreak;
    for (let i = 0; i < content.length; i++) {
      const at = line.offset + from + i;
      const ch = content[i];
      if (ch !== '\\' || i + 1 >= content.length) {
        pieces.push({ text: ch, offset: at });
        continue;
      }
      const next = content[i + 1];
      const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
      if (hexLength > 0) {
        const code = parseInt(content.slice(i + 2, i + 2 + hexLength), 16);
        pieces.push({
          text: Number.isNaN(code) ? content.slice(i, i + 2 + hexLength) : String.fromCodePoint(code),
          offset: at,
        });
        i += 1 + hexLength;
      } else if (next in SIMPLE_ESCAPES) {
        pieces.push({ text: SIMPLE_ESCAPES[next], offset: at });
        i += 1;
      } else pieces.push({ text: ch, offset: at });
    }
    breakOffset = line.offset + line.text.length;
  });
  return pieces;
}

function readBlock(raw: string, base: number, folded: boolean, parentIndent: number): Piece[] {
  const lines = splitLines(raw, base);
  const header = lines.shift();
  if (!header) return [];
  // The piece after the final line break is not a line of the scalar.
  if (lines.length > 0 && lines[lines.length - 1].text === '' && /[\r\n]$/.test(raw)) lines.pop();
  const indicator = /^[|>]([-+]?)([1-9]?)([-+]?)/.exec(header.text.trim());
  const chomp = indicator ? indicator[1] || indicator[3] : '';
  const explicitIndent = indicator && indicator[2] ? Number(indicator[2]) : 0;
  const firstContent = lines.find((line) => line.text.trim().length > 0);
  const indent = explicitIndent ? parentIndent + explicitIndent : firstContent ? leadingSpaces(firstContent.text) : 0;
  // Lines after the last content line are trailing breaks, governed by chomping.
  let lastContent = lines.length - 1;
  while (
    lastContent >= 0 &&
    lines[lastContent].text.slice(indent).trim().length === 0 &&
    leadingSpaces(lines[lastContent].text) <= indent
  )
    lastContent--;
  const pieces: Piece[] = [];
  let previousMoreIndented = false;
  let previousWasContent = false;
  let pendingBreaks: number[] = [];
  for (let index = 0; index <= lastContent; index++) {
    const line = lines[index];
    const body = line.text.length > indent ? line.text.slice(indent) : '';
    const empty = line.text.trim().length === 0 && line.text.length <= indent;
    if (empty) {
      pendingBreaks.push(line.offset + Math.min(line.text.length, indent));
      continue;
    }
    const moreIndented = isBlank(body[0] ?? '');
    if (previousWasContent) {
      const previousBreak = lines[index - 1 - pendingBreaks.length];
      const breakAt = previousBreak.offset + previousBreak.text.length;
      if (folded && !moreIndented && !previousMoreIndented) {
        if (pendingBreaks.length === 0) pieces.push({ text: ' ', offset: breakAt });
      } else pieces.push({ text: '\n', offset: breakAt });
    }
    for (const at of pendingBreaks) pieces.push({ text: '\n', offset: at });
    pendingBreaks = [];
    for (let i = 0; i < body.length; i++) pieces.push({ text: body[i], offset: line.offset + indent + i });
    previousMoreIndented = moreIndented;
    previousWasContent = true;
  }
  if (chomp !== '-' && lastContent >= 0) {
    const line = lines[lastContent];
    pieces.push({ text: '\n', offset: line.offset + line.text.length });
    if (chomp === '+')
      for (let i = lastContent + 1; i < lines.length; i++)
        pieces.push({ text: '\n', offset: lines[i].offset + lines[i].text.length });
  }
  return pieces;
}

/** Indentation of the line holding `offset`: the parent indentation an explicit block indentation adds to. */
function lineIndentAt(text: string, offset: number): number {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return leadingSpaces(text.slice(lineStart, offset));
}

function leadingSpaces(text: string): number {
  let n = 0;
  while (n < text.length && text[n] === ' ') n++;
  return n;
}
