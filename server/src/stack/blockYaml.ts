import { Document, isMap, isPair, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { LIMITS, YAML_OPTIONS } from './model';
import { IndentedLine, indentedLines } from './text';

/**
 * A line-at-a-time reader for the plain block YAML that large stack files are made of: block mappings and
 * sequences of one-line plain or quoted scalars, `[]`, `{}` and one-line flow sequences of such scalars, with
 * comments after a value, after a key that opens a block, and at the end. It builds the very nodes (classes,
 * values, tags, ranges, comments) that the `yaml` package composes for the same text, and gives up — returning
 * undefined — on anything else (other comments, block or multi-line scalars, other flow collections, escapes, tags,
 * anchors, odd indentation), so the caller parses that text with `yaml` instead.
 *
 * It exists for speed: before V8 has optimised the `yaml` package, its character-by-character lexer takes most of
 * a cold start; this reader does a few regular-expression matches per line instead.
 */
export function parseBlockYaml(text: string, base = 0): YAMLMap | undefined {
  if (UNSUPPORTED_TEXT.test(text)) return undefined;
  try {
    return new BlockReader(text, base).document();
  } catch {
    // UNSUPPORTED, or anything unexpected: the text is left to yaml.
    return undefined;
  }
}

/** A block sequence read on its own (one chunk of a long sequence), or undefined when yaml must read it. */
export function parseBlockYamlSequence(text: string, base = 0): YAMLSeq | undefined {
  if (UNSUPPORTED_TEXT.test(text)) return undefined;
  try {
    return new BlockReader(text, base).sequenceDocument();
  } catch {
    return undefined;
  }
}

/** Escapes, tags, anchors, aliases, tabs, control characters and other line breaks need the full parser. */
// eslint-disable-next-line no-control-regex
const UNSUPPORTED_TEXT = /\\|[!&*]|[\x00-\x09\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/;
/** How a plain scalar cannot start: with an indicator, or `-`, `?`, `:` followed by a space. */
const PLAIN_START = /^(?:[[\]{},#&*!|>'"%@`]|[-?:](?: |$))/;
const FLOW_INDICATORS = ',[]{}';
/** yaml refuses implicit keys longer than 1024 characters. */
const MAX_KEY_LENGTH = 1000;

const UNSUPPORTED = Symbol('unsupported');
function unsupported(): never {
  throw UNSUPPORTED;
}

type Tag = {
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  resolve: (value: string, onError: (message: string) => void, options: object) => unknown;
};

/** The YAML 1.1 schema's implicit tags and options, as `yaml` uses them for stack files. */
const { tags: TAGS, options: RESOLVE_OPTIONS } = (() => {
  const document = new Document(undefined, YAML_OPTIONS);
  const schema = document.schema as unknown as { tags: Tag[]; compat?: unknown };
  // With compat tags yaml would also warn about ambiguous scalars; stack files are read without them.
  if (schema.compat) throw new Error('blockYaml: the YAML 1.1 schema unexpectedly has compat tags');
  return { tags: schema.tags, options: document.options };
})();

class BlockReader {
  private readonly lines: IndentedLine[];
  private index = 0;
  /** How many collections enclose the current line. */
  private depth = 0;
  /** Blank lines were skipped before the current line: yaml marks the next node with `spaceBefore`. */
  private afterBlank = false;

  constructor(
    private readonly text: string,
    /** Where the text starts in its document: node ranges are document offsets. */
    private readonly base: number,
  ) {
    this.lines = indentedLines(text);
  }

  document(): YAMLMap {
    this.skipBlank();
    // A document opened by blank lines gives its first node `spaceBefore`; leave that rare case to yaml.
    if (this.afterBlank || this.index >= this.lines.length) unsupported();
    const line = this.lines[this.index];
    if (this.isSequenceEntry(line, line.indent)) unsupported();
    const map = this.mapping(line.indent, line.start + line.indent);
    this.skipBlank();
    this.trailingComments(map, line.indent);
    this.skipBlank();
    if (this.index < this.lines.length) unsupported();
    return map;
  }

  sequenceDocument(): YAMLSeq {
    this.skipBlank();
    if (this.afterBlank || this.index >= this.lines.length) unsupported();
    const line = this.lines[this.index];
    if (!this.isSequenceEntry(line, line.indent)) unsupported();
    const seq = this.sequence(line.indent);
    this.skipBlank();
    if (this.index < this.lines.length) unsupported();
    return seq;
  }

  /**
   * Comment lines after the last entry, at the mapping's own indentation and without blank lines among or after
   * them: yaml keeps them as the mapping's `comment`, or the document's at column 0. (A chunk of a stack file
   * often ends with the comment that introduces the next service.) Other arrangements are left to yaml, whose
   * placement of them is subtler.
   */
  private trailingComments(map: YAMLMap, indent: number): void {
    const last = deepestLast(map);
    const comments: string[] = [];
    let end = 0;
    for (; this.index < this.lines.length && this.lines[this.index].start < this.text.length; this.index++) {
      const line = this.lines[this.index];
      const at = line.start + indent;
      // An empty value before comments, or a comment without text, is placed differently.
      if (line.indent !== indent || this.text[at] !== '#' || at + 1 === line.end || isEmpty(last)) unsupported();
      comments.push(this.text.slice(at + 1, line.end));
      end = line.end < this.text.length ? line.end + 1 : line.end;
    }
    // At column 0 they belong to the document instead.
    if (comments.length === 0 || indent === 0) return;
    map.comment = comments.join('\n');
    map.range = [map.range![0], map.range![1], this.base + end];
  }

  /** Deeper nesting than the model accepts is left to yaml and reported from there (WF012). */
  private enter(): void {
    if (++this.depth > LIMITS.maxNesting) unsupported();
  }

  private skipBlank(): void {
    while (this.index < this.lines.length && this.lines[this.index].blank) {
      // The text's final empty "line" after a trailing newline is not a blank line.
      if (this.lines[this.index].start < this.text.length) this.afterBlank = true;
      this.index++;
    }
  }

  private takeSpaceBefore(node: Scalar | YAMLMap | YAMLSeq): void {
    if (this.afterBlank) node.spaceBefore = true;
    this.afterBlank = false;
  }

  private isSequenceEntry(line: IndentedLine, indent: number): boolean {
    const at = line.start + indent;
    return this.text[at] === '-' && (at + 1 === line.end || this.text[at + 1] === ' ');
  }

  /** A block mapping whose keys sit at column `indent`; its first key starts at `firstKey` on the current line. */
  private mapping(indent: number, firstKey: number): YAMLMap {
    this.enter();
    const map = new YAMLMap();
    let keyAt = firstKey;
    for (;;) {
      const key = this.key(keyAt);
      this.takeSpaceBefore(key.node);
      const value = this.valueAfterKey(key.colon, indent);
      map.items.push(new Pair(key.node, value));
      this.skipBlank();
      if (this.index >= this.lines.length) break;
      const line = this.lines[this.index];
      // A comment line ends the entries; only trailing comments of the document are read (see document()).
      if (line.indent < indent || line.comment) break;
      if (line.indent > indent || this.isSequenceEntry(line, indent)) unsupported();
      keyAt = line.start + indent;
    }
    const first = map.items[0].key as Scalar;
    const end = endOf(map.items[map.items.length - 1]);
    map.range = [first.range![0], end, end];
    this.depth--;
    return map;
  }

  /** A key on the current line starting at `at`, up to its `:`. */
  private key(at: number): { node: Scalar; colon: number } {
    const line = this.lines[this.index];
    const quote = this.text[at];
    let node: Scalar;
    let colon: number;
    if (quote === '"' || quote === "'") {
      const quoted = this.quoted(at, line.end);
      node = quoted.node;
      colon = quoted.end;
      node.range = [this.base + at, this.base + colon, this.base + colon];
    } else {
      colon = this.text.indexOf(':', at);
      while (colon >= 0 && colon < line.end && colon + 1 < line.end && this.text[colon + 1] !== ' ')
        colon = this.text.indexOf(':', colon + 1);
      if (colon < 0 || colon >= line.end || colon === at) unsupported();
      const source = this.text.slice(at, colon);
      if (PLAIN_START.test(source) || source.endsWith(' ') || source.includes(' #')) unsupported();
      node = plainScalar(source, true);
      node.range = [this.base + at, this.base + colon, this.base + colon];
    }
    if (this.text[colon] !== ':' || colon - at > MAX_KEY_LENGTH) unsupported();
    return { node, colon };
  }

  /** The value of the key whose `:` is at `colon`, on the same line or in the indented block below. */
  private valueAfterKey(colon: number, keyIndent: number): Scalar | YAMLMap | YAMLSeq {
    const line = this.lines[this.index];
    const after = colon + 1;
    if (after === line.end) {
      this.index++;
      this.skipBlank();
      const next = this.lines[this.index];
      if (next && next.indent > keyIndent) return this.block(next.indent);
      // A sequence may sit at its key's own indentation.
      if (next && next.indent === keyIndent && this.isSequenceEntry(next, keyIndent)) return this.block(keyIndent);
      if (this.afterBlank) unsupported();
      return emptyScalar(this.base + after);
    }
    if (this.text[after] !== ' ') unsupported();
    let at = after + 1;
    while (this.text.charCodeAt(at) === 32) at++;
    if (at === line.end) unsupported();
    if (this.text[at] === '#') return this.blockAfterComment(at, keyIndent);
    return this.inlineValue(at);
  }

  /** `key: # comment` followed directly by an indented block: yaml gives the block the comment as `commentBefore`. */
  private blockAfterComment(hash: number, keyIndent: number): YAMLMap | YAMLSeq {
    const comment = this.text.slice(hash + 1, this.lines[this.index].end);
    this.index++;
    const next = this.lines[this.index];
    if (!comment || !next || next.blank || next.indent <= keyIndent || next.comment) unsupported();
    const node = this.block(next.indent);
    node.commentBefore = comment;
    return node;
  }

  /** The mapping or sequence whose lines start at column `indent`, beginning with the current line. */
  private block(indent: number): YAMLMap | YAMLSeq {
    const line = this.lines[this.index];
    // Blank lines before a nested block mark the block, not its first entry.
    const spaceBefore = this.afterBlank;
    this.afterBlank = false;
    const node = this.isSequenceEntry(line, indent) ? this.sequence(indent) : this.mapping(indent, line.start + indent);
    if (spaceBefore) node.spaceBefore = true;
    return node;
  }

  private sequence(indent: number): YAMLSeq {
    this.enter();
    const seq = new YAMLSeq();
    const firstDash = this.lines[this.index].start + indent;
    for (;;) {
      const line = this.lines[this.index];
      const dash = line.start + indent;
      if (dash + 1 === line.end) unsupported();
      let at = dash + 2;
      while (this.text.charCodeAt(at) === 32) at++;
      if (at === line.end || this.isSequenceEntry(line, at - line.start)) unsupported();
      const spaceBefore = this.afterBlank;
      this.afterBlank = false;
      const item = this.looksLikeKey(at, line.end) ? this.mapping(at - line.start, at) : this.inlineValue(at);
      if (spaceBefore) item.spaceBefore = true;
      seq.items.push(item);
      this.skipBlank();
      if (this.index >= this.lines.length) break;
      const next = this.lines[this.index];
      if (next.indent < indent) break;
      if (next.indent > indent) unsupported();
      if (!this.isSequenceEntry(next, indent)) break;
    }
    const last = seq.items[seq.items.length - 1] as Scalar | YAMLMap;
    seq.range = [this.base + firstDash, last.range![2], last.range![2]];
    this.depth--;
    return seq;
  }

  /** Whether the text at `at` is a `key:` rather than a scalar (a compact mapping inside a sequence entry). */
  private looksLikeKey(at: number, lineEnd: number): boolean {
    const quote = this.text[at];
    if (quote === '"' || quote === "'") {
      const close = this.text.indexOf(quote, at + 1);
      return close >= 0 && close < lineEnd && this.text[close + 1] === ':';
    }
    for (
      let colon = this.text.indexOf(':', at);
      colon >= 0 && colon < lineEnd;
      colon = this.text.indexOf(':', colon + 1)
    )
      if (colon + 1 === lineEnd || this.text[colon + 1] === ' ') return true;
    return false;
  }

  /** A value that runs from `at` to the end of the current line; moves to the next line. */
  private inlineValue(at: number): Scalar | YAMLSeq | YAMLMap {
    const first = this.text[at];
    return first === '[' || first === '{' ? this.flowCollection(at) : this.inlineScalar(at);
  }

  /** `[]`, `{}` or a one-line flow sequence of scalars (`["80:80", "443:443"]`). */
  private flowCollection(at: number): YAMLSeq | YAMLMap {
    const line = this.lines[this.index];
    const isSequence = this.text[at] === '[';
    const collection = isSequence ? new YAMLSeq() : new YAMLMap();
    collection.flow = true;
    let position = this.skipSpaces(at + 1);
    if (this.text[position] !== (isSequence ? ']' : '}')) {
      if (!isSequence) unsupported();
      for (;;) {
        const item = this.flowItem(position, line.end);
        collection.items.push(item.node as never);
        position = item.next;
        if (this.text[position] === ']') break;
        if (this.text[position] !== ',') unsupported();
        position = this.skipSpaces(position + 1);
        // A trailing comma and an empty entry are left to yaml.
        if (this.text[position] === ']' || this.text[position] === ',') unsupported();
      }
    }
    this.lineComment(collection, position + 1, line.end);
    const end = line.end < this.text.length ? line.end + 1 : line.end;
    collection.range = [this.base + at, this.base + position + 1, this.base + end];
    this.index++;
    return collection;
  }

  /** One scalar of a flow sequence; `next` is where the `,` or `]` after it (and its spaces) is. */
  private flowItem(at: number, lineEnd: number): { node: Scalar; next: number } {
    let node: Scalar;
    let valueEnd: number;
    const first = this.text[at];
    if (first === '"' || first === "'") {
      const quoted = this.quoted(at, lineEnd);
      node = quoted.node;
      valueEnd = quoted.end;
    } else {
      let stop = at;
      while (stop < lineEnd && !FLOW_INDICATORS.includes(this.text[stop])) stop++;
      valueEnd = stop;
      while (valueEnd > at && this.text.charCodeAt(valueEnd - 1) === 32) valueEnd--;
      const source = this.text.slice(at, valueEnd);
      // In a flow sequence `a: b` is a one-pair mapping; any colon is left to yaml.
      if (!source || PLAIN_START.test(source) || source.includes(':') || source.includes(' #')) unsupported();
      node = plainScalar(source, false);
    }
    const next = this.skipSpaces(valueEnd);
    if (next >= lineEnd) unsupported();
    node.range = [this.base + at, this.base + valueEnd, this.base + next];
    return { node, next };
  }

  private skipSpaces(at: number): number {
    while (this.text.charCodeAt(at) === 32) at++;
    return at;
  }

  /** A one-line scalar at `at` that runs to the end of the current line; moves to the next line. */
  private inlineScalar(at: number): Scalar {
    const line = this.lines[this.index];
    let node: Scalar;
    let valueEnd: number;
    const first = this.text[at];
    if (first === '"' || first === "'") {
      const quoted = this.quoted(at, line.end);
      node = quoted.node;
      valueEnd = quoted.end;
      this.lineComment(node, valueEnd, line.end);
    } else {
      // A ` #` starts a comment that ends the scalar.
      const hash = this.text.indexOf(' #', at);
      valueEnd = hash >= 0 && hash < line.end ? hash : line.end;
      while (this.text.charCodeAt(valueEnd - 1) === 32) valueEnd--;
      const source = this.text.slice(at, valueEnd);
      // `: ` would make a mapping, a trailing `:` too; the first character must not be an indicator.
      if (PLAIN_START.test(source) || source.includes(': ') || source.endsWith(':')) unsupported();
      node = plainScalar(source, false);
      this.lineComment(node, valueEnd, line.end);
    }
    const end = line.end < this.text.length ? line.end + 1 : line.end;
    node.range = [this.base + at, this.base + valueEnd, this.base + end];
    this.index++;
    return node;
  }

  /** After a value, only spaces and perhaps a comment, which yaml keeps as the value's `comment`, may follow. */
  private lineComment(node: Scalar | YAMLMap | YAMLSeq, from: number, lineEnd: number): void {
    let at = from;
    while (at < lineEnd && this.text.charCodeAt(at) === 32) at++;
    if (at === lineEnd) return;
    // A comment needs a space before it, and some text (an empty one is placed differently).
    if (this.text[at] !== '#' || at === from || at + 1 === lineEnd) unsupported();
    node.comment = this.text.slice(at + 1, lineEnd);
  }

  /** A single- or double-quoted scalar on one line (no escapes: the text holds no backslash). */
  private quoted(at: number, lineEnd: number): { node: Scalar; end: number } {
    const quote = this.text[at];
    let close = this.text.indexOf(quote, at + 1);
    if (quote === "'") while (close >= 0 && this.text[close + 1] === "'") close = this.text.indexOf("'", close + 2);
    if (close < 0 || close >= lineEnd) unsupported();
    const raw = this.text.slice(at + 1, close);
    const value = quote === "'" ? raw.replaceAll("''", "'") : raw;
    const node = new Scalar(value);
    node.source = value;
    node.type = quote === '"' ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
    return { node, end: close + 1 };
  }
}

/** A plain scalar resolved by the schema's implicit tags, as yaml's composer does. */
/** The tags yaml tries on a plain value (or key), and one regular expression that any of them would match. */
function implicitTags(atKey: boolean): { tags: Tag[]; any: RegExp } {
  const tags = TAGS.filter((tag) => (tag.default === true || (atKey && tag.default === 'key')) && tag.test);
  // Flags cannot be combined into one expression; then every scalar is tried tag by tag.
  const combinable = tags.every((tag) => tag.test!.flags === '');
  return { tags, any: combinable ? new RegExp(tags.map((tag) => `(?:${tag.test!.source})`).join('|')) : /(?:)/ };
}
const VALUE_TAGS = implicitTags(false);
const KEY_TAGS = implicitTags(true);

function plainScalar(source: string, atKey: boolean): Scalar {
  // Most plain scalars are strings: one native regex test rules the typed ones out before trying each tag.
  const implicit = atKey ? KEY_TAGS : VALUE_TAGS;
  const tag = implicit.any.test(source) ? implicit.tags.find((candidate) => candidate.test!.test(source)) : undefined;
  let node: Scalar;
  if (tag) {
    let failed = false;
    const resolved = tag.resolve(source, () => (failed = true), RESOLVE_OPTIONS);
    if (failed) unsupported();
    node = isScalar(resolved) ? resolved : new Scalar(resolved);
    if (tag.format) node.format = tag.format;
  } else {
    node = new Scalar(source);
  }
  node.source = source;
  node.type = Scalar.PLAIN;
  return node;
}

/** The null of `key:` with nothing after it: yaml places it just after the colon. */
function emptyScalar(at: number): Scalar {
  const node = new Scalar(null);
  node.range = [at, at, at];
  node.source = '';
  node.type = Scalar.PLAIN;
  return node;
}

/** The node that ends a collection: its last entry's value, followed down. */
function deepestLast(node: Scalar | YAMLMap | YAMLSeq): Scalar | YAMLMap | YAMLSeq {
  if (!isMap(node) && !isSeq(node)) return node;
  const last = node.items[node.items.length - 1] as Pair | Scalar | YAMLMap | YAMLSeq | undefined;
  if (!last) return node;
  return deepestLast((isPair(last) ? last.value : last) as Scalar | YAMLMap | YAMLSeq);
}

function isEmpty(node: Scalar | YAMLMap | YAMLSeq): boolean {
  return isScalar(node) && node.value === null;
}

function endOf(pair: Pair): number {
  return (pair.value as Scalar | YAMLMap | YAMLSeq).range![2];
}
