import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { AiConfigureRequest, type AiConfigureParams, type AiConfigureResponse } from '../../../server/src/protocol';

/** Where the API key lives: SecretStorage, never settings. */
export const API_KEY_SECRET = 'windflow.ai.apiKey';

export interface EndpointSettings {
  baseUrl?: string;
  model?: string;
  organization?: string;
  headers?: Record<string, string>;
  timeoutSeconds?: number;
}

/**
 * The endpoint settings. The base URL, organisation and headers decide where the API key is sent, so they are read
 * from user settings only: a workspace must not be able to redirect the key to a server of its choosing.
 */
export function readEndpointSettings(): EndpointSettings {
  const config = vscode.workspace.getConfiguration('windflow');
  const userValue = <T>(key: string): T | undefined =>
    config.inspect<T>(key)?.globalValue ?? config.inspect<T>(key)?.defaultValue;
  const text = (value: string | undefined) => value?.trim() || undefined;
  return {
    baseUrl: text(userValue<string>('ai.baseUrl')),
    model: text(config.get<string>('ai.model')),
    organization: text(userValue<string>('ai.organization')),
    headers: userValue<Record<string, string>>('ai.headers'),
    timeoutSeconds: config.get<number>('ai.timeoutSeconds'),
  };
}

/**
 * Keeps the language server's AI configuration in step with settings, the stored key and workspace trust, and
 * remembers whether the server says AI is usable (code actions and ghost text are offered only then).
 */
export class AiEndpoint implements vscode.Disposable {
  private enabled = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const push = () => void this.push(false);
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('windflow.ai')) push();
      }),
      context.secrets.onDidChange((event) => {
        if (event.key === API_KEY_SECRET) push();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(push),
      // A restarted server starts without configuration.
      client.onDidChangeState((event) => {
        if (event.newState === State.Running) push();
      }),
    );
    if (client.isRunning()) push();
  }

  get isEnabled(): boolean {
    return this.enabled && vscode.workspace.isTrusted;
  }

  /** Sends the current configuration; with `testConnection` the server also lists the endpoint's models. */
  async push(testConnection: boolean): Promise<AiConfigureResponse | undefined> {
    const params: AiConfigureParams = {
      trusted: vscode.workspace.isTrusted,
      ...readEndpointSettings(),
      apiKey: vscode.workspace.isTrusted ? await this.context.secrets.get(API_KEY_SECRET) : undefined,
      testConnection,
    };
    try {
      const response = await this.client.sendRequest(AiConfigureRequest, params);
      this.enabled = response.enabled;
      this.log.info(
        `AI ${response.enabled ? `enabled (${params.model} at ${params.baseUrl})` : 'off'}${response.problem ? `: ${response.problem}` : ''}`,
      );
      return response;
    } catch (error) {
      this.enabled = false;
      this.log.error(
        `AI configuration was not accepted by the language server: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
