/**
 * The one place that talks to the endpoint, through the `openai` client. It owns timeouts, cancellation, bounded
 * 429 backoff, streaming, structured output with a remembered plain-text fallback, and turning failures into one
 * clear sentence.
 */
import type OpenAI from 'openai';
import type { APIError } from 'openai';
import type { AiFailure } from '../protocol';
import { AiEndpointConfig, DEFAULT_TIMEOUT_SECONDS } from './config';

export type AiFailureKind = AiFailure['kind'];

/** A failure of an AI feature, already in words for the user. */
export class AiError extends Error {
  override name = 'AiError';
  constructor(
    readonly kind: AiFailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A JSON schema the answer must follow when the endpoint supports structured output. */
export interface AnswerSchema {
  name: string;
  schema: Record<string, unknown>;
}

export interface ChatOptions {
  schema?: AnswerSchema;
  /** Stream the answer; `onText` sees the text received so far. */
  stream?: boolean;
  onText?: (textSoFar: string) => void;
  signal?: AbortSignal;
}

export interface ChatAnswer {
  text: string;
  /** True when the endpoint was held to the schema (the text is JSON). */
  structured: boolean;
}

/** The longest wait a 429's retry-after may ask for before we give up instead of waiting. */
const MAX_RETRY_WAIT_MS = 20_000;
const MAX_RATE_LIMIT_RETRIES = 2;
/** Without a key the `openai` client refuses to start; local servers (Ollama, LM Studio) ignore this one. */
const NO_KEY = 'no-key';

/** Endpoints (base URL + model) that refused `response_format: json_schema`, so later calls go straight to plain text. */
const withoutStructuredOutput = new Set<string>();

type OpenAiModule = typeof import('openai');
let openAiModule: Promise<OpenAiModule> | undefined;
/** Set once the module has loaded, for the synchronous `instanceof` checks of describeFailure. */
let loadedOpenAi: OpenAiModule | undefined;

/** `openai` is a fifth of the server's code: it is loaded on the first AI request instead of at every start. */
function loadOpenAi(): Promise<OpenAiModule> {
  openAiModule ??= import('openai').then((module) => (loadedOpenAi = module));
  return openAiModule;
}

export class AiClient {
  private openai: OpenAI | undefined;
  private readonly timeoutMs: number;

  constructor(readonly config: AiEndpointConfig) {
    this.timeoutMs = (config.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  }

  private async client(): Promise<OpenAI> {
    // The named export: under a bundle that loads openai as a separate CommonJS file, `default` is the module object.
    const { OpenAI } = await loadOpenAi();
    const config = this.config;
    this.openai ??= new OpenAI({
      baseURL: config.baseUrl,
      apiKey: config.apiKey || NO_KEY,
      // Explicit nulls keep the client from reading OPENAI_* variables of whatever process hosts us.
      organization: config.organization || null,
      project: null,
      adminAPIKey: null,
      defaultHeaders: config.headers,
      // Our own loop retries 429 with a bounded wait and stays cancellable; the library's sleep is not.
      maxRetries: 0,
      timeout: this.timeoutMs,
    });
    return this.openai;
  }

  private get endpointKey(): string {
    return `${this.config.baseUrl} ${this.config.model}`;
  }

  /** Lists the endpoint's model ids: the connection test of "Configure AI Endpoint…". */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    return this.withLimits(signal, async (requestSignal) => {
      const ids: string[] = [];
      const openai = await this.client();
      for await (const model of openai.models.list({ signal: requestSignal })) ids.push(model.id);
      return ids;
    });
  }

  async chat(messages: ChatMessage[], options: ChatOptions = {}): Promise<ChatAnswer> {
    const structured = Boolean(options.schema) && !withoutStructuredOutput.has(this.endpointKey);
    try {
      return {
        text: await this.withLimits(options.signal, (signal) => this.request(messages, options, structured, signal)),
        structured,
      };
    } catch (error) {
      // Endpoints without structured output refuse `response_format` with 400 or 422.
      if (!structured || !(error instanceof AiError) || error.kind !== 'bad_request') throw error;
      withoutStructuredOutput.add(this.endpointKey);
      return {
        text: await this.withLimits(options.signal, (signal) => this.request(messages, options, false, signal)),
        structured: false,
      };
    }
  }

  private async request(
    messages: ChatMessage[],
    options: ChatOptions,
    structured: boolean,
    signal: AbortSignal,
  ): Promise<string> {
    const responseFormat =
      structured && options.schema
        ? {
            type: 'json_schema' as const,
            json_schema: { name: options.schema.name, schema: options.schema.schema, strict: true },
          }
        : undefined;
    const base = { model: this.config.model, messages, ...(responseFormat ? { response_format: responseFormat } : {}) };
    let text = '';
    let finishReason: string | null | undefined;
    const openai = await this.client();
    if (options.stream) {
      const stream = await openai.chat.completions.create({ ...base, stream: true }, { signal });
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (!choice) continue;
        if (choice.delta?.content) {
          text += choice.delta.content;
          options.onText?.(text);
        }
        finishReason = choice.finish_reason ?? finishReason;
      }
    } else {
      const completion = await openai.chat.completions.create({ ...base, stream: false }, { signal });
      text = completion.choices[0]?.message?.content ?? '';
      finishReason = completion.choices[0]?.finish_reason;
    }
    if (finishReason === 'length')
      throw new AiError('bad_answer', 'the AI answer was cut off at the model’s length limit');
    if (!text.trim()) throw new AiError('bad_answer', 'the AI endpoint returned an empty answer');
    return text;
  }

  /** Runs one call under the timeout and the caller's signal, retrying 429 answers a bounded number of times. */
  private async withLimits<T>(
    callerSignal: AbortSignal | undefined,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const cancel = () => controller.abort();
    callerSignal?.addEventListener('abort', cancel, { once: true });
    if (callerSignal?.aborted) controller.abort();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          if (controller.signal.aborted) throw new AiError('cancelled', 'the AI request was cancelled');
          return await call(controller.signal);
        } catch (error) {
          const wait = isApiError(error) && error.status === 429 ? retryWaitMs(error, attempt) : undefined;
          if (wait === undefined || attempt >= MAX_RATE_LIMIT_RETRIES || wait > MAX_RETRY_WAIT_MS) throw error;
          await abortableSleep(wait, controller.signal);
        }
      }
    } catch (error) {
      if (timedOut) {
        throw new AiError(
          'timeout',
          `the AI endpoint at ${this.config.baseUrl} did not answer within ${this.timeoutMs / 1000} s`,
        );
      }
      if (callerSignal?.aborted) throw new AiError('cancelled', 'the AI request was cancelled');
      throw describeFailure(error, this.config);
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', cancel);
    }
  }
}

function isApiError(error: unknown): error is APIError {
  return loadedOpenAi !== undefined && error instanceof loadedOpenAi.APIError;
}

/** How long a 429 asks us to wait (retry-after-ms, retry-after in seconds or as a date), else exponential backoff. */
function retryWaitMs(error: APIError, attempt: number): number {
  const headers = error.headers;
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const retryAfter = headers?.get('retry-after');
  if (retryAfter) {
    const seconds = Number.parseFloat(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  return 1000 * 2 ** attempt;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AiError('cancelled', 'the AI request was cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Turns whatever the `openai` client threw into one sentence that says what is wrong and what to check. */
export function describeFailure(error: unknown, config: AiEndpointConfig): AiError {
  if (error instanceof AiError) return error;
  const where = `the AI endpoint at ${config.baseUrl}`;
  const api = loadedOpenAi;
  if (api && error instanceof api.APIUserAbortError) return new AiError('cancelled', 'the AI request was cancelled');
  if (api && error instanceof api.APIConnectionError) {
    const cause = errorCode(error) ?? error.message;
    return new AiError(
      'unreachable',
      `cannot reach ${where} (${cause}); check the base URL and that the server is running`,
    );
  }
  if (isApiError(error)) {
    const detail =
      error.error && typeof error.error === 'object' && 'message' in error.error ? String(error.error.message) : '';
    const said = detail ? `: ${detail}` : '';
    switch (error.status) {
      case 401:
        return new AiError(
          'unauthorized',
          `${where} rejected the API key (401 Unauthorized)${said}; set the key again with 'Configure AI Endpoint…'`,
        );
      case 403:
        return new AiError(
          'unauthorized',
          `${where} refused access (403 Forbidden)${said}; check the key, organisation and headers`,
        );
      case 404:
        return new AiError(
          'not_found',
          `${where} answered 404 Not Found${said}; check that the base URL ends where the API starts (often /v1) and that model '${config.model}' exists`,
        );
      case 429:
        return new AiError('rate_limited', `${where} is rate limiting requests (429)${said}; try again later`);
      case 400:
      case 422:
        return new AiError('bad_request', `${where} refused the request (${error.status})${said}`);
      default:
        return new AiError('endpoint', `${where} failed (${error.status ?? 'no status'})${said}`);
    }
  }
  return new AiError('endpoint', `${where} failed: ${error instanceof Error ? error.message : String(error)}`);
}

/** The system error code (ECONNREFUSED, ENOTFOUND…) somewhere down the cause chain (openai → fetch → socket). */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Forgets which endpoints lack structured output (after reconfiguring, or between tests). */
export function forgetEndpointCapabilities(): void {
  withoutStructuredOutput.clear();
}
