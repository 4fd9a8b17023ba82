/**
 * The AI features as custom LSP requests, so any editor can use them. The server holds the endpoint configuration
 * (the key in memory only), turns LSP cancellation into AbortSignals and answers with a result or one clear failure.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import type { CancellationToken, Connection, ProgressToken, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  AiCompleteRequest,
  AiConfigureParams,
  AiConfigureRequest,
  AiConfigureResponse,
  AiExplainRequest,
  AiFailure,
  AiFixRequest,
  AiGenerateRequest,
  AiListModelsRequest,
  AiProgressType,
  AiResult,
} from '../protocol';
import type { Severity } from '../stack';
import { AiClient, AiError, forgetEndpointCapabilities } from './client';
import { completeAtCursor } from './complete';
import { configProblem } from './config';
import { explainDeployFailure } from './explain';
import { fixDiagnostic } from './fix';
import { generateStack } from './generate';

/** After the endpoint fails, inline suggestions pause this long instead of failing again on every keystroke pause. */
const INLINE_PAUSE_AFTER_FAILURE_MS = 60_000;
/** Failures that say the endpoint itself is unusable (not one answer or one request). */
const ENDPOINT_FAILURES = new Set<AiFailure['kind']>([
  'unauthorized',
  'not_found',
  'unreachable',
  'endpoint',
  'rate_limited',
  'timeout',
]);
const SEVERITY_NAMES: Record<number, Severity> = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
/** Progress notifications while streaming are sent at most this often. */
const PROGRESS_INTERVAL_MS = 100;

const NOT_CONFIGURED = "AI is off until an endpoint is configured: run 'WindFlow: Configure AI Endpoint…'";
const UNTRUSTED = 'AI features are off in untrusted workspaces';

export function registerAiRequests(connection: Connection, documents: TextDocuments<TextDocument>): void {
  const state = new AiState();

  connection.onRequest(AiConfigureRequest, (params, token) => state.configure(params, abortSignalOf(token)));

  // A throwaway client (the model is not known yet): the active configuration stays as it is.
  connection.onRequest(AiListModelsRequest, async (params, token) => {
    const config = { ...params, baseUrl: params.baseUrl ?? '', model: 'model-list' };
    const problem = configProblem(config);
    if (problem) return { models: [], problem };
    try {
      return { models: await new AiClient(config).listModels(abortSignalOf(token)) };
    } catch (error) {
      if (!(error instanceof AiError)) throw error;
      return { models: [], problem: error.message };
    }
  });

  connection.onRequest(AiGenerateRequest, (params, token) =>
    state.run(false, async (client) => {
      const onText = progressReporter(connection, params.progressToken);
      return generateStack(client, {
        description: params.description,
        targetType: params.targetType,
        signal: abortSignalOf(token),
        onText,
      });
    }),
  );

  connection.onRequest(AiFixRequest, (params, token) =>
    state.run(false, async (client) => {
      const document = openDocument(documents, params.uri);
      const { diagnostic } = params;
      const span = { start: document.offsetAt(diagnostic.range.start), end: document.offsetAt(diagnostic.range.end) };
      const fix = await fixDiagnostic(client, {
        text: document.getText(),
        uri: params.uri,
        diagnostic: {
          code: String(diagnostic.code ?? ''),
          message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
          span,
          severity: SEVERITY_NAMES[diagnostic.severity ?? 1],
        },
        signal: abortSignalOf(token),
      });
      const range = { start: document.positionAt(fix.edit.span.start), end: document.positionAt(fix.edit.span.end) };
      return {
        edit: { range, newText: fix.edit.newText },
        newText: fix.newText,
        explanation: fix.explanation,
        repaired: fix.repaired,
      };
    }),
  );

  connection.onRequest(AiCompleteRequest, (params, token) =>
    state.run(true, async (client) => {
      const document = openDocument(documents, params.uri);
      const completion = await completeAtCursor(client, {
        text: document.getText(),
        uri: params.uri,
        offset: document.offsetAt(params.position),
        signal: abortSignalOf(token),
        onText: progressReporter(connection, params.progressToken),
      });
      return {
        insertText: completion.insertText,
        range: { start: params.position, end: params.position },
        repaired: completion.repaired,
      };
    }),
  );

  connection.onRequest(AiExplainRequest, (params, token) =>
    state.run(false, async (client) => {
      const stackText = params.uri ? await stackTextOf(documents, params.uri) : undefined;
      const markdown = await explainDeployFailure(client, {
        error: params.error,
        status: params.status,
        logLines: params.logLines,
        stackText,
        signal: abortSignalOf(token),
      });
      return { markdown };
    }),
  );
}

/** The endpoint configuration and its recent health, for one server. */
class AiState {
  /** Undefined until the client says, so the first message is "not configured" rather than "untrusted". */
  private trusted?: boolean;
  private client?: AiClient;
  private disabledBecause = NOT_CONFIGURED;
  private lastFailure?: { error: AiFailure; at: number };

  async configure(params: AiConfigureParams, signal: AbortSignal): Promise<AiConfigureResponse> {
    this.client = undefined;
    this.lastFailure = undefined;
    forgetEndpointCapabilities();
    this.trusted = params.trusted;
    if (!params.trusted) return this.disable(UNTRUSTED);
    if (!params.baseUrl && !params.model) return this.disable(NOT_CONFIGURED);
    const problem = configProblem(params);
    if (problem) return this.disable(problem);
    const client = new AiClient({
      baseUrl: params.baseUrl!,
      model: params.model!,
      apiKey: params.apiKey,
      organization: params.organization,
      headers: params.headers,
      timeoutSeconds: params.timeoutSeconds,
    });
    this.client = client;
    if (!params.testConnection) return { enabled: true };
    try {
      const models = await client.listModels(signal);
      if (models.length > 0 && !models.includes(client.config.model)) {
        const listed = models.slice(0, 10).join(', ') + (models.length > 10 ? ', …' : '');
        return {
          enabled: true,
          models,
          problem: `the endpoint does not list model '${client.config.model}'; it lists ${listed}`,
        };
      }
      return { enabled: true, models };
    } catch (error) {
      if (!(error instanceof AiError)) throw error;
      return { enabled: true, problem: error.message };
    }
  }

  private disable(reason: string): AiConfigureResponse {
    this.disabledBecause = reason;
    return { enabled: false, problem: reason };
  }

  /**
   * Runs one feature against the configured endpoint. `inline` requests (ghost text) are not the user's explicit
   * wish, so after an endpoint failure they stay quiet for a while instead of repeating the same error.
   */
  async run<T extends object>(inline: boolean, feature: (client: AiClient) => Promise<T>): Promise<AiResult<T>> {
    if (this.trusted === false) return { ok: false, error: { kind: 'untrusted', message: UNTRUSTED } };
    if (!this.client) return { ok: false, error: { kind: 'not_configured', message: this.disabledBecause } };
    if (inline && this.lastFailure && Date.now() - this.lastFailure.at < INLINE_PAUSE_AFTER_FAILURE_MS) {
      return { ok: false, error: { ...this.lastFailure.error, repeated: true } };
    }
    try {
      const value = await feature(this.client);
      this.lastFailure = undefined;
      return { ok: true, ...value };
    } catch (error) {
      if (!(error instanceof AiError)) throw error;
      // LSP's own answer to a cancelled request, so clients treat it as cancelled rather than as a failure.
      if (error.kind === 'cancelled') throw new ResponseError(LSPErrorCodes.RequestCancelled, error.message);
      const failure: AiFailure = { kind: error.kind, message: error.message };
      if (ENDPOINT_FAILURES.has(error.kind)) {
        const repeated = this.lastFailure?.error.message === failure.message;
        this.lastFailure = { error: failure, at: Date.now() };
        if (inline && repeated) return { ok: false, error: { ...failure, repeated: true } };
      }
      return { ok: false, error: failure };
    }
  }
}

function abortSignalOf(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

function openDocument(documents: TextDocuments<TextDocument>, uri: string): TextDocument {
  const document = documents.get(uri);
  if (!document) throw new AiError('invalid_input', `${uri} is not open in the editor`);
  return document;
}

/** The stack for explaining a deploy: the open document, or the file on disk; without it the explanation has less context. */
async function stackTextOf(documents: TextDocuments<TextDocument>, uri: string): Promise<string | undefined> {
  const open = documents.get(uri);
  if (open) return open.getText();
  if (!uri.startsWith('file:')) return undefined;
  return readFile(fileURLToPath(uri), 'utf8').catch(() => undefined);
}

function progressReporter(
  connection: Connection,
  token: ProgressToken | undefined,
): ((textSoFar: string) => void) | undefined {
  if (token === undefined) return undefined;
  let lastSent = 0;
  return (textSoFar) => {
    const now = Date.now();
    if (now - lastSent < PROGRESS_INTERVAL_MS) return;
    lastSent = now;
    void connection.sendProgress(AiProgressType, token, { receivedCharacters: textSoFar.length });
  };
}
