import * as vscode from 'vscode';
import { LSPErrorCodes, ResponseError } from 'vscode-languageclient/node';
import type { AiFailure } from '../../../server/src/protocol';

/** One notification per failure; the server marks repeats (inline suggestions) so they are only logged. */
export function showFailure(log: vscode.LogOutputChannel, failure: AiFailure): void {
  log.warn(`AI: ${failure.message}`);
  if (failure.repeated || failure.kind === 'cancelled') return;
  if (failure.kind === 'not_configured') {
    void vscode.window.showInformationMessage(failure.message, 'Configure AI Endpoint…').then((choice) => {
      if (choice) void vscode.commands.executeCommand('windflow.ai.configure');
    });
    return;
  }
  void vscode.window.showWarningMessage(`AI: ${failure.message}`);
}

/** A request that failed outside the AI's own results (server stopped, cancelled): cancellations are silent. */
export function logRequestError(log: vscode.LogOutputChannel, error: unknown): undefined {
  const cancelled =
    error instanceof vscode.CancellationError ||
    (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled);
  if (!cancelled) log.error(`AI request failed: ${error instanceof Error ? error.message : String(error)}`);
  return undefined;
}
