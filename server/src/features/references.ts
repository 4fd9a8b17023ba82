import { isScalar } from 'yaml';
import type { DocumentHighlight, Location } from 'vscode-languageserver-types';
import { declarationAt, getPair, referencesTo, StackModel, VariableDecl } from '../stack/model';
import { Span } from '../stack/text';
import { contains, declarationNameSpan, scalarPairs, toRange } from './locate';

/** A `depends_on` key of a variable definition that names another variable (`depends_on: {enable_email: true}`). */
export interface DependsOnUse {
  /** The span of the name inside the key (for `group.member`, the member part). */
  span: Span;
  target: VariableDecl;
}

export function dependsOnUses(model: StackModel): DependsOnUse[] {
  const uses: DependsOnUse[] = [];
  for (const owner of model.declarations.values()) {
    const dependsOn = getPair(owner.valueNode, 'depends_on')?.value;
    for (const { key, pair } of scalarPairs(dependsOn)) {
      const sibling = owner.parent ? model.declarations.get(`${owner.parent.qualifiedName}.${key}`) : undefined;
      const target = model.declarations.get(key) ?? sibling;
      const range = isScalar(pair.key) ? pair.key.range : undefined;
      if (!target || !range) continue;
      const at = model.text.indexOf(key, range[0]);
      if (at < 0 || at > range[1]) continue;
      // Only the last part of a dotted key names the member; the group part belongs to the group.
      const nameStart = at + key.length - target.name.length;
      uses.push({ span: { start: nameStart, end: nameStart + target.name.length }, target });
    }
  }
  return uses;
}

/** The variable or group member at an offset: its key, a `{{ }}` reference to it, or a `depends_on` key naming it. */
export function symbolAt(model: StackModel, offset: number): { decl: VariableDecl; span: Span } | undefined {
  const dependsOn = dependsOnUses(model).find((use) => contains(use.span, offset));
  if (dependsOn) return { decl: dependsOn.target, span: dependsOn.span };
  const decl = declarationAt(model, offset);
  if (!decl) return undefined;
  const nameSpan = declarationNameSpan(model, decl);
  if (contains(decl.keySpan, offset)) return { decl, span: nameSpan };
  const span = usesOf(model, decl).find((use) => contains(use, offset));
  return span ? { decl, span } : undefined;
}

/** Every span where a declaration's name is used, its declaration excluded, in document order. */
export function usesOf(model: StackModel, decl: VariableDecl): Span[] {
  const spans = [
    ...referencesTo(model, decl),
    ...dependsOnUses(model)
      .filter((use) => use.target === decl)
      .map((use) => use.span),
  ];
  return spans.sort((a, b) => a.start - b.start);
}

export function references(model: StackModel, uri: string, offset: number, includeDeclaration: boolean): Location[] {
  const symbol = symbolAt(model, offset);
  if (!symbol) return [];
  const spans = usesOf(model, symbol.decl);
  if (includeDeclaration) spans.unshift(declarationNameSpan(model, symbol.decl));
  return spans.map((span) => ({ uri, range: toRange(model.lines, span) }));
}

/** The declaration is highlighted as written (kind 3), its uses as read (kind 2). */
export function highlights(model: StackModel, offset: number): DocumentHighlight[] {
  const symbol = symbolAt(model, offset);
  if (!symbol) return [];
  return [
    { range: toRange(model.lines, declarationNameSpan(model, symbol.decl)), kind: 3 },
    ...usesOf(model, symbol.decl).map((span): DocumentHighlight => ({ range: toRange(model.lines, span), kind: 2 })),
  ];
}
