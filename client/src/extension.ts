/**
 * The WindFlow Stacks extension: starts the language server and wires commands, the Targets view, the status bar,
 * the code lens and the panels. Thin by design: each feature lives in its own module; target code (dockerode, the
 * Kubernetes client) and AI code are imported on first use only.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DeployCodeLensProvider } from './codeLens';
import { registerContainerCommands } from './commands/containerCommands';
import { registerDeploymentCommands } from './commands/deploymentCommands';
import { registerPodCommands } from './commands/podCommands';
import { registerEditorCommands } from './commands/editorCommands';
import { registerTargetCommands } from './commands/targetCommands';
import { Deployer } from './deployer';
import { DeployHistory } from './deployHistory';
import { createLanguageClient, STACK_LANGUAGE } from './languageClient';
import { Logger } from './logger';
import { DeploymentNotes } from './notes';
import { RenderedDocuments } from './renderedDocuments';
import { SelectedClusterVersion } from './selectedClusterVersion';
import { TargetManager } from './targetManager';
import { DeploymentsTree } from './views/deploymentsTree';
import { TargetStatusBar } from './views/statusBar';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = new Logger();
  context.subscriptions.push(log);
  log.info(
    `WindFlow Stacks ${String(context.extension.packageJSON.version)} (workspace trusted: ${vscode.workspace.isTrusted})`,
  );

  const targets = new TargetManager(context, log);
  const selectedCluster = new SelectedClusterVersion(targets, log);
  const languageClient = createLanguageClient(context, log, selectedCluster);
  client = languageClient;
  const history = new DeployHistory(context.secrets);
  const notes = new DeploymentNotes();
  const deployer = new Deployer(languageClient, targets, history, notes, log);
  const rendered = new RenderedDocuments(languageClient, history);
  const tree = new DeploymentsTree(targets, log);
  const treeView = vscode.window.createTreeView('windflow.targets', { treeDataProvider: tree, showCollapseAll: true });
  tree.setVisible(treeView.visible);
  const codeLens = new DeployCodeLensProvider(targets);

  context.subscriptions.push(
    targets,
    selectedCluster,
    notes,
    rendered,
    tree,
    treeView,
    codeLens,
    treeView.onDidChangeVisibility(({ visible }) => tree.setVisible(visible)),
    new TargetStatusBar(targets),
    vscode.languages.registerCodeLensProvider({ language: STACK_LANGUAGE }, codeLens),
    ...registerEditorCommands(() => client, rendered, context.workspaceState, log),
    ...registerTargetCommands(targets, context.secrets, log),
    ...registerContainerCommands(targets, log),
    ...registerDeploymentCommands({
      extensionUri: context.extensionUri,
      client: languageClient,
      targets,
      deployer,
      history,
      notes,
      log,
    }),
    ...registerPodCommands({ targets, log }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('Workspace trusted: deploying and AI features are on');
      targets.reload();
      void enableAi(context, languageClient, log);
    }),
  );

  if (vscode.workspace.isTrusted) await enableAi(context, languageClient, log);

  try {
    await languageClient.start();
  } catch (error) {
    log.error('The language server did not start', error);
    void vscode.window
      .showErrorMessage('The WindFlow language server did not start. See the WindFlow output for why.', 'Show Output')
      .then((choice) => choice && log.show());
  }
}

let aiEnabled = false;

/** AI features exist only in trusted workspaces; their module (and the openai client) loads only then. */
async function enableAi(context: vscode.ExtensionContext, languageClient: LanguageClient, log: Logger): Promise<void> {
  if (aiEnabled) return;
  aiEnabled = true;
  try {
    const { registerAiFeatures } = await import('./ai/index.js');
    registerAiFeatures(context, languageClient, log.channel);
  } catch (error) {
    log.error('The AI features could not be loaded', error);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
