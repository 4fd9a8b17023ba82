import * as vscode from 'vscode';
import { STACK_LANGUAGE } from '../languageClient';
import type { TargetManager } from '../targetManager';

/**
 * The current target in the status bar, shown while a stack file is in the editor (where deploying is one click
 * away). Clicking it runs "WindFlow: Select Target".
 */
export class TargetStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('windflow.target', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly targets: TargetManager) {
    this.item.name = 'WindFlow Target';
    this.item.command = 'windflow.selectTarget';
    this.subscriptions.push(
      targets.onDidChange(() => void this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => void this.update()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.update()),
    );
    void this.update();
  }

  private async update(): Promise<void> {
    const onStack = vscode.window.activeTextEditor?.document.languageId === STACK_LANGUAGE;
    if (!onStack || !vscode.workspace.isTrusted) {
      this.item.hide();
      return;
    }
    // The selected target, or the one a deploy would use when none was chosen (windflow.defaultTarget, the first).
    const current = this.targets.knownCurrentName() ?? (await this.targets.currentName());
    this.item.text = `$(server-environment) ${current ?? 'Select Target'}`;
    this.item.tooltip = current
      ? `WindFlow deploys to ${current}. Click to choose another target.`
      : 'Choose where WindFlow deploys';
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
