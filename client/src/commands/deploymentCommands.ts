import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Deployer } from '../deployer';
import { RenderRequest } from '../../../server/src/protocol';
import type { DeployHistory } from '../deployHistory';
import type { DeploymentNotes } from '../notes';
import { isDeploymentRef, type DeploymentRef } from '../deploymentRef';
import { describeError } from '../errors';
import { STACK_LANGUAGE } from '../languageClient';
import type { Logger } from '../logger';
import { openDeployForm } from '../panels/deployPanel';
import { openLogsPanel } from '../panels/logsPanel';
import { openStatusPanel } from '../panels/statusPanel';
import type { TargetManager } from '../targetManager';
import type { Target } from '../targets/target';

export interface DeploymentCommandServices {
  extensionUri: vscode.Uri;
  client: LanguageClient;
  targets: TargetManager;
  deployer: Deployer;
  history: DeployHistory;
  notes: DeploymentNotes;
  log: Logger;
}

/**
 * A deployment's notes: those shown at its deploy in this session, else the notes rendered again (secrets masked)
 * from the stack file and values this editor deployed it with.
 */
async function notesFor(services: DeploymentCommandServices, ref: DeploymentRef): Promise<string | undefined> {
  const shown = services.notes.markdownFor(ref.deploymentName);
  if (shown !== undefined) return shown;
  const record = await services.history.forDeployment(ref.targetName, ref.deploymentName);
  if (!record) return undefined;
  const rendered = await services.client.sendRequest(RenderRequest, {
    uri: record.stackUri,
    values: record.values,
    deploymentName: ref.deploymentName,
    purpose: 'preview',
  });
  return rendered.ok ? rendered.deploymentNotes : undefined;
}

/** Deploy, redeploy, stop, remove, logs and status: everything that touches a target. Refused in Restricted Mode. */
export function registerDeploymentCommands(services: DeploymentCommandServices): vscode.Disposable[] {
  const trusted =
    <Args extends unknown[]>(run: (...args: Args) => Promise<void>) =>
    async (...args: Args): Promise<void> => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage(
          'WindFlow does not deploy or contact targets in Restricted Mode. Trust this workspace first.',
        );
        return;
      }
      try {
        await run(...args);
      } catch (error) {
        services.log.error('Command failed', error);
        void vscode.window.showErrorMessage(services.log.redact(describeError(error)));
      }
    };

  /** Stop and Start: pick a deployment, run the target call under a progress notification, refresh the view. */
  const lifecycleCommand = (
    command: string,
    progressVerb: string,
    doneVerb: string,
    change: (target: Target, deploymentName: string, signal: AbortSignal) => Promise<void>,
    destructive: boolean,
  ): vscode.Disposable =>
    vscode.commands.registerCommand(
      command,
      trusted(async (ref?: DeploymentRef) => {
        const chosen = await deploymentFrom(services.targets, ref, destructive);
        if (!chosen) return;
        const target = await services.targets.target(chosen.targetName);
        await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: `${progressVerb} ${chosen.deploymentName}`,
            cancellable: true,
          },
          (_progress, token) => change(target, chosen.deploymentName, abortOn(token)),
        );
        services.log.info(`${doneVerb} ${chosen.deploymentName} on ${chosen.targetName}`);
        services.targets.notifyDeploymentsChanged(chosen.targetName);
      }),
    );

  return [
    vscode.commands.registerCommand(
      'windflow.deploy',
      trusted(async (uri?: vscode.Uri, targetName?: string) => {
        const stackUri = await stackUriFrom(uri);
        if (stackUri) await openDeployForm(services, stackUri, typeof targetName === 'string' ? targetName : undefined);
      }),
    ),
    vscode.commands.registerCommand(
      'windflow.redeploy',
      trusted(async (ref?: DeploymentRef) => {
        const chosen = await deploymentFrom(services.targets, ref);
        if (chosen) await redeploy(services, chosen);
      }),
    ),
    lifecycleCommand(
      'windflow.stop',
      'Stopping',
      'Stopped',
      (target, name, signal) => target.stop(name, { signal }),
      true,
    ),
    lifecycleCommand(
      'windflow.start',
      'Starting',
      'Started',
      (target, name, signal) => target.start(name, { signal }),
      false,
    ),
    vscode.commands.registerCommand(
      'windflow.remove',
      trusted(async (ref?: DeploymentRef) => remove(services, ref, false)),
    ),
    vscode.commands.registerCommand(
      'windflow.removeWithData',
      trusted(async (ref?: DeploymentRef) => remove(services, ref, true)),
    ),
    vscode.commands.registerCommand(
      'windflow.showLogs',
      trusted(async (ref?: DeploymentRef) => {
        const chosen = await deploymentFrom(services.targets, ref);
        if (chosen) openLogsPanel(services, chosen);
      }),
    ),
    vscode.commands.registerCommand(
      'windflow.showStatus',
      trusted(async (ref?: DeploymentRef) => {
        const chosen = await deploymentFrom(services.targets, ref);
        if (!chosen) return;
        openStatusPanel(
          {
            ...services,
            notesFor: (ref) => notesFor(services, ref),
            showNotes: (ref, markdown) => services.notes.show(ref.deploymentName, markdown),
          },
          { targetName: chosen.targetName, deploymentName: chosen.deploymentName },
        );
      }),
    ),
  ];
}

/** The stack a command acts on: the one it was invoked on, else the active editor's (switching it to a stack). */
async function stackUriFrom(uri: unknown): Promise<vscode.Uri | undefined> {
  if (uri instanceof vscode.Uri) return uri;
  const document = vscode.window.activeTextEditor?.document;
  if (document?.languageId === STACK_LANGUAGE) return document.uri;
  void vscode.window.showWarningMessage(
    'Open a WindFlow stack file first (or run "WindFlow: Treat This File as a Stack").',
  );
  return undefined;
}

/**
 * The deployment a command acts on: the tree item it was invoked on (always, when there is one), else one the user
 * picks on the current target. For a destructive action the picker starts with nothing highlighted, so Enter alone
 * never chooses a deployment.
 */
export async function deploymentFrom(
  targets: TargetManager,
  ref: unknown,
  destructive = false,
): Promise<DeploymentRef | undefined> {
  if (isDeploymentRef(ref)) return ref;
  const targetName = await targets.currentName();
  if (!targetName) {
    void vscode.window.showWarningMessage('No target is available. Run "WindFlow: Add Target…".');
    return undefined;
  }
  const target = await targets.target(targetName);
  const deployments = await target.list();
  if (deployments.length === 0) {
    void vscode.window.showInformationMessage(`There are no WindFlow deployments on ${targetName}.`);
    return undefined;
  }
  const items = deployments.map((deployment) => ({
    label: deployment.deploymentName,
    description: [deployment.state, deployment.stackName].filter(Boolean).join(' · '),
  }));
  const title = `Deployments on ${targetName}`;
  const picked = destructive
    ? await pickWithNothingHighlighted(items, title)
    : await vscode.window.showQuickPick(items, { title, placeHolder: 'Choose a deployment' });
  return picked ? { targetName, deploymentName: picked.label } : undefined;
}

/** A quick pick whose first row is not highlighted: the user has to point at (or type) the deployment to act on. */
function pickWithNothingHighlighted<T extends vscode.QuickPickItem>(items: T[], title: string): Promise<T | undefined> {
  return new Promise((resolve) => {
    const quickPick = vscode.window.createQuickPick<T>();
    quickPick.title = title;
    quickPick.placeholder = 'Choose the deployment (nothing is selected for you)';
    quickPick.items = items;
    quickPick.activeItems = [];
    let chosen: T | undefined;
    quickPick.onDidAccept(() => {
      chosen = quickPick.selectedItems[0] ?? quickPick.activeItems[0];
      if (chosen) quickPick.hide();
    });
    quickPick.onDidHide(() => {
      quickPick.dispose();
      resolve(chosen);
    });
    quickPick.show();
    quickPick.activeItems = [];
  });
}

async function redeploy(services: DeploymentCommandServices, ref: DeploymentRef): Promise<void> {
  const record = await services.history.forDeployment(ref.targetName, ref.deploymentName);
  if (!record) {
    // Deployed elsewhere (the CLI, another machine): the values are unknown, so ask for them in the form.
    const choice = await vscode.window.showInformationMessage(
      `${ref.deploymentName} was not deployed from this editor, so its values are unknown. Open a stack's deploy form to redeploy it under the same name.`,
      'Open Deploy Form…',
    );
    if (choice) await vscode.commands.executeCommand('windflow.deploy');
    return;
  }
  const outcome = await services.deployer.deploy({
    stackUri: vscode.Uri.parse(record.stackUri),
    targetName: ref.targetName,
    deploymentName: ref.deploymentName,
    values: record.values,
  });
  if (!outcome.ok && !outcome.notified) {
    void vscode.window.showErrorMessage(`Redeploy of ${ref.deploymentName} failed: ${outcome.messages.join(' ')}`);
  }
}

/** An AbortSignal that aborts when the progress notification's Cancel is pressed. */
function abortOn(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

async function remove(
  services: DeploymentCommandServices,
  ref: DeploymentRef | undefined,
  deleteData: boolean,
): Promise<void> {
  const chosen = await deploymentFrom(services.targets, ref, true);
  if (!chosen) return;
  const action = deleteData ? 'Remove and Delete Data' : 'Remove';
  const detail = deleteData
    ? 'Its containers or objects and its data volumes are deleted. The data cannot be recovered.'
    : 'Its containers or objects are deleted; named volumes are kept.';
  const confirmed = await vscode.window.showWarningMessage(
    `Remove ${chosen.deploymentName} from ${chosen.targetName}?`,
    { modal: true, detail },
    action,
  );
  if (confirmed !== action) return;
  const target = await services.targets.target(chosen.targetName);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Removing ${chosen.deploymentName}`, cancellable: true },
    (_progress, token) => target.remove(chosen.deploymentName, { deleteData, signal: abortOn(token) }),
  );
  services.log.info(
    `Removed ${chosen.deploymentName} from ${chosen.targetName}: ${result.removed.join(', ') || 'nothing'}${result.kept.length ? `; kept ${result.kept.join(', ')}` : ''}`,
  );
  await services.history.forget(chosen.targetName, chosen.deploymentName);
  services.targets.notifyDeploymentsChanged(chosen.targetName);
  const kept = result.kept.length > 0 ? ` Kept: ${result.kept.join(', ')}.` : '';
  void vscode.window.showInformationMessage(`Removed ${chosen.deploymentName}.${kept}`);
}
