import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AiFixRequest } from '../../../server/src/protocol';
import type { AiEndpoint } from './endpoint';
import { askWithProgress } from './failures';

const PREVIEW_SCHEME = 'windflow-ai-preview';
export const FIX_COMMAND = 'windflow.ai.fix';

/** Offers "Ask AI to fix" on every WindFlow diagnostic once an endpoint is configured. */
export class AskAiToFixProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly endpoint: AiEndpoint) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    if (!this.endpoint.isEnabled) return [];
    return context.diagnostics
      .filter((diagnostic) => diagnostic.source === 'windflow')
      .map((diagnostic) => {
        const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
        const action = new vscode.CodeAction(`Ask AI to fix${code ? ` ${code}` : ''}`, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.command = { command: FIX_COMMAND, title: 'Ask AI to fix', arguments: [document.uri, diagnostic] };
        return action;
      });
  }
}

/** Read-only documents holding proposed fixes, shown on the right of a diff. */
export class FixPreviews implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private counter = 0;

  add(original: vscode.Uri, text: string): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: PREVIEW_SCHEME,
      path: `/${++this.counter}/${original.path.split('/').pop()}`,
    });
    this.contents.set(uri.toString(), text);
    return uri;
  }

  remove(uri: vscode.Uri): void {
    this.contents.delete(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  register(): vscode.Disposable {
    return vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this);
  }
}

/**
 * Asks the server for a fix, shows it as a diff against the document, and applies it only when the user accepts,
 * and only to the same version of the document the fix was made for.
 */
export async function askAiToFix(
  client: LanguageClient,
  previews: FixPreviews,
  log: vscode.LogOutputChannel,
  uri: vscode.Uri,
  diagnostic: vscode.Diagnostic,
): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const version = document.version;
  const response = await askWithProgress(log, 'Asking AI for a fix…', (token) =>
    client.sendRequest(
      AiFixRequest,
      { uri: uri.toString(), diagnostic: client.code2ProtocolConverter.asDiagnostic(diagnostic) },
      token,
    ),
  );
  if (!response) return;
  const preview = previews.add(uri, response.newText);
  try {
    await vscode.commands.executeCommand(
      'vscode.diff',
      uri,
      preview,
      `AI fix: ${uri.path.split('/').pop()} ↔ proposed`,
      { preview: true },
    );
    const note = response.repaired ? ' (repaired after the language service found errors in the first answer)' : '';
    const choice = await vscode.window.showInformationMessage(
      `AI fix: ${response.explanation}${note}`,
      'Apply Fix',
      'Discard',
    );
    if (choice !== 'Apply Fix') return;
    if (document.version !== version) {
      void vscode.window.showWarningMessage('The document changed since the fix was proposed; ask again.');
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, client.protocol2CodeConverter.asRange(response.edit.range), response.edit.newText);
    await vscode.workspace.applyEdit(edit);
  } finally {
    await closeDiffOf(preview);
    previews.remove(preview);
  }
}

/** Closes the diff tab showing a proposed fix (applied or discarded, it has nothing more to say). */
async function closeDiffOf(preview: vscode.Uri): Promise<void> {
  const tabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter(
      (tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === preview.toString(),
    );
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}
