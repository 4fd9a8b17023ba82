import { isMap, isScalar, isSeq, Node, Pair } from 'yaml';
import { DocumentSymbol, SymbolKind } from 'vscode-languageserver-types';
import { getIn, StackModel, VariableDecl } from '../stack/model';
import { Span } from '../stack/text';
import { endOfContent, scalarPairs, toRange } from './locate';

const SECTION_KINDS: Record<string, SymbolKind> = {
  metadata: SymbolKind.Module,
  template: SymbolKind.Object,
  variables: SymbolKind.Namespace,
  target_parameters: SymbolKind.Object,
  deployment_notes: SymbolKind.String,
};

/** The outline: sections, then services / Kubernetes objects in the template, variables and their group members. */
export function documentSymbols(model: StackModel): DocumentSymbol[] {
  return scalarPairs(model.root).map(({ key, pair }) => {
    const symbol = pairSymbol(model, key, pair, SECTION_KINDS[key] ?? SymbolKind.Key);
    if (key === 'metadata') symbol.detail = scalarText(getIn(pair.value, ['name']));
    if (key === 'template') {
      symbol.detail = model.targetType;
      symbol.children = templateSymbols(model, pair.value);
    }
    if (key === 'variables') symbol.children = model.variables.map((decl) => variableSymbol(model, decl));
    return symbol;
  });
}

function templateSymbols(model: StackModel, template: unknown): DocumentSymbol[] {
  if (model.targetType === 'kubernetes') {
    const items = getIn(template, ['items']);
    const objects = scalarText(getIn(template, ['kind'])) === 'List' && isSeq(items) ? items.items : [template];
    return objects.flatMap((object) => {
      const span = nodeSpan(object);
      if (!span || !isMap(object)) return [];
      const kind = scalarText(getIn(object, ['kind'])) ?? 'object';
      const name = scalarText(getIn(object, ['metadata', 'name'])) ?? '(unnamed)';
      const range = toRange(model.lines, span);
      return [{ name: `${kind} ${name}`, kind: SymbolKind.Class, range, selectionRange: range }];
    });
  }
  if (model.targetType === 'docker_compose' || model.targetType === 'docker_swarm') {
    const sections: [string, SymbolKind][] = [
      ['services', SymbolKind.Class],
      ['volumes', SymbolKind.Field],
      ['networks', SymbolKind.Field],
    ];
    return scalarPairs(template).flatMap(({ key, pair }) => {
      const entryKind = sections.find(([name]) => name === key)?.[1];
      if (entryKind === undefined) return [];
      const symbol = pairSymbol(model, key, pair, SymbolKind.Namespace);
      symbol.children = scalarPairs(pair.value).map((entry) => {
        const child = pairSymbol(model, entry.key, entry.pair, entryKind);
        if (key === 'services') child.detail = scalarText(getIn(entry.pair.value, ['image']));
        return child;
      });
      return [symbol];
    });
  }
  return [];
}

function variableSymbol(model: StackModel, decl: VariableDecl): DocumentSymbol {
  const label = typeof decl.definition.label === 'string' ? decl.definition.label : undefined;
  const symbol: DocumentSymbol = {
    name: decl.name,
    detail: [decl.type, label].filter(Boolean).join(' · '),
    kind: decl.type === 'group' ? SymbolKind.Struct : SymbolKind.Variable,
    range: toRange(model.lines, { start: decl.span.start, end: endOfContent(model.text, decl.span.end) }),
    selectionRange: toRange(model.lines, decl.keySpan),
  };
  if (decl.children.length) symbol.children = decl.children.map((child) => variableSymbol(model, child));
  return symbol;
}

function pairSymbol(model: StackModel, name: string, pair: Pair, kind: SymbolKind): DocumentSymbol {
  const keySpan = nodeSpan(pair.key) ?? { start: 0, end: 0 };
  const valueSpan = nodeSpan(pair.value);
  const range = toRange(model.lines, {
    start: keySpan.start,
    end: endOfContent(model.text, Math.max(keySpan.end, valueSpan?.end ?? 0)),
  });
  return { name, kind, range, selectionRange: toRange(model.lines, keySpan), children: [] };
}

function nodeSpan(node: unknown): Span | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? { start: range[0], end: range[1] } : undefined;
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}
