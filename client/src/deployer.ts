import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RenderRequest, type RenderResponse } from '../../server/src/protocol';
import type { DeployHistory } from './deployHistory';
import { describeDeployFailure, describeError } from './errors';
import type { Logger } from './logger';
import type { DeploymentNotes } from './notes';
import { redactSecrets } from './redact';
import type { TargetManager } from './targetManager';
import type { RenderedStack } from './targets/target';
import type { FormValues } from './webview/messages';
import { readEndpointSettings } from './ai/endpoint';

export interface DeployRequest {
  stackUri: vscode.Uri;
  targetName: string;
  deploymentName: string;
  values: FormValues;
}

/** `notified`: the failure was already shown as a notification (deploy failures); otherwise the caller shows it. */
export type DeployOutcome = { ok: true } | { ok: false; messages: string[]; notified: boolean };

/**
 * One deploy, from values to a running deployment: the server renders (purpose `deploy`), the target deploys under a
 * cancellable progress notification, and the outcome is told once — notes on success, step and cause on failure.
 */
export class Deployer {
  constructor(
    private readonly client: LanguageClient,
    private readonly targets: TargetManager,
    private readonly history: DeployHistory,
    private readonly notes: DeploymentNotes,
    private readonly log: Logger,
  ) {}

  async deploy(request: DeployRequest): Promise<DeployOutcome> {
    const { deploymentName, targetName } = request;
    let rendered: RenderResponse;
    try {
      rendered = await this.client.sendRequest(RenderRequest, {
        uri: request.stackUri.toString(),
        values: request.values,
        deploymentName,
        purpose: 'deploy',
      });
    } catch (error) {
      this.log.error(`Rendering ${request.stackUri.fsPath} failed`, error);
      return {
        ok: false,
        messages: [`The stack could not be rendered: ${this.log.redact(describeError(error))}`],
        notified: false,
      };
    }
    const secrets = rendered.secrets;
    this.log.addSecrets(secrets);
    if (!rendered.ok) {
      return {
        ok: false,
        messages: rendered.errors.map((error) =>
          redactSecrets(error.range ? `Line ${error.range.start.line + 1}: ${error.message}` : error.message, secrets),
        ),
        notified: false,
      };
    }

    let target;
    try {
      target = await this.targets.target(targetName);
    } catch (error) {
      return { ok: false, messages: [describeError(error)], notified: false };
    }
    if (!target.supports(rendered.targetType)) {
      return {
        ok: false,
        messages: [`Target ${targetName} (${target.kind}) cannot deploy target_type ${rendered.targetType}.`],
        notified: false,
      };
    }
    const stack: RenderedStack = {
      stackName: rendered.stackName,
      targetType: rendered.targetType,
      deploymentName,
      template: rendered.template,
      targetParameters: rendered.targetParameters,
      deploymentNotes: rendered.deploymentNotes,
      secrets,
    };

    this.log.info(`Deploying ${deploymentName} (${rendered.stackName}, ${rendered.targetType}) to ${targetName}`);
    const abort = new AbortController();
    try {
      const result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Deploying ${deploymentName} to ${targetName}`,
          cancellable: true,
        },
        (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          return target.deploy(stack, {
            signal: abort.signal,
            timeoutMs: deployTimeoutMs(),
            onProgress: ({ step, message }) => {
              const text = this.log.redact(message);
              progress.report({ message: text });
              this.log.info(`[${deploymentName}] ${step}: ${text}`);
            },
          });
        },
      );
      await this.history.remember({
        stackUri: request.stackUri.toString(),
        targetName,
        deploymentName,
        values: request.values,
        deployedAt: new Date().toISOString(),
      });
      this.log.info(
        `Deployed ${deploymentName} to ${targetName}${result.replaced ? ' (replaced the previous one)' : ''}: ${result.created.join(', ') || 'nothing new created'}`,
      );
      this.targets.notifyDeploymentsChanged(targetName);
      if (stack.deploymentNotes?.trim()) {
        await this.notes.show(deploymentName, redactSecrets(stack.deploymentNotes, secrets));
      }
      void vscode.window
        .showInformationMessage(`Deployed ${deploymentName} to ${targetName}.`, 'Show Status', 'Show Logs')
        .then((choice) => {
          const reference = { targetName, deploymentName };
          if (choice === 'Show Status') void vscode.commands.executeCommand('windflow.showStatus', reference);
          if (choice === 'Show Logs') void vscode.commands.executeCommand('windflow.showLogs', reference);
        });
      return { ok: true };
    } catch (error) {
      this.targets.notifyDeploymentsChanged(targetName);
      if (abort.signal.aborted) {
        this.log.warn(`Deploy of ${deploymentName} cancelled; what it had created was removed.`);
        void vscode.window.showWarningMessage(
          `Deploy of ${deploymentName} cancelled; what it had created was removed.`,
        );
        return { ok: false, messages: ['The deploy was cancelled.'], notified: true };
      }
      const message = this.log.redact(describeDeployFailure(deploymentName, error));
      this.log.error(message);
      this.reportFailure(message, request);
      return { ok: false, messages: [message], notified: true };
    }
  }

  private reportFailure(message: string, request: DeployRequest): void {
    const actions = ['Show Output'];
    if (aiConfigured()) actions.push('Explain with AI');
    void vscode.window.showErrorMessage(message, ...actions).then((choice) => {
      if (choice === 'Show Output') this.log.show();
      if (choice === 'Explain with AI') {
        void vscode.commands.executeCommand('windflow.ai.explainDeploy', {
          stackUri: request.stackUri.toString(),
          targetName: request.targetName,
          deploymentName: request.deploymentName,
          error: message,
          // The deploy was rolled back, so its containers and their logs are gone: the error is all there is.
          status: 'failed: rolled back',
        });
      }
    });
  }
}

/** AI actions are offered only once an endpoint is configured, and never in Restricted Mode. */
export function aiConfigured(): boolean {
  return vscode.workspace.isTrusted && Boolean(readEndpointSettings().baseUrl);
}

/** `windflow.deploy.timeoutSeconds`: how long converging may take (the targets' own default when unset). */
function deployTimeoutMs(): number | undefined {
  const seconds = vscode.workspace.getConfiguration('windflow').get<number>('deploy.timeoutSeconds');
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
