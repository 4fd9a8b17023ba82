import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Node,
  Pair,
  parseDocument,
  Scalar,
  YAMLMap,
  YAMLSeq,
} from 'yaml';
import { parseBlockYaml, parseBlockYamlSequence } from './blockYaml';
import { IndentedLine, indentedLines } from './text';
import { buildModel, LeafCache, LIMITS, oversizedModel, readYaml, StackModel, YAML_OPTIONS } from './model';

/**
 * Re-reads a stack file after an edit by parsing only the parts whose text changed.
 *
 * The text is cut into chunks along block-mapping keys: each top-level section, and inside a large section each of
 * its entries (so a 700-service Compose template becomes one chunk per service), or each item of a long block
 * sequence without comments (so a Kubernetes `kind: List` becomes one chunk per object). A chunk is parsed on its own; an
 * unchanged chunk is reused from the previous update and only shifted to its new offset. Whenever the text has
 * anything that could make a chunk depend on another (anchors, aliases, merge keys, tabs, several documents, flow
 * collections or quoted scalars spanning chunks, any parse error), it falls back to a full parse, so the model is
 * always the one `parseStack` would build.
 *
 * Reused nodes are shifted in place: a model returned by `update` is superseded by the next call.
 */
export class IncrementalStackParser {
  private reusable = new Map<string, ParsedChunk[]>();
  private readonly leafCache = new LeafCache();
  /** How the last update was made, for tests and benchmarks. */
  lastUpdate: { mode: 'full' | 'chunks'; parsedChunks: number; reusedChunks: number } = {
    mode: 'full',
    parsedChunks: 0,
    reusedChunks: 0,
  };

  update(text: string, uri?: string): StackModel {
    if (text.length > LIMITS.maxLength) {
      this.reusable.clear();
      return oversizedModel(text, uri);
    }
    const stitched = this.stitch(text);
    if (stitched) return buildModel(text, stitched, uri, this.leafCache);
    this.reusable.clear();
    this.lastUpdate = { mode: 'full', parsedChunks: 0, reusedChunks: 0 };
    return buildModel(text, readYaml(text), uri);
  }

  private stitch(text: string): Document.Parsed | undefined {
    if (text.length < MIN_INCREMENTAL_LENGTH || UNSAFE_TEXT.test(text)) return undefined;
    const lines = indentedLines(text);
    const entries = splitEntries(text, lines, 0, lines.length, 0);
    if (!entries || entries.length === 0) return undefined;
    const previous = this.reusable;
    const next = new Map<string, ParsedChunk[]>();
    const counts = { parsed: 0, reused: 0 };
    const take = (chunkText: string, start: number): Pair | Node | undefined => {
      const candidates = previous.get(chunkText);
      let chunk = candidates?.pop();
      if (chunk) {
        if (chunk.start !== start) shiftChunk(chunk.node, start - chunk.start);
        chunk.start = start;
        counts.reused++;
      } else {
        // Only sequence items start with their `-`; every other chunk is one mapping entry.
        const node = /^ *- /.test(chunkText) ? parseItemChunk(chunkText, start) : parseChunk(chunkText, start);
        if (!node) return undefined;
        chunk = { node, start };
        counts.parsed++;
      }
      const list = next.get(chunkText);
      if (list) list.push(chunk);
      else next.set(chunkText, [chunk]);
      return chunk.node;
    };
    const pairs = buildPairs(text, entries, take);
    if (!pairs) {
      this.reusable = next;
      return undefined;
    }
    this.reusable = next;
    this.lastUpdate = { mode: 'chunks', parsedChunks: counts.parsed, reusedChunks: counts.reused };
    const root = mapOf(pairs);
    root.range = [root.range![0], root.range![1], text.length];
    const document = new Document(undefined, YAML_OPTIONS) as Document.Parsed;
    document.contents = root as YAMLMap.Parsed;
    document.range = [0, text.length, text.length];
    return document;
  }
}

interface ParsedChunk {
  /** A mapping entry, or the node of a sequence item. */
  node: Pair | Node;
  start: number;
}

/** One block-mapping entry: its text runs from `start` to `end`; large ones are split into `children`. */
interface Entry {
  start: number;
  end: number;
  /** Where the first child entry starts, when the entry is split. */
  children?: Entry[];
  /** The items of the entry's block sequence, when that is split instead. */
  items?: Entry[];
}

const MIN_INCREMENTAL_LENGTH = 20_000;
/** Entries longer than this many lines are split into their own entries. */
const SPLIT_LINES = 40;
/** Anchors, aliases, merge keys, tabs, CR, directives and document markers make chunks interdependent. */
const UNSAFE_TEXT = /[&*][^\s,\]}]|<<|\t|\r|^%|^---|^\.\.\./m;
/** A simple block-mapping key: plain, single- or double-quoted, followed by ':' and a space or end of line. */
const KEY_LINE = /^ *(?:[A-Za-z0-9_$][^:#\n]*?|"[^"\n]*"|'[^'\n]*') *:(?: |$)/;
/** A key line whose value continues on the next lines (nothing after the colon but a comment). */
const BLOCK_KEY_LINE = /^ *(?:[A-Za-z0-9_$][^:#\n]*?|"[^"\n]*"|'[^'\n]*') *:\s*(?:#.*)?$/;

/** Cuts lines [from, to) into entries at `indent`, or gives up when the block is not a plain block mapping. */
function splitEntries(
  text: string,
  lines: IndentedLine[],
  from: number,
  to: number,
  indent: number,
): Entry[] | undefined {
  const starts: number[] = [];
  for (let i = from; i < to; i++) {
    const line = lines[i];
    if (line.blank || line.comment) continue;
    if (line.indent < indent) return undefined;
    if (line.indent === indent) {
      if (!KEY_LINE.test(text.slice(line.start, line.end))) return undefined;
      starts.push(i);
    }
  }
  if (starts.length === 0) return undefined;
  const entries: Entry[] = [];
  starts.forEach((lineIndex, k) => {
    const firstLine = k === 0 ? from : lineIndex;
    const lastLine = k + 1 < starts.length ? starts[k + 1] : to;
    const entry: Entry = {
      start: lines[firstLine].start,
      end: lastLine < lines.length ? lines[lastLine].start : text.length,
    };
    if (lastLine - lineIndex > SPLIT_LINES) {
      entry.children = splitChildren(text, lines, lineIndex, lastLine, indent);
      if (!entry.children) entry.items = splitItems(text, lines, lineIndex, lastLine, indent);
    }
    entries.push(entry);
  });
  return entries;
}

function splitChildren(
  text: string,
  lines: IndentedLine[],
  keyLine: number,
  to: number,
  indent: number,
): Entry[] | undefined {
  const header = lines[keyLine];
  if (!BLOCK_KEY_LINE.test(text.slice(header.start, header.end))) return undefined;
  let first = keyLine + 1;
  while (first < to && (lines[first].blank || lines[first].comment)) first++;
  if (first >= to) return undefined;
  const childIndent = lines[first].indent;
  if (childIndent <= indent || text[lines[first].start + childIndent] === '-') return undefined;
  const children = splitEntries(text, lines, first, to, childIndent);
  if (!children) return undefined;
  // The header keeps the key line and anything (comments, blank lines) before the first child.
  children[0].start = lines[first].start;
  return children;
}

/** The items of a block sequence under a key, one entry each; undefined for anything but plain items. */
function splitItems(
  text: string,
  lines: IndentedLine[],
  keyLine: number,
  to: number,
  indent: number,
): Entry[] | undefined {
  const header = lines[keyLine];
  if (!BLOCK_KEY_LINE.test(text.slice(header.start, header.end))) return undefined;
  let first = keyLine + 1;
  while (first < to && lines[first].blank) first++;
  if (first >= to) return undefined;
  const itemIndent = lines[first].indent;
  const items: Entry[] = [];
  for (let i = first; i < to; i++) {
    const line = lines[i];
    if (line.blank) continue;
    // Comments between items are attached by yaml's own rules: those sequences stay one chunk.
    if (line.comment || line.indent < itemIndent) return undefined;
    if (line.indent > itemIndent) continue;
    if (!/^- /.test(text.slice(line.start + itemIndent, line.end))) return undefined;
    if (items.length > 0) items[items.length - 1].end = line.start;
    items.push({ start: line.start, end: to < lines.length ? lines[to].start : text.length });
  }
  return itemIndent > indent && items.length > 1 ? items : undefined;
}

function buildPairs(
  text: string,
  entries: Entry[],
  take: (chunkText: string, start: number) => Pair | Node | undefined,
): Pair[] | undefined {
  const pairs: Pair[] = [];
  for (const entry of entries) {
    if (entry.items) {
      const headerPair = take(text.slice(entry.start, entry.items[0].start), entry.start) as Pair | undefined;
      if (!headerPair || !isScalar(headerPair.value) || headerPair.value.value !== null) return undefined;
      const nodes: Node[] = [];
      for (const item of entry.items) {
        const node = take(text.slice(item.start, item.end), item.start) as Node | undefined;
        if (!node) return undefined;
        nodes.push(node);
      }
      pairs.push(new Pair(headerPair.key, seqOf(nodes, text.indexOf('-', entry.items[0].start))));
      continue;
    }
    if (!entry.children) {
      const pair = take(text.slice(entry.start, entry.end), entry.start) as Pair | undefined;
      if (!pair) return undefined;
      pairs.push(pair);
      continue;
    }
    const headerPair = take(text.slice(entry.start, entry.children[0].start), entry.start) as Pair | undefined;
    if (!headerPair || !isScalar(headerPair.value) || headerPair.value.value !== null) return undefined;
    const childPairs = buildPairs(text, entry.children, take);
    if (!childPairs) return undefined;
    // A fresh pair per update: the header pair is cached and must keep its own (null) value.
    pairs.push(new Pair(headerPair.key, mapOf(childPairs)));
  }
  return pairs;
}

/** A block map over pairs, with the range a full parse gives it. */
function mapOf(pairs: Pair[]): YAMLMap {
  const map = new YAMLMap();
  map.items = pairs;
  const first = pairs[0].key as Node;
  const last = pairs[pairs.length - 1];
  const lastNode = (last.value ?? last.key) as Node;
  map.range = [first.range![0], lastNode.range![1], lastNode.range![2]];
  return map;
}

/** A block sequence over item nodes, with the range a full parse gives it (from its first `-`). */
function seqOf(nodes: Node[], firstDash: number): YAMLSeq {
  const seq = new YAMLSeq();
  seq.items = nodes;
  const end = nodes[nodes.length - 1].range![2];
  seq.range = [firstDash, end, end];
  return seq;
}

/** Parses one sequence item's text on its own (`- …`) and returns its node at the item's offset. */
function parseItemChunk(chunkText: string, start: number): Node | undefined {
  const read = parseBlockYamlSequence(chunkText, start);
  const contents = read ?? parseWithYaml(chunkText);
  if (!isSeq(contents) || contents.items.length !== 1) return undefined;
  const item = contents.items[0] as Node;
  if (!read) shiftNode(item, start);
  return item;
}

/** Parses one entry's text on its own and moves its nodes to the entry's offset; undefined when unsure. */
function parseChunk(chunkText: string, start: number): Pair | undefined {
  // The block reader places its nodes at the entry's offset already; yaml's are moved there.
  const read = parseBlockYaml(chunkText, start);
  const contents = read ?? parseWithYaml(chunkText);
  if (!isMap(contents) || contents.items.length !== 1 || !isScalar(contents.items[0].key)) return undefined;
  const pair = contents.items[0];
  if (!read) shiftPair(pair, start);
  return pair;
}

function parseWithYaml(chunkText: string): unknown {
  const document = parseDocument(chunkText, YAML_OPTIONS);
  return document.errors.length > 0 || document.warnings.length > 0 ? undefined : document.contents;
}

function shiftChunk(node: Pair | Node, delta: number): void {
  if (isPair(node)) shiftPair(node, delta);
  else shiftNode(node, delta);
}

function shiftPair(pair: Pair, delta: number): void {
  shiftNode(pair.key, delta);
  shiftNode(pair.value, delta);
}

function shiftNode(node: unknown, delta: number): void {
  if (isScalar(node) || isAlias(node)) {
    shiftRange(node, delta);
  } else if (isMap(node) || isSeq(node)) {
    shiftRange(node, delta);
    for (const item of node.items) {
      if (isPair(item)) shiftPair(item, delta);
      else shiftNode(item, delta);
    }
  }
}

function shiftRange(node: Node | Scalar, delta: number): void {
  const range = node.range;
  if (range) node.range = [range[0] + delta, range[1] + delta, range[2] + delta];
}
