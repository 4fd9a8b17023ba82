import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { VariablesRequest, type VariablesResponse } from '../../../server/src/protocol';
import type { Deployer } from '../deployer';
import type { Logger } from '../logger';
import type { TargetManager } from '../targetManager';
import { describeTargetKinds, targetKindsFor } from '../targets/kinds';
import { submissionProblems, valueFields } from '../variableForm';
import type { DeployDraft, DeployFormToHost, HostToDeployForm, StackFacts, TargetChoice } from '../webview/messages';
import { openWebviewPanel } from './webviewHtml';

export interface DeployPanelServices {
  extensionUri: vscode.Uri;
  client: LanguageClient;
  targets: TargetManager;
  deployer: Deployer;
  log: Logger;
}

/** Diagnostics arrive in bursts while the user types: the form asks the server again once they settle. */
const STACK_REFRESH_DEBOUNCE_MS = 200;

/** The open deploy form of each stack file: deploying a stack again reveals its form instead of opening another. */
const openForms = new Map<string, DeployPanel>();
/**
 * What the user typed in a stack's form, kept for this window's session (never persisted: values can be secrets),
 * so closing the form and opening it again restores it. Forgotten once the deploy succeeds.
 */
const drafts = new Map<string, DeployDraft>();

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
  openForms.set(key, new DeployPanel(services, stackUri, variables, preferredTarget, () => openForms.delete(key)));
}

function stackFacts(variables: VariablesResponse): StackFacts {
  return {
    stackName: variables.stackName,
    targetType: variables.targetType,
    variables: variables.variables,
    deploymentName: variables.defaultDeploymentName,
    blockingErrors: variables.blockingErrors,
    deployableBy: describeTargetKinds(variables.targetType),
  };
}

class DeployPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private deploying = false;
  private closed = false;
  private stackRefreshTimer?: NodeJS.Timeout;

  constructor(
    private readonly services: DeployPanelServices,
    private readonly stackUri: vscode.Uri,
    private variables: VariablesResponse,
    private readonly preferredTarget: string | undefined,
    private readonly onClosed: () => void,
  ) {
    this.panel = openWebviewPanel(services.extensionUri, {
      viewType: 'windflow.deployForm',
      title: `Deploy ${variables.stackName || path.basename(stackUri.path)}`,
      script: 'webview-deploy.js',
      body: '<form id="form" class="deploy-form" novalidate></form>',
    });
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((message: DeployFormToHost) => void this.handle(message)),
      this.panel.onDidDispose(() => this.dispose()),
      // The banner and the Deploy button follow the file: each new set of diagnostics re-reads the stack.
      vscode.languages.onDidChangeDiagnostics((event) => {
        if (event.uris.some((uri) => uri.toString() === this.stackUri.toString())) this.scheduleStackRefresh();
      }),
      services.targets.onDidChange(() => void this.sendTargets()),
      services.targets.onDidChangeReachability(() => void this.sendTargets()),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(message: HostToDeployForm): void {
    if (!this.closed) void this.panel.webview.postMessage(message);
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
      case 'draft':
        drafts.set(this.stackUri.toString(), message.draft);
        break;
      case 'showProblems':
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        break;
      case 'addTarget':
        await vscode.commands.executeCommand('windflow.addTarget', {
          kind: targetKindsFor(this.variables.targetType)[0],
        });
        break;
      case 'cancel':
        this.panel.dispose();
        break;
    }
  }

  /** The targets with what they can deploy; reachability comes later, in a `targets` message per answer. */
  private async targetChoices(): Promise<TargetChoice[]> {
    const { targets } = this.services;
    const kinds = targetKindsFor(this.variables.targetType);
    const choices: TargetChoice[] = [];
    for (const config of await targets.configs()) {
      const choice: TargetChoice = { name: config.name, kind: config.kind, supported: kinds.includes(config.kind) };
      choices.push(choice);
      if (!choice.supported) continue;
      const answer = targets.reachability(config.name);
      const settled = await Promise.race([answer, Promise.resolve(undefined)]);
      // Unanswered yet: onDidChangeReachability sends the list again once it is.
      if (settled) Object.assign(choice, settled);
    }
    return choices;
  }

  private async selectedTarget(choices: TargetChoice[]): Promise<string | undefined> {
    const current = this.preferredTarget ?? (await this.services.targets.currentName());
    return (
      choices.find((choice) => choice.name === current && choice.supported) ??
      choices.find((choice) => choice.supported && choice.reachable !== false) ??
      choices.find((choice) => choice.supported)
    )?.name;
  }

  private async sendInit(): Promise<void> {
    const targets = await this.targetChoices();
    this.post({
      type: 'init',
      fileName: vscode.workspace.asRelativePath(this.stackUri),
      stack: stackFacts(this.variables),
      targets,
      selectedTarget: await this.selectedTarget(targets),
      draft: drafts.get(this.stackUri.toString()),
    });
  }

  private async sendTargets(): Promise<void> {
    if (this.closed) return;
    const targets = await this.targetChoices();
    this.post({ type: 'targets', targets, selectedTarget: await this.selectedTarget(targets) });
  }

  private scheduleStackRefresh(): void {
    clearTimeout(this.stackRefreshTimer);
    this.stackRefreshTimer = setTimeout(() => void this.refreshStack(), STACK_REFRESH_DEBOUNCE_MS);
  }

  /** Re-reads the stack from the server and updates the open form in place (typed values are kept). */
  private async refreshStack(): Promise<void> {
    if (this.closed) return;
    try {
      this.variables = await this.services.client.sendRequest(VariablesRequest, { uri: this.stackUri.toString() });
    } catch (error) {
      // The file was closed or the server restarts: the form keeps what it showed; submit checks again.
      this.services.log.warn(`The deploy form could not re-read ${this.stackUri.fsPath}: ${String(error)}`);
      return;
    }
    this.panel.title = `Deploy ${this.variables.stackName || path.basename(this.stackUri.path)}`;
    this.post({ type: 'stack', stack: stackFacts(this.variables) });
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
    // The file may have changed since the form last heard of it: validate against what the server sees now.
    this.variables = await this.services.client.sendRequest(VariablesRequest, { uri: this.stackUri.toString() });
    this.post({ type: 'stack', stack: stackFacts(this.variables) });
    const problems = submissionProblems(this.variables.variables, this.variables.targetType, deploymentName, values);
    if (this.variables.blockingErrors > 0) {
      problems.unshift(`The stack file has ${this.variables.blockingErrors} error(s): fix them before deploying.`);
    }
    if (!targetName)
      problems.unshift(`Choose a target: this stack deploys to ${describeTargetKinds(this.variables.targetType)}.`);
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
      if (outcome.ok) {
        drafts.delete(this.stackUri.toString());
        this.panel.dispose();
      } else this.post({ type: 'failed', messages: outcome.messages });
    } finally {
      this.deploying = false;
      this.post({ type: 'busy', busy: false });
    }
  }

  private dispose(): void {
    this.closed = true;
    this.onClosed();
    clearTimeout(this.stackRefreshTimer);
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }
}
