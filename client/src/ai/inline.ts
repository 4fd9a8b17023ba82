import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AiCompleteRequest } from '../../../server/src/protocol';
import type { AiEndpoint } from './endpoint';
import { logRequestError, showFailure } from './failures';

/** How long typing must pause before an automatic suggestion is requested. */
const PAUSE_MS = 750;

/**
 * Ghost text for the value or block at the cursor: on request (Trigger Inline Suggestion) always, and after a typing
 * pause when windflow.ai.inlineSuggestions is true. Typing cancels the token, which cancels the server request.
 */
export class AiInlineCompletions implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly client: LanguageClient,
    private readonly endpoint: AiEndpoint,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[]> {
    const whileTyping =
      vscode.workspace.getConfiguration('windflow', document).get<unknown>('ai.inlineSuggestions', false) === true;
    if (!this.endpoint.isEnabled) return [];
    if (context.triggerKind === vscode.InlineCompletionTriggerKind.Automatic) {
      if (!whileTyping || !(await pause(PAUSE_MS, token))) return [];
    }
    const response = await this.client
      .sendRequest(
        AiCompleteRequest,
        { uri: document.uri.toString(), position: { line: position.line, character: position.character } },
        token,
      )
      .catch((error: unknown) => logRequestError(this.log, error));
    if (!response || token.isCancellationRequested) return [];
    if (!response.ok) {
      // A dropped or impossible suggestion is not worth a pop-up while typing; a failing endpoint is, once.
      if (response.error.kind === 'invalid_suggestion' || response.error.kind === 'invalid_input')
        this.log.info(`AI: ${response.error.message}`);
      else showFailure(this.log, response.error);
      return [];
    }
    return [new vscode.InlineCompletionItem(response.insertText, new vscode.Range(position, position))];
  }
}

/** Resolves true after `ms`, or false as soon as the user types again. */
function pause(ms: number, token: vscode.CancellationToken): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      listener.dispose();
      resolve(true);
    }, ms);
    const listener = token.onCancellationRequested(() => {
      clearTimeout(timer);
      listener.dispose();
      resolve(false);
    });
  });
}
