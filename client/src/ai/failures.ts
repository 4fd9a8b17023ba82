import * as vscode from 'vscode';
import { LSPErrorCodes, ResponseError } from 'vscode-languageclient/node';
import type { AiFailure, AiResult } from '../../../server/src/protocol';

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

/**
 * Sends an AI request under a cancellable progress notification. Resolves with the answer, or with undefined once
 * the user has been told why there is none (cancellations stay silent).
 */
export async function askWithProgress<T>(
  log: vscode.LogOutputChannel,
  title: string,
  send: (token: vscode.CancellationToken, progress: vscode.Progress<{ message?: string }>) => Promise<AiResult<T>>,
): Promise<({ ok: true } & T) | undefined> {
  const response = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => send(token, progress).catch((error: unknown) => logRequestError(log, error)),
  );
  if (!response) return undefined;
  if (!response.ok) {
    showFailure(log, response.error);
    return undefined;
  }
  return response;
}
