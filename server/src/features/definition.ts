import type { LocationLink } from 'vscode-languageserver-types';
import { StackModel } from '../stack/model';
import { declarationNameSpan, endOfContent, toRange } from './locate';
import { symbolAt } from './references';

/** From a use of a variable or group member to its declaration (the link's origin is the name under the cursor). */
export function definition(model: StackModel, uri: string, offset: number): LocationLink[] {
  const symbol = symbolAt(model, offset);
  if (!symbol) return [];
  const { decl } = symbol;
  return [
    {
      originSelectionRange: toRange(model.lines, symbol.span),
      targetUri: uri,
      targetRange: toRange(model.lines, { start: decl.span.start, end: endOfContent(model.text, decl.span.end) }),
      targetSelectionRange: toRange(model.lines, declarationNameSpan(model, decl)),
    },
  ];
}
