import * as vscode from 'vscode';
import { topLevelKeyLine } from './stackText';
import type { TargetManager } from './targetManager';

/** "Deploy to <target>" above `metadata:`: the one-click path from a stack file to a running deployment. */
export class DeployCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  private readonly subscription: vscode.Disposable;

  constructor(private readonly targets: TargetManager) {
    this.subscription = targets.onDidChange(() => this.changed.fire());
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted) return [];
    const line = topLevelKeyLine(document.getText(), 'metadata');
    if (line === undefined) return [];
    const range = new vscode.Range(line, 0, line, 0);
    const target = this.targets.knownCurrentName();
    return [
      new vscode.CodeLens(range, {
        title: target ? `$(rocket) Deploy to ${target}` : '$(rocket) Deploy…',
        tooltip: 'Open the deploy form for this stack',
        command: 'windflow.deploy',
        arguments: target ? [document.uri, target] : [document.uri],
      }),
    ];
  }
}
