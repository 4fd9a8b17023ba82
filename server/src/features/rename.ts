import type { Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { FUNCTIONS_BY_NAME } from '../stack/functions';
import { JINJA_KEYWORDS } from '../stack/jinja';
import { StackModel } from '../stack/model';
import { declarationNameSpan, IDENTIFIER, toRange } from './locate';
import { symbolAt, usesOf } from './references';

/** A rename the user asked for that cannot be done; the message says why, in words for a notification. */
export class RenameRefusal extends Error {}

export function prepareRename(model: StackModel, offset: number): { range: Range; placeholder: string } {
  const symbol = symbolAt(model, offset);
  if (!symbol)
    throw new RenameRefusal('Only declared variables and group members can be renamed: put the cursor on one.');
  return { range: toRange(model.lines, symbol.span), placeholder: symbol.decl.name };
}

/** Renames a variable or group member at its declaration, every `{{ }}` use and every `depends_on` key naming it. */
export function rename(model: StackModel, uri: string, offset: number, newName: string): WorkspaceEdit {
  const symbol = symbolAt(model, offset);
  if (!symbol)
    throw new RenameRefusal('Only declared variables and group members can be renamed: put the cursor on one.');
  const { decl } = symbol;
  if (newName === decl.name) return { changes: { [uri]: [] } };
  if (!IDENTIFIER.test(newName)) {
    throw new RenameRefusal(
      `'${newName}' is not a valid variable name: use letters, digits and '_', not starting with a digit.`,
    );
  }
  if (JINJA_KEYWORDS.has(newName))
    throw new RenameRefusal(`'${newName}' is a Jinja keyword: templates could not reference it.`);
  if (FUNCTIONS_BY_NAME.has(newName)) {
    throw new RenameRefusal(`'${newName}' is a helper function: it would hide the variable in every template.`);
  }
  if (newName === 'deployment_name' && !decl.parent) {
    throw new RenameRefusal(
      "'deployment_name' is set by WindFlow for every deployment: it would overwrite the variable.",
    );
  }
  const siblings = decl.parent ? decl.parent.children : model.variables;
  if (siblings.some((sibling) => sibling !== decl && sibling.name === newName)) {
    const where = decl.parent ? `group '${decl.parent.qualifiedName}'` : 'this stack';
    throw new RenameRefusal(`'${newName}' is already a variable of ${where}.`);
  }
  const spans = [declarationNameSpan(model, decl), ...usesOf(model, decl)];
  const edits: TextEdit[] = spans.map((span) => ({ range: toRange(model.lines, span), newText: newName }));
  return { changes: { [uri]: edits } };
}
