import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { VariablesRequest, type VariablesResponse } from '../../../server/src/protocol';
import type { Deployer } from '../deployer';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { TargetManager } from '../targetManager';
import { submissionProblems, valueFields } from '../variableForm';
import type { DeployFormToHost, HostToDeployForm, TargetChoice } from '../webview/messages';
import { openWebviewPanel } from './webviewHtml';

export interface DeployPanelServices {
  extensionUri: vscode.Uri;
  client: LanguageClient;
  targets: TargetManager;
  deployer: Deployer;
  log: Logger;
}

/** The open deploy form of each stack file: deploying a stack again reveals its form instead of opening another. */
const openForms = new Map<string, DeployPanel>();

/** Opens (or reveals) the deploy form of a stack file, with the given target preselected when it can deploy it. */
export async function openDeployForm(
  services: DeployPanelServices,
  stackUri: vscode.Uri,
  preferredTarget?: string,
): Promise<void> {
  const key = stackUri.toString();
  const existing = openForms.get(key);
  if (existing) {
    existing.reveal();
    return;
  }
  const variables = await services.client.sendRequest(VariablesRequest, { uri: key });
  const panel = new DeployPanel(services, stackUri, variables, preferredTarget);
  openForms.set(key, panel);
  panel.onDidDispose(() => openForms.delete(key));
}

class DeployPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private deploying = false;

  constructor(
    private readonly services: DeployPanelServices,
    private readonly stackUri: vscode.Uri,
    private variables: VariablesResponse,
    private readonly preferredTarget: string | undefined,
  ) {
    this.panel = openWebviewPanel(services.extensionUri, {
      viewType: 'windflow.deployForm',
      title: `Deploy ${variables.stackName || path.basename(stackUri.path)}`,
      column: vscode.ViewColumn.Beside,
      script: 'webview-deploy.js',
      body: '<form id="form" class="deploy-form" novalidate></form>',
    });
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((message: DeployFormToHost) => void this.handle(message)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  onDidDispose(listener: () => void): void {
    this.disposables.push(this.panel.onDidDispose(listener));
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(message: HostToDeployForm): void {
    void this.panel.webview.postMessage(message);
  }

  private async handle(message: DeployFormToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.sendInit();
        break;
      case 'regenerate':
        await this.regenerate(message.qualifiedName);
        break;
      case 'submit':
        await this.submit(message.target, message.deploymentName, message.values);
        break;
      case 'showProblems':
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        break;
      case 'cancel':
        this.panel.dispose();
        break;
    }
  }

  private async sendInit(): Promise<void> {
    const { targets } = this.services;
    const choices: TargetChoice[] = [];
    for (const config of await targets.configs()) {
      let supported = false;
      try {
        supported = (await targets.target(config.name)).supports(this.variables.targetType);
      } catch (error) {
        this.services.log.warn(`Target ${config.name} is unusable: ${describeError(error)}`);
      }
      choices.push({ name: config.name, kind: config.kind, supported });
    }
    const current = this.preferredTarget ?? (await targets.currentName());
    const selected =
      choices.find((choice) => choice.name === current && choice.supported) ?? choices.find((c) => c.supported);
    this.post({
      type: 'init',
      stackName: this.variables.stackName,
      targetType: this.variables.targetType,
      fileName: vscode.workspace.asRelativePath(this.stackUri),
      variables: this.variables.variables,
      targets: choices,
      selectedTarget: selected?.name,
      deploymentName: this.variables.defaultDeploymentName,
      blockingErrors: this.variables.blockingErrors,
    });
  }

  /** Asks the server for the variables again (generated defaults come out fresh) and keeps the one asked for. */
  private async regenerate(qualifiedName: string): Promise<void> {
    const fresh = await this.services.client.sendRequest(VariablesRequest, { uri: this.stackUri.toString() });
    const field = valueFields(fresh.variables).find((variable) => variable.qualifiedName === qualifiedName);
    if (!field?.generated || field.default === undefined) return;
    const value = field.default;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      this.post({ type: 'regenerated', qualifiedName, value });
    }
  }

  private async submit(
    targetName: string,
    deploymentName: string,
    values: Extract<DeployFormToHost, { type: 'submit' }>['values'],
  ): Promise<void> {
    if (this.deploying) return;
    // The file may have changed since the form opened: validate against what the server sees now.
    this.variables = await this.services.client.sendRequest(VariablesRequest, { uri: this.stackUri.toString() });
    const problems = submissionProblems(this.variables.variables, this.variables.targetType, deploymentName, values);
    if (this.variables.blockingErrors > 0) {
      problems.unshift(`The stack file has ${this.variables.blockingErrors} error(s): fix them before deploying.`);
    }
    if (!targetName) problems.unshift('Choose a target.');
    if (problems.length > 0) {
      this.post({ type: 'failed', messages: problems });
      return;
    }
    this.deploying = true;
    this.post({ type: 'busy', busy: true });
    try {
      const outcome = await this.services.deployer.deploy({
        stackUri: this.stackUri,
        targetName,
        deploymentName,
        values,
      });
      if (outcome.ok) this.panel.dispose();
      else this.post({ type: 'failed', messages: outcome.messages });
    } finally {
      this.deploying = false;
      if (openForms.has(this.stackUri.toString())) this.post({ type: 'busy', busy: false });
    }
  }

  private dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }
}
