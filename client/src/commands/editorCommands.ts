import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { STACK_LANGUAGE } from '../languageClient';
import type { Logger } from '../logger';
import { RenderedDocuments } from '../renderedDocuments';

/** The globs of stack files (product §2), for finding them in the workspace. */
export const STACK_FILE_GLOB = '{**/*.stack.yaml,**/*.stack.yml,**/*.windflow.yaml,**/stacks_definitions/*.yaml}';

/** How long Validate Workspace Stacks waits for the server's diagnostics before it reports what it has. */
const VALIDATION_WAIT_MS = 10_000;

/** The files the user chose to treat as stacks in this workspace (URIs), remembered in its workspace state. */
const TREATED_AS_STACK_KEY = 'windflow.treatedAsStack';

/** Commands that work on stack files and are safe in Restricted Mode: they read and render, never deploy. */
export function registerEditorCommands(
  getClient: () => LanguageClient | undefined,
  rendered: RenderedDocuments,
  workspaceState: vscode.Memento,
  log: Logger,
): vscode.Disposable[] {
  const treated = () => new Set(workspaceState.get<string[]>(TREATED_AS_STACK_KEY, []));
  /** A file treated as a stack once opens as one again, after it was closed or the window reloaded. */
  const reapply = (document: vscode.TextDocument) => {
    if (document.languageId !== STACK_LANGUAGE && treated().has(document.uri.toString())) {
      void vscode.languages.setTextDocumentLanguage(document, STACK_LANGUAGE);
    }
  };
  vscode.workspace.textDocuments.forEach(reapply);
  return [
    vscode.workspace.onDidOpenTextDocument(reapply),
    vscode.commands.registerCommand('windflow.showRendered', async (uri?: vscode.Uri) => {
      const stackUri = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      if (!stackUri) {
        void vscode.window.showWarningMessage('Open a WindFlow stack file first.');
        return;
      }
      await rendered.show(stackUri);
    }),
    vscode.commands.registerCommand('windflow.treatAsStack', async (uri?: vscode.Uri) => {
      const document =
        uri instanceof vscode.Uri
          ? await vscode.workspace.openTextDocument(uri)
          : vscode.window.activeTextEditor?.document;
      if (!document) return;
      await vscode.languages.setTextDocumentLanguage(document, STACK_LANGUAGE);
      await workspaceState.update(TREATED_AS_STACK_KEY, [...treated().add(document.uri.toString())]);
      log.info(
        `Treating ${vscode.workspace.asRelativePath(document.uri)} as a stack file (remembered in this workspace)`,
      );
    }),
    vscode.commands.registerCommand('windflow.validateWorkspace', () => validateWorkspace(log)),
    vscode.commands.registerCommand('windflow.restartServer', async () => {
      const client = getClient();
      if (!client) return;
      log.info('Restarting the language server');
      await client.restart();
    }),
  ];
}

/** Opens every stack file of the workspace so the server checks them, then sums up what the Problems panel shows. */
async function validateWorkspace(log: Logger): Promise<void> {
  const files = await vscode.workspace.findFiles(STACK_FILE_GLOB, '**/node_modules/**');
  if (files.length === 0) {
    void vscode.window.showInformationMessage(
      'No stack files (*.stack.yaml, *.windflow.yaml, stacks_definitions/*.yaml) in this workspace.',
    );
    return;
  }
  const pending = new Set(files.map((file) => file.toString()));
  const allReported = new Promise<void>((resolve) => {
    const listener = vscode.languages.onDidChangeDiagnostics(({ uris }) => {
      for (const uri of uris) pending.delete(uri.toString());
      if (pending.size === 0) {
        listener.dispose();
        resolve();
      }
    });
    setTimeout(() => {
      listener.dispose();
      resolve();
    }, VALIDATION_WAIT_MS);
  });
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Validating ${files.length === 1 ? 'a stack file' : `${files.length} stack files`}`,
    },
    async () => {
      for (const file of files) {
        const document = await vscode.workspace.openTextDocument(file);
        if (document.languageId !== STACK_LANGUAGE)
          await vscode.languages.setTextDocumentLanguage(document, STACK_LANGUAGE);
      }
      await allReported;
    },
  );
  let errors = 0;
  let warnings = 0;
  for (const file of files) {
    for (const diagnostic of vscode.languages.getDiagnostics(file)) {
      if (diagnostic.severity === vscode.DiagnosticSeverity.Error) errors++;
      if (diagnostic.severity === vscode.DiagnosticSeverity.Warning) warnings++;
    }
  }
  const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  const summary = `Validated ${plural(files.length, 'stack file')}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}.`;
  log.info(summary);
  const choice = await vscode.window.showInformationMessage(summary, 'Show Problems');
  if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
}
