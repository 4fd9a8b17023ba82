import * as vscode from 'vscode';
import type { DeploymentRef } from '../deploymentRef';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { TargetManager } from '../targetManager';
import type {
  DeploymentState,
  DeploymentSummary,
  Disposable as TargetDisposable,
  UnitState,
  UnitStatus,
} from '../targets/target';
import { describeState } from '../targets/target';

export interface TargetNode {
  kind: 'target';
  targetName: string;
  targetKind: string;
  /** True when the target comes from the user's windflow.targets (Edit and Remove change that entry). */
  configured: boolean;
}

export interface DeploymentNode extends DeploymentRef {
  kind: 'deployment';
  summary: DeploymentSummary;
}

export interface UnitNode extends DeploymentRef {
  kind: 'unit';
  unit: UnitStatus;
}

/** A Swarm service between its deployment and its tasks. */
export interface ServiceNode extends DeploymentRef {
  kind: 'service';
  desired: number;
  ready: number;
  tasks: UnitStatus[];
}

interface MessageNode {
  kind: 'message';
  text: string;
  detail?: string;
  error: boolean;
}

export type TreeNode = TargetNode | DeploymentNode | ServiceNode | UnitNode | MessageNode;

/** Bursts of engine events (one deploy emits many) are folded into one refresh of the target's subtree. */
const REFRESH_DEBOUNCE_MS = 400;

/**
 * The Targets view: targets → deployments → containers/pods (Swarm deployments: → services → tasks). While the view is visible it watches each target the
 * user expanded (Docker events, Kubernetes watches, or the target's own polling); while hidden it watches nothing.
 *
 * A refresh reads the target first and only then tells the tree: VS Code forgets a node's children when it asks for
 * them again, so a slow getChildren would leave a window in which a context-menu command on a deployment arrives
 * without its item. Children are therefore served from what was read, and getChildren is instant on a refresh.
 */
export class DeploymentsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The same object per target across refreshes: the tree refreshes a subtree by element identity. */
  private readonly targetNodes = new Map<string, TargetNode>();
  private readonly watches = new Map<string, TargetDisposable>();
  private readonly refreshTimers = new Map<string, NodeJS.Timeout>();
  /** The children last read for a target or a deployment (keyed by `target` or `target/deployment`). */
  private readonly children = new Map<string, TreeNode[]>();
  private visible = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly targets: TargetManager,
    private readonly log: Logger,
  ) {
    this.subscriptions.push(
      targets.onDidChange(() => this.refreshAll()),
      targets.onDidChangeDeployments((name) => this.refreshTarget(name)),
      targets.onDidChangeReachability((name) => this.changed.fire(this.targetNodes.get(name))),
    );
  }

  /** Called with the view's visibility: watching stops when nobody looks and resumes with a fresh read. */
  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) this.refreshAll();
    else this.stopWatching();
  }

  refreshAll(): void {
    this.stopWatching();
    this.children.clear();
    this.changed.fire(undefined);
  }

  /**
   * Reads the target's deployments (and the units of those already shown), then redraws only what changed: the
   * target's subtree when deployments came or went, else just the deployments whose state or units changed. Every
   * redraw makes VS Code drop the redrawn nodes' descendants for a moment, so the fewer, the safer for menus.
   */
  async refreshTarget(targetName: string): Promise<void> {
    const node = this.targetNodes.get(targetName);
    if (!node) return;
    const deployments = await this.readDeployments(node);
    const shownUnits = deployments.filter(
      (child): child is DeploymentNode => child.kind === 'deployment' && this.children.has(unitsKey(child)),
    );
    const units = await Promise.all(shownUnits.map((deployment) => this.readUnits(deployment)));
    const previous = this.children.get(targetName);
    if (!previous || !sameDeployments(previous, deployments)) {
      this.children.set(targetName, deployments);
      shownUnits.forEach((deployment, index) => this.children.set(unitsKey(deployment), units[index]!));
      this.changed.fire(node);
      return;
    }
    previous.forEach((kept, index) => {
      const fresh = deployments[index]!;
      if (kept.kind !== 'deployment' || fresh.kind !== 'deployment') return;
      const shownIndex = shownUnits.indexOf(fresh);
      const freshUnits = shownIndex >= 0 ? units[shownIndex]! : undefined;
      const summaryChanged = JSON.stringify(kept.summary) !== JSON.stringify(fresh.summary);
      const unitsChanged =
        freshUnits !== undefined && JSON.stringify(freshUnits) !== JSON.stringify(this.children.get(unitsKey(kept)));
      if (!summaryChanged && !unitsChanged) return;
      // The same node object (VS Code finds a node by identity) with the new facts.
      kept.summary = fresh.summary;
      if (freshUnits) this.children.set(unitsKey(kept), freshUnits);
      this.changed.fire(kept);
    });
  }

  getTreeItem(node: TreeNode): vscode.TreeItem | Promise<vscode.TreeItem> {
    switch (node.kind) {
      case 'target':
        return this.targetItem(node);
      case 'deployment':
        return deploymentItem(node);
      case 'service':
        return serviceItem(node);
      case 'unit':
        return unitItem(node);
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.detail;
        item.iconPath = node.error
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
          : undefined;
        return item;
      }
    }
  }

  private async targetItem(node: TargetNode): Promise<vscode.TreeItem> {
    const item = new vscode.TreeItem(node.targetName, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `target:${node.targetName}`;
    item.contextValue = `windflow.target.${node.targetKind}${node.configured ? '.configured' : ''}`;
    const current = (await this.targets.currentName()) === node.targetName;
    // Not waited for: an unreachable target takes seconds to answer; the item is redrawn when it does.
    const reachability = this.targets.knownReachability(node.targetName) ?? { reachable: true };
    const kindIcon = node.targetKind === 'kubernetes' ? 'server-environment' : 'vm';
    item.iconPath = reachability.reachable
      ? new vscode.ThemeIcon(kindIcon, current ? new vscode.ThemeColor('charts.blue') : undefined)
      : new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('errorForeground'));
    item.description = [
      node.targetKind,
      current ? 'current' : undefined,
      reachability.reachable ? undefined : 'unreachable',
    ]
      .filter(Boolean)
      .join(' · ');
    item.tooltip = [
      `${node.targetName} (${node.targetKind})${current ? ' — the current target' : ''}`,
      reachability.reachable ? undefined : `Unreachable: ${reachability.problem ?? 'no answer'}`,
    ]
      .filter(Boolean)
      .join('\n');
    return item;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!vscode.workspace.isTrusted) return [];
    if (!node) return this.rootNodes();
    if (node.kind === 'target') {
      const cached = this.children.get(node.targetName);
      if (cached) return cached;
      const read = await this.readDeployments(node);
      this.children.set(node.targetName, read);
      return read;
    }
    if (node.kind === 'deployment') {
      const cached = this.children.get(unitsKey(node));
      if (cached) return cached;
      const read = await this.readUnits(node);
      this.children.set(unitsKey(node), read);
      return read;
    }
    if (node.kind === 'service') return node.tasks.map((unit) => unitNode(node, unit));
    return [];
  }

  private async rootNodes(): Promise<TreeNode[]> {
    const configs = await this.targets.configs();
    await vscode.commands.executeCommand('setContext', 'windflow.hasTargets', configs.length > 0);
    await vscode.commands.executeCommand('setContext', 'windflow.targetsLoaded', true);
    const userTargets = vscode.workspace.getConfiguration('windflow').inspect<unknown[]>('targets')?.globalValue ?? [];
    const configuredNames = new Set(
      userTargets.map((entry) => (entry as { name?: unknown } | null)?.name).filter((name) => typeof name === 'string'),
    );
    const nodes: TargetNode[] = configs.map((config) => {
      const configured = configuredNames.has(config.name);
      const existing = this.targetNodes.get(config.name);
      if (existing && existing.targetKind === config.kind && existing.configured === configured) return existing;
      const node: TargetNode = { kind: 'target', targetName: config.name, targetKind: config.kind, configured };
      this.targetNodes.set(config.name, node);
      return node;
    });
    return nodes;
  }

  private async readDeployments(node: TargetNode): Promise<TreeNode[]> {
    try {
      const target = await this.targets.target(node.targetName);
      this.watch(node.targetName);
      const deployments = await target.list();
      if (deployments.length === 0) return [{ kind: 'message', text: 'No deployments', error: false }];
      return deployments
        .sort((a, b) => a.deploymentName.localeCompare(b.deploymentName))
        .map((summary) => ({
          kind: 'deployment',
          targetName: node.targetName,
          deploymentName: summary.deploymentName,
          summary,
        }));
    } catch (error) {
      this.log.warn(`Target ${node.targetName}: ${describeError(error)}`);
      return [{ kind: 'message', text: `Cannot reach ${node.targetName}`, detail: describeError(error), error: true }];
    }
  }

  private async readUnits(node: DeploymentNode): Promise<TreeNode[]> {
    try {
      const target = await this.targets.target(node.targetName);
      const status = await target.status(node.deploymentName);
      if (!status.units.some((unit) => unit.kind === 'task')) return status.units.map((unit) => unitNode(node, unit));
      return (status.workloads ?? [])
        .filter((workload) => workload.kind === 'service')
        .map((workload) => ({
          kind: 'service',
          targetName: node.targetName,
          deploymentName: node.deploymentName,
          service: workload.name,
          desired: workload.desired,
          ready: workload.ready,
          tasks: status.units.filter((unit) => unit.service === workload.name),
        }));
    } catch (error) {
      return [{ kind: 'message', text: 'Status unavailable', detail: describeError(error), error: true }];
    }
  }

  private watch(targetName: string): void {
    if (!this.visible || this.watches.has(targetName)) return;
    void this.targets.target(targetName).then((target) => {
      if (!this.visible || this.watches.has(targetName)) return;
      this.watches.set(
        targetName,
        target.watch(() => {
          clearTimeout(this.refreshTimers.get(targetName));
          this.refreshTimers.set(
            targetName,
            setTimeout(() => void this.refreshTarget(targetName), REFRESH_DEBOUNCE_MS),
          );
        }),
      );
    });
  }

  private stopWatching(): void {
    for (const watch of this.watches.values()) watch.dispose();
    this.watches.clear();
    for (const timer of this.refreshTimers.values()) clearTimeout(timer);
    this.refreshTimers.clear();
  }

  dispose(): void {
    this.stopWatching();
    this.changed.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

/** The same deployments in the same order (their states may differ). */
function sameDeployments(previous: TreeNode[], next: TreeNode[]): boolean {
  const names = (nodes: TreeNode[]) =>
    nodes.map((child) =>
      child.kind === 'deployment' ? child.deploymentName : `${child.kind}:${JSON.stringify(child)}`,
    );
  return JSON.stringify(names(previous)) === JSON.stringify(names(next));
}

function unitsKey(node: DeploymentRef): string {
  return `${node.targetName}/${node.deploymentName}`;
}

function deploymentItem(node: DeploymentNode): vscode.TreeItem {
  const { summary } = node;
  const item = new vscode.TreeItem(node.deploymentName, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `deployment:${node.targetName}/${node.deploymentName}`;
  item.contextValue =
    summary.state === 'running'
      ? 'windflow.deployment.running'
      : summary.state === 'stopped'
        ? 'windflow.deployment.stopped'
        : 'windflow.deployment';
  item.iconPath = deploymentIcon(summary.state);
  item.description = [describeState(summary), summary.stackName].filter(Boolean).join(' · ');
  item.tooltip = new vscode.MarkdownString(
    [
      `**${node.deploymentName}** — ${describeState(summary)}`,
      summary.stackName ? `Stack: ${summary.stackName}` : undefined,
      summary.targetType ? `Type: ${summary.targetType}` : undefined,
      `${summary.unitCount} ${summary.unitCount === 1 ? 'unit' : 'units'}`,
    ]
      .filter(Boolean)
      .join('\n\n'),
  );
  return item;
}

function unitNode(parent: DeploymentRef, unit: UnitStatus): UnitNode {
  return {
    kind: 'unit',
    targetName: parent.targetName,
    deploymentName: parent.deploymentName,
    unitName: unit.name,
    service: unit.service,
    unit,
  };
}

function serviceItem(node: ServiceNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.service ?? '', vscode.TreeItemCollapsibleState.Expanded);
  item.id = `service:${node.targetName}/${node.deploymentName}/${node.service}`;
  // Its logs are the service's logs: the same menu as a container's.
  item.contextValue = 'windflow.unit';
  const converged = node.ready >= node.desired;
  item.iconPath = new vscode.ThemeIcon(
    'layers',
    new vscode.ThemeColor(converged && node.desired > 0 ? 'testing.iconPassed' : 'list.warningForeground'),
  );
  item.description = `${node.ready}/${node.desired} running`;
  item.command = { command: 'windflow.showLogs', title: 'Show Logs', arguments: [node] };
  return item;
}

function unitItem(node: UnitNode): vscode.TreeItem {
  const { unit } = node;
  const item = new vscode.TreeItem(unit.name, vscode.TreeItemCollapsibleState.None);
  item.id = `unit:${node.targetName}/${node.deploymentName}/${unit.id}`;
  // windflow.unit.container / windflow.unit.pod: container actions (shell, inspect…) and pod actions differ.
  item.contextValue = `windflow.unit.${unit.kind}`;
  item.iconPath = unitIcon(unit.state, unit.health, unit.restarts);
  const details = [
    unit.health ?? unit.state,
    unit.restarts > 0 ? `${unit.restarts} restarts` : undefined,
    ...unit.ports,
  ];
  item.description = details.filter(Boolean).join(' · ');
  item.tooltip = [unit.image, unit.node && `node ${unit.node}`, unit.reason].filter(Boolean).join('\n') || undefined;
  item.command = { command: 'windflow.showLogs', title: 'Show Logs', arguments: [node] };
  return item;
}

function deploymentIcon(state: DeploymentState): vscode.ThemeIcon {
  switch (state) {
    case 'running':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'partial':
    case 'unhealthy':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    case 'failed':
    case 'exited':
    case 'restarting':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'deploying':
    case 'stopping':
      return new vscode.ThemeIcon('sync~spin');
    case 'stopped':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
  }
}

function unitIcon(state: UnitState, health: UnitStatus['health'], restarts: number): vscode.ThemeIcon {
  if (health === 'unhealthy') return new vscode.ThemeIcon('heart', new vscode.ThemeColor('testing.iconFailed'));
  // A unit that keeps restarting is in trouble even while it shows "running" between two crashes.
  if (restarts > 0 && state !== 'stopped' && state !== 'exited') {
    return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  }
  switch (state) {
    case 'running':
      return new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'starting':
    case 'pending':
      return new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('list.warningForeground'));
    case 'failed':
    case 'restarting':
      return new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('testing.iconFailed'));
    case 'exited':
    case 'stopped':
      return new vscode.ThemeIcon('circle-outline', new vscode.ThemeColor('disabledForeground'));
    case 'unknown':
      return new vscode.ThemeIcon('question');
  }
}
