/**
 * Shapes of YAML that would turn into data nothing can walk: an alias inside the very node its anchor names
 * (`command: &a ["sh", *a]` is a list that contains itself, infinitely deep), and nesting deeper than the limit.
 * Found on the syntax tree without recursion, before the document becomes data, so a hostile file cannot overflow
 * the stack here or later in rendering and deploying.
 */
import { Alias, Document, isAlias, isMap, isPair, isSeq, Node } from 'yaml';

export interface StructureHazards {
  /** Aliases whose anchored node contains them. */
  selfReferences: Alias[];
  /** The first node deeper than the nesting limit, if any. */
  tooDeep?: Node;
}

export function findStructureHazards(document: Document.Parsed, maxNesting: number): StructureHazards {
  const hazards: StructureHazards = { selfReferences: [] };
  const parents = new Map<Node, Node | undefined>();
  const pending: { node: Node; depth: number; parent?: Node }[] = [];
  if (document.contents) pending.push({ node: document.contents, depth: 0 });
  while (pending.length > 0) {
    const { node, depth, parent } = pending.pop() as (typeof pending)[number];
    parents.set(node, parent);
    if (depth > maxNesting) {
      hazards.tooDeep ??= node;
      continue;
    }
    if (isAlias(node)) {
      const source = node.resolve(document);
      for (let ancestor = parent; ancestor; ancestor = parents.get(ancestor))
        if (ancestor === source) {
          hazards.selfReferences.push(node);
          break;
        }
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        const children = isPair(item) ? [item.key, item.value] : [item];
        for (const child of children)
          if (child && typeof child === 'object' && 'range' in child)
            pending.push({ node: child as Node, depth: depth + 1, parent: node });
      }
    }
  }
  hazards.selfReferences.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
  return hazards;
}
