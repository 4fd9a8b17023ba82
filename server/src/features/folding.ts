import { isMap, isPair, isScalar, isSeq, Node, Scalar } from 'yaml';
import { FoldingRange, FoldingRangeKind } from 'vscode-languageserver-types';
import { leafSpan, LIMITS, StackModel } from '../stack/model';
import { endOfContent } from './locate';

/** Jinja block tags and the tag that closes each. */
const JINJA_BLOCKS: Record<string, string> = {
  if: 'endif',
  for: 'endfor',
  macro: 'endmacro',
  call: 'endcall',
  filter: 'endfilter',
  with: 'endwith',
  block: 'endblock',
  raw: 'endraw',
};

/** Folds every multi-line YAML block (mappings, sequences, block scalars) and every multi-line Jinja block. */
export function foldingRanges(model: StackModel): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const lineOf = (offset: number) => model.lines.positionAt(offset).line;
  const add = (startLine: number, endLine: number, kind?: FoldingRangeKind) => {
    if (endLine > startLine) ranges.push(kind ? { startLine, endLine, kind } : { startLine, endLine });
  };
  const lastLineOf = (node: Node) => lineOf(endOfContent(model.text, node.range![1]));

  const pending: { node: unknown; depth: number }[] = [{ node: model.root, depth: 0 }];
  while (pending.length) {
    const { node, depth } = pending.pop()!;
    if (depth > LIMITS.maxNesting) continue;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        if (key?.range && value?.range && foldable(value)) add(lineOf(key.range[0]), lastLineOf(value));
        pending.push({ node: value, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (const item of node.items as (Node | null)[]) {
        if (item?.range && (isMap(item) || isSeq(item))) add(lineOf(item.range[0]), lastLineOf(item));
        pending.push({ node: item, depth: depth + 1 });
      }
    }
  }

  for (const leaf of model.leaves) {
    const open: { tag: string; line: number }[] = [];
    for (const segment of leaf.scan.segments) {
      const tag = segment.tag;
      if (segment.kind !== 'statement' || !tag) continue;
      if (tag in JINJA_BLOCKS) open.push({ tag, line: lineOf(leafSpan(leaf, segment.span).start) });
      else if (open.length && JINJA_BLOCKS[open[open.length - 1].tag] === tag) {
        const opener = open.pop()!;
        // Keep the closing tag visible when folded.
        add(opener.line, lineOf(leafSpan(leaf, segment.span).start) - 1, FoldingRangeKind.Region);
      }
    }
  }
  return ranges.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}

function foldable(node: Node): boolean {
  return (
    isMap(node) ||
    isSeq(node) ||
    (isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED))
  );
}
