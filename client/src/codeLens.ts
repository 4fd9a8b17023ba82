import * as vscode from 'vscode';
import { topLevelKeyLine } from './stackText';
import type { TargetManager } from './targetManager';
import { describeTargetKinds, targetKindsFor, targetTypeInText } from './targets/kinds';

/**
 * "Deploy to <target>" above `metadata:`: the one-click path from a stack file to a running deployment. It names a
 * target only when that target can deploy the stack; when none can, it says what the stack needs and offers to add it.
 */
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

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.isTrusted) return [];
    const text = document.getText();
    const line = topLevelKeyLine(text, 'metadata');
    if (line === undefined) return [];
    const range = new vscode.Range(line, 0, line, 0);
    const targetType = targetTypeInText(text);
    const kinds = targetKindsFor(targetType ?? '');
    const configs = await this.targets.configs();
    const current = await this.targets.currentName();
    const deployable = configs.filter((config) => kinds.includes(config.kind));
    const target = deployable.find((config) => config.name === current) ?? deployable[0];
    if (target || targetType === undefined) {
      return [
        new vscode.CodeLens(range, {
          title: target ? `$(rocket) Deploy to ${target.name}` : '$(rocket) Deploy…',
          tooltip: 'Open the deploy form for this stack',
          command: 'windflow.deploy',
          arguments: target ? [document.uri, target.name] : [document.uri],
        }),
      ];
    }
    const needs = describeTargetKinds(targetType);
    const lenses = [
      new vscode.CodeLens(range, {
        title: `$(rocket) Deploy… (needs ${needs})`,
        tooltip: `No configured target can deploy target_type ${targetType}: it deploys to ${needs}.`,
        command: 'windflow.deploy',
        arguments: [document.uri],
      }),
    ];
    if (kinds.length > 0) {
      lenses.push(
        new vscode.CodeLens(range, {
          title: kinds[0] === 'kubernetes' ? '$(add) Add Kubernetes Target…' : '$(add) Add Docker Target…',
          tooltip: 'Add a target that can deploy this stack',
          command: 'windflow.addTarget',
          arguments: [{ kind: kinds[0] }],
        }),
      );
    }
    return lenses;
  }
}
