/**
 * Finding things at a document offset: the string leaf, the Jinja segment, the YAML path. Shared by the features so
 * each of them stays a small function of (model, offset).
 */
import { isMap, isPair, isScalar, isSeq, Node, Pair } from 'yaml';
import type { Range } from 'vscode-languageserver-types';
import { JinjaSegment } from '../stack/jinja';
import { LIMITS, Path, StackModel, StringLeaf, VariableDecl } from '../stack/model';
import { LineIndex, Span } from '../stack/text';

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function toRange(lines: LineIndex, span: Span): Range {
  return { start: lines.positionAt(span.start), end: lines.positionAt(span.end) };
}

export function contains(span: Span, offset: number): boolean {
  return offset >= span.start && offset <= span.end;
}

const leavesInDocumentOrder = new WeakMap<StackModel, StringLeaf[]>();

/**
 * The model's leaves sorted by position, made on first use. The walk already yields each section in order, so the
 * sort only merges a few runs; being stable, it keeps the leaves of one aliased node in walk order.
 */
function sortedLeaves(model: StackModel): StringLeaf[] {
  let sorted = leavesInDocumentOrder.get(model);
  if (!sorted) {
    sorted = [...model.leaves].sort((a, b) => a.node.range![0] - b.node.range![0]);
    leavesInDocumentOrder.set(model, sorted);
  }
  return sorted;
}

/** The rendered string leaf whose scalar (quotes included) holds the offset. */
export function leafAt(model: StackModel, offset: number): StringLeaf | undefined {
  const leaves = sortedLeaves(model);
  // The last leaf starting at or before the offset; scalars do not overlap, so only it can hold the offset.
  let low = 0;
  let high = leaves.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (leaves[mid].node.range![0] <= offset) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  if (found < 0) return undefined;
  const start = leaves[found].node.range![0];
  while (found > 0 && leaves[found - 1].node.range![0] === start) found--;
  const leaf = leaves[found];
  return offset <= leaf.node.range![1] ? leaf : undefined;
}

/** The index in the leaf's value of the character at (or just before) a document offset. */
export function valueIndexAt(leaf: StringLeaf, offset: number): number {
  const offsets = leaf.source.offsets;
  // Source offsets are relative to the start of the scalar (see leafSpan).
  offset -= leaf.node.range![0];
  let low = 0;
  let high = offsets.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (offsets[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

export function segmentAt(leaf: StringLeaf, valueIndex: number): JinjaSegment | undefined {
  return leaf.scan.segments.find((segment) => valueIndex >= segment.span.start && valueIndex <= segment.span.end);
}

/** A pair of the YAML tree with the path that leads to it. */
export interface PairAt {
  pair: Pair;
  path: Path;
  /** The offset is on the key (not the value). */
  onKey: boolean;
}

/** The innermost mapping pair whose key or scalar value holds the offset. */
export function pairAt(model: StackModel, offset: number): PairAt | undefined {
  let found: PairAt | undefined;
  let node: unknown = model.root;
  let path: Path = [];
  for (let depth = 0; depth <= LIMITS.maxNesting && node; depth++) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items) {
        const keyRange = (pair.key as Node | null)?.range;
        const value = pair.value as Node | null;
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if (keyRange && offset >= keyRange[0] && offset <= keyRange[1])
          return { pair, path: [...path, key], onKey: true };
        const valueRange = value?.range;
        if (valueRange && offset >= valueRange[0] && offset <= valueRange[1]) {
          found = { pair, path: [...path, key], onKey: false };
          next = value;
          path = [...path, key];
          break;
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const range = (item as Node | null)?.range;
        if (next === undefined && range && offset >= range[0] && offset <= range[1]) {
          next = item;
          path = [...path, index];
        }
      });
    }
    node = next;
  }
  return found;
}

/** Every pair of a mapping node, skipping anything that is not a scalar-keyed pair. */
export function scalarPairs(node: unknown): { key: string; pair: Pair }[] {
  if (!isMap(node)) return [];
  return node.items
    .filter((pair) => isPair(pair) && isScalar(pair.key))
    .map((pair) => ({ key: String((pair.key as { value: unknown }).value), pair }));
}

/** The declaration whose definition (key to end of value) holds the offset, innermost first. */
export function declarationContaining(model: StackModel, offset: number): VariableDecl | undefined {
  let best: VariableDecl | undefined;
  for (const decl of model.declarations.values()) {
    if (offset >= decl.span.start && offset <= decl.span.end && (!best || decl.span.start >= best.span.start))
      best = decl;
  }
  return best;
}

/** The span of a declaration's name inside its key, without the quotes a quoted key has. */
export function declarationNameSpan(model: StackModel, decl: VariableDecl): Span {
  const at = model.text.indexOf(decl.name, decl.keySpan.start);
  return at >= 0 && at + decl.name.length <= decl.keySpan.end
    ? { start: at, end: at + decl.name.length }
    : decl.keySpan;
}

/** A variable's default as a person would read it, with password defaults hidden. */
export function displayDefault(decl: VariableDecl, maxLength = Infinity): string | undefined {
  if (!('default' in decl.definition) || decl.definition.default === null || decl.definition.default === undefined)
    return undefined;
  if (decl.type === 'password') return '********';
  const value = decl.definition.default;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** Block values end at the start of the next line; ranges shown to users end after their last visible character. */
export function endOfContent(text: string, end: number): number {
  let at = end;
  while (at > 0 && /\s/.test(text[at - 1])) at--;
  return at;
}
