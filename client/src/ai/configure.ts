import * as vscode from 'vscode';
import { API_KEY_SECRET, AiEndpoint, readEndpointSettings } from './endpoint';

/**
 * "Configure AI Endpoint…": base URL, model, key and organisation, then a connection test that lists the endpoint's
 * models and says what is wrong. Headers are edited in settings (windflow.ai.headers).
 */
export async function configureEndpoint(context: vscode.ExtensionContext, endpoint: AiEndpoint): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('AI features are off in Restricted Mode. Trust this workspace to use them.');
    return;
  }
  const current = readEndpointSettings();
  const baseUrl = await vscode.window.showInputBox({
    title: 'Configure AI Endpoint (1/4): base URL',
    prompt: 'Any OpenAI-compatible API: OpenAI, Azure OpenAI (…/openai/v1), a LiteLLM proxy, Ollama, LM Studio',
    value: current.baseUrl ?? 'http://127.0.0.1:11434/v1',
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        const url = new URL(value.trim());
        return url.protocol === 'http:' || url.protocol === 'https:'
          ? undefined
          : 'The URL must start with http:// or https://';
      } catch {
        return 'Enter a URL such as http://127.0.0.1:11434/v1';
      }
    },
  });
  if (baseUrl === undefined) return;
  const model = await vscode.window.showInputBox({
    title: 'Configure AI Endpoint (2/4): model',
    prompt: 'The model name the endpoint knows, e.g. gpt-4.1-mini, llama3.1:8b, or an Azure deployment name',
    value: current.model ?? '',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'A model is required'),
  });
  if (model === undefined) return;
  if (!(await askForKey(context))) return;
  const organization = await vscode.window.showInputBox({
    title: 'Configure AI Endpoint (4/4): organisation (optional)',
    prompt: 'Sent as OpenAI-Organization; leave empty when not needed',
    value: current.organization ?? '',
    ignoreFocusOut: true,
  });
  if (organization === undefined) return;

  const settings = vscode.workspace.getConfiguration('windflow');
  // User settings: where the key is sent is never decided by a workspace (see readEndpointSettings).
  await settings.update('ai.baseUrl', baseUrl.trim(), vscode.ConfigurationTarget.Global);
  await settings.update('ai.model', model.trim(), vscode.ConfigurationTarget.Global);
  await settings.update('ai.organization', organization.trim() || undefined, vscode.ConfigurationTarget.Global);

  const response = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Testing the AI endpoint at ${baseUrl.trim()}…` },
    () => endpoint.push(true),
  );
  if (!response) {
    void vscode.window.showErrorMessage(
      'The language server did not accept the AI configuration; see the WindFlow output.',
    );
  } else if (response.problem) {
    const choice = await vscode.window.showWarningMessage(`AI endpoint: ${response.problem}`, 'Configure Again');
    if (choice === 'Configure Again') await configureEndpoint(context, endpoint);
  } else {
    const listed = response.models ? ` (${response.models.length} models listed)` : '';
    void vscode.window.showInformationMessage(`AI endpoint ready: ${model.trim()} at ${baseUrl.trim()}${listed}.`);
  }
}

/** Keeps, replaces or removes the stored key. False when the user cancelled. */
async function askForKey(context: vscode.ExtensionContext): Promise<boolean> {
  const stored = Boolean(await context.secrets.get(API_KEY_SECRET));
  const choices = [
    ...(stored ? [{ label: 'Keep the stored API key', action: 'keep' }] : []),
    { label: 'Enter an API key', action: 'enter' },
    { label: 'No API key', description: 'local servers such as Ollama or LM Studio', action: 'none' },
  ];
  const choice = await vscode.window.showQuickPick(choices, {
    title: 'Configure AI Endpoint (3/4): API key',
    ignoreFocusOut: true,
  });
  if (!choice) return false;
  if (choice.action === 'none') await context.secrets.delete(API_KEY_SECRET);
  if (choice.action === 'enter') {
    const key = await vscode.window.showInputBox({
      title: 'Configure AI Endpoint (3/4): API key',
      prompt: 'Stored in VS Code SecretStorage, never in settings',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'Enter the key, or press Escape'),
    });
    if (key === undefined) return false;
    await context.secrets.store(API_KEY_SECRET, key.trim());
  }
  return true;
}
