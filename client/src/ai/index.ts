/**
 * The VS Code face of the AI features (product §6). The work happens in the language server (server/src/ai); this
 * collects settings and the key, offers the commands, code actions and ghost text, and shows results. Nothing is
 * applied or deployed without the user.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AiExplainRequest, AiGenerateRequest, AiProgressType } from '../../../server/src/protocol';
import { configureEndpoint } from './configure';
import { AiEndpoint } from './endpoint';
import { askWithProgress, showFailure } from './failures';
import { AskAiToFixProvider, askAiToFix, FIX_COMMAND, FixPreviews } from './fix';
import { AiInlineCompletions } from './inline';

const STACK_SELECTOR: vscode.DocumentSelector = [
  { language: 'windflow-stack', scheme: 'file' },
  { language: 'windflow-stack', scheme: 'untitled' },
];

const GENERATE_TARGETS: vscode.QuickPickItem[] = [
  { label: 'docker_compose', description: 'a Compose project (several services)' },
  { label: 'docker', description: 'one container' },
  { label: 'kubernetes', description: 'Kubernetes objects' },
  { label: 'docker_swarm', description: 'a Swarm stack' },
];

const EXPLANATION_SCHEME = 'windflow-explanation';

/** What a failed deploy hands to "Explain with AI". */
export interface ExplainDeployArgs {
  error: string;
  status?: string;
  logLines?: string[];
  stackUri?: string;
  deploymentName?: string;
}

export function registerAiFeatures(
  context: vscode.ExtensionContext,
  client: LanguageClient,
  log: vscode.LogOutputChannel,
): void {
  const endpoint = new AiEndpoint(context, client, log);
  const previews = new FixPreviews();
  const explanations = new Map<string, string>();
  context.subscriptions.push(
    endpoint,
    previews.register(),
    // Explanations are read-only documents: closing one never asks to save an Untitled buffer.
    vscode.workspace.registerTextDocumentContentProvider(EXPLANATION_SCHEME, {
      provideTextDocumentContent: (uri) => explanations.get(uri.path) ?? '',
    }),
    vscode.commands.registerCommand('windflow.ai.configure', () => configureEndpoint(context, endpoint, client)),
    vscode.commands.registerCommand('windflow.ai.generate', () => generate(client, endpoint, log)),
    vscode.commands.registerCommand(FIX_COMMAND, (uri: vscode.Uri, diagnostic: vscode.Diagnostic) =>
      askAiToFix(client, previews, log, uri, diagnostic),
    ),
    vscode.commands.registerCommand('windflow.ai.explainDeploy', (args: ExplainDeployArgs) =>
      explainDeploy(client, endpoint, log, explanations, args),
    ),
    vscode.languages.registerCodeActionsProvider(STACK_SELECTOR, new AskAiToFixProvider(endpoint), {
      providedCodeActionKinds: AskAiToFixProvider.kinds,
    }),
    vscode.languages.registerInlineCompletionItemProvider(
      STACK_SELECTOR,
      new AiInlineCompletions(client, endpoint, log),
    ),
  );
}

function requireEndpoint(endpoint: AiEndpoint, log: vscode.LogOutputChannel): boolean {
  if (endpoint.isEnabled) return true;
  if (vscode.workspace.isTrusted) {
    showFailure(log, {
      kind: 'not_configured',
      message: "AI is off until an endpoint is configured: run 'WindFlow: Configure AI Endpoint…'",
    });
  } else {
    showFailure(log, {
      kind: 'untrusted',
      message: 'AI features are off in Restricted Mode. Trust this workspace to use them.',
    });
  }
  return false;
}

/** "Generate Stack with AI…": description and target type in, a new untitled windflow-stack document out. */
async function generate(client: LanguageClient, endpoint: AiEndpoint, log: vscode.LogOutputChannel): Promise<void> {
  if (!requireEndpoint(endpoint, log)) return;
  const description = await vscode.window.showInputBox({
    title: 'Generate Stack with AI',
    prompt: 'Describe the stack, e.g. "PostgreSQL 16 with pgAdmin, data in a named volume"',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Describe what the stack should run'),
  });
  if (!description) return;
  const target = await vscode.window.showQuickPick(GENERATE_TARGETS, { title: 'Generate Stack with AI: target type' });
  if (!target) return;
  const progressToken = `windflow-ai-generate-${Date.now()}`;
  const response = await askWithProgress(log, 'Generating a stack with AI', (token, progress) => {
    const listener = client.onProgress(AiProgressType, progressToken, ({ receivedCharacters }) => {
      progress.report({ message: `${receivedCharacters} characters received` });
    });
    return client
      .sendRequest(
        AiGenerateRequest,
        { description: description.trim(), targetType: target.label, progressToken },
        token,
      )
      .finally(() => listener.dispose());
  });
  if (!response) return;
  const document = await vscode.workspace.openTextDocument({ language: 'windflow-stack', content: response.text });
  await vscode.window.showTextDocument(document);
  if (response.repaired)
    void vscode.window.showInformationMessage(
      'The first AI answer had errors; this repaired version passed validation.',
    );
}

/** "Explain with AI" after a failed deploy: the explanation opens as a Markdown preview. */
async function explainDeploy(
  client: LanguageClient,
  endpoint: AiEndpoint,
  log: vscode.LogOutputChannel,
  explanations: Map<string, string>,
  args: ExplainDeployArgs,
): Promise<void> {
  if (!requireEndpoint(endpoint, log) || !args?.error) return;
  const response = await askWithProgress(log, 'Asking AI why the deploy failed…', (token) =>
    client.sendRequest(
      AiExplainRequest,
      { error: args.error, status: args.status ?? 'failed', logLines: args.logLines ?? [], uri: args.stackUri },
      token,
    ),
  );
  if (!response) return;
  const title = `# Why ${args.deploymentName ? `'${args.deploymentName}'` : 'the deploy'} failed\n\n`;
  const uri = vscode.Uri.from({
    scheme: EXPLANATION_SCHEME,
    path: `/${args.deploymentName ?? 'deploy'}-${explanations.size + 1}.md`,
  });
  explanations.set(uri.path, title + response.markdown);
  await vscode.commands.executeCommand('markdown.showPreview', uri);
}
