import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AiListModelsRequest } from '../../../server/src/protocol';
import { API_KEY_SECRET, AiEndpoint, readEndpointSettings } from './endpoint';

/**
 * "Configure AI Endpoint…": base URL, model, key and organisation, then a connection test that lists the endpoint's
 * models and says what is wrong. Headers are edited in settings (windflow.ai.headers).
 */
export async function configureEndpoint(
  context: vscode.ExtensionContext,
  endpoint: AiEndpoint,
  client: LanguageClient,
): Promise<void> {
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
  const apiKey = await askForKey(context);
  if (apiKey === undefined) return;
  const model = await askForModel(client, baseUrl.trim(), apiKey, current.model);
  if (model === undefined) return;
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
    if (choice === 'Configure Again') await configureEndpoint(context, endpoint, client);
  } else {
    const listed = response.models ? ` (${response.models.length} models listed)` : '';
    void vscode.window.showInformationMessage(`AI endpoint ready: ${model.trim()} at ${baseUrl.trim()}${listed}.`);
  }
}

/**
 * The key, typed in a password box: empty keeps the stored key (or means none), the trash button removes it. Returns
 * the key to use (empty for none), or undefined when the user cancelled.
 */
async function askForKey(context: vscode.ExtensionContext): Promise<string | undefined> {
  const stored = await context.secrets.get(API_KEY_SECRET);
  const input = vscode.window.createInputBox();
  input.title = 'Configure AI Endpoint (2/4): API key';
  input.password = true;
  input.ignoreFocusOut = true;
  input.prompt = stored
    ? 'A key is stored: leave empty to keep it, type a new one to replace it, or remove it with the trash button'
    : 'Leave empty for local servers such as Ollama or LM Studio. Stored in VS Code SecretStorage, never in settings';
  const removeButton: vscode.QuickInputButton = {
    iconPath: new vscode.ThemeIcon('trash'),
    tooltip: 'Remove the stored API key',
  };
  if (stored) input.buttons = [removeButton];
  const answer = await new Promise<string | null | undefined>((resolve) => {
    let settled = false;
    const finish = (value: string | null | undefined) => {
      if (settled) return;
      settled = true;
      resolve(value);
      input.hide();
    };
    input.onDidAccept(() => finish(input.value.trim()));
    input.onDidTriggerButton(() => finish(null));
    input.onDidHide(() => {
      finish(undefined);
      input.dispose();
    });
    input.show();
  });
  if (answer === undefined) return undefined;
  if (answer === null) {
    await context.secrets.delete(API_KEY_SECRET);
    return '';
  }
  if (answer === '') return stored ?? '';
  await context.secrets.store(API_KEY_SECRET, answer);
  return answer;
}

/**
 * The model: the endpoint's own list (asked with the real openai client in the server) to pick from, and whatever
 * is typed is offered too, so a model the endpoint does not list can still be used.
 */
async function askForModel(
  client: LanguageClient,
  baseUrl: string,
  apiKey: string,
  currentModel: string | undefined,
): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick();
  pick.title = 'Configure AI Endpoint (3/4): model';
  pick.placeholder = 'Type a model name, or pick one the endpoint lists';
  pick.ignoreFocusOut = true;
  pick.busy = true;
  pick.value = currentModel ?? '';
  let listed: vscode.QuickPickItem[] = [];
  const typedItem = (): vscode.QuickPickItem[] => {
    const typed = pick.value.trim();
    return typed && !listed.some((item) => item.label === typed)
      ? [{ label: typed, description: 'use this name' }]
      : [];
  };
  const update = () => (pick.items = [...typedItem(), ...listed]);
  update();
  pick.onDidChangeValue(update);
  void client
    .sendRequest(AiListModelsRequest, { ...readEndpointSettings(), baseUrl, apiKey: apiKey || undefined })
    .then(
      (response) => {
        listed = response.models.map((id) => ({ label: id }));
        pick.placeholder = response.problem
          ? `The endpoint did not list its models (${response.problem}): type the model name`
          : `Type a model name, or pick one of the ${response.models.length} the endpoint lists`;
        update();
      },
      () => (pick.placeholder = 'The endpoint did not list its models: type the model name'),
    )
    .finally(() => (pick.busy = false));
  return new Promise((resolve) => {
    let chosen: string | undefined;
    pick.onDidAccept(() => {
      chosen = (pick.selectedItems[0]?.label ?? pick.value).trim() || undefined;
      if (chosen) pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(chosen);
    });
    pick.show();
  });
}
