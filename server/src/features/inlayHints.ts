import type { InlayHint } from 'vscode-languageserver-types';
import { leafSpan, StackModel } from '../stack/model';
import { Span } from '../stack/text';
import { displayDefault } from './locate';

const MAX_HINT_LENGTH = 40;

/**
 * After each `{{ var }}` (or `{{ group.member }}`) whose expression is just that reference, the variable's default,
 * so a template reads with its values; password defaults show as ********.
 */
export function inlayHints(model: StackModel, within: Span): InlayHint[] {
  const hints: InlayHint[] = [];
  for (const site of model.references) {
    const { segment, reference } = site;
    if (segment.kind !== 'expression' || !segment.closed || reference.call) continue;
    const decl = reference.attributes.length ? site.member : site.variable;
    if (!decl || reference.attributes.length > 1) continue;
    // Only a bare reference: with filters or operators the rendered value is not the default.
    if (segment.tokens.length !== 1 + 2 * reference.attributes.length) continue;
    const shown = displayDefault(decl, MAX_HINT_LENGTH);
    if (shown === undefined) continue;
    const end = leafSpan(site.leaf, segment.span).end;
    if (end < within.start || end > within.end) continue;
    hints.push({ position: model.lines.positionAt(end), label: `= ${shown}`, paddingLeft: true });
  }
  return hints;
}
