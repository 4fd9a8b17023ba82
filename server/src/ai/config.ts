/** Where the AI features send their requests: any OpenAI-compatible endpoint (OpenAI, Azure, LiteLLM, Ollama, LM Studio). */
export interface AiEndpointConfig {
  /** e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 */
  baseUrl: string;
  model: string;
  /** Absent for local servers that need none. Held in memory only: never logged, never written to settings. */
  apiKey?: string;
  organization?: string;
  /** Extra headers, e.g. `api-key` for Azure or routing headers for a proxy. */
  headers?: Record<string, string>;
  /** Per request; 60 s when absent. */
  timeoutSeconds?: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 60;

/** Returns what is wrong with a configuration, in words for the user, or undefined when it is usable. */
export function configProblem(config: Partial<AiEndpointConfig>): string | undefined {
  if (!config.baseUrl?.trim()) return 'no AI endpoint base URL is set (windflow.ai.baseUrl)';
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch {
    return `the AI base URL '${config.baseUrl}' is not a URL; expected something like http://127.0.0.1:11434/v1`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `the AI base URL '${config.baseUrl}' must start with http:// or https://`;
  }
  if (url.username || url.password) return 'put credentials in the API key, not in the AI base URL';
  if (!config.model?.trim()) return 'no AI model is set (windflow.ai.model)';
  if (config.timeoutSeconds !== undefined && !(config.timeoutSeconds > 0)) {
    return `the AI timeout must be a positive number of seconds, not ${config.timeoutSeconds}`;
  }
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
      return `'${name}' is not a valid HTTP header name (windflow.ai.headers)`;
    if (typeof value !== 'string' || /[\r\n]/.test(value))
      return `the header '${name}' needs a single-line string value`;
  }
  return undefined;
}

/**
 * The endpoint outside VS Code (CLI, other tools), by the `openai` client's own conventions:
 * OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_ORG_ID, and the model from --model or WINDFLOW_AI_MODEL.
 */
export function configFromEnvironment(env: NodeJS.ProcessEnv, model?: string): Partial<AiEndpointConfig> {
  return {
    baseUrl: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
    model: model ?? env.WINDFLOW_AI_MODEL,
    apiKey: env.OPENAI_API_KEY || undefined,
    organization: env.OPENAI_ORG_ID || undefined,
    timeoutSeconds: env.WINDFLOW_AI_TIMEOUT ? Number(env.WINDFLOW_AI_TIMEOUT) : undefined,
  };
}
