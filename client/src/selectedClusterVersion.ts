import * as vscode from 'vscode';
import type { SelectedTargetVersion } from './editorKubernetesVersion';
import { describeError } from './errors';
import type { Logger } from './logger';
import type { TargetManager } from './targetManager';
import type { Target } from './targets/target';

/** A cluster that has not answered /version by then counts as unreachable: the setting's default applies. */
const VERSION_TIMEOUT_MS = 5_000;

/** What only the Kubernetes target offers (kept structural so this module does not load the target code). */
interface VersionedTarget {
  serverVersion(): Promise<{ version: string }>;
}

function isVersioned(target: Target): target is Target & VersionedTarget {
  return target.kind === 'kubernetes' && typeof (target as Partial<VersionedTarget>).serverVersion === 'function';
}

/**
 * The selected target's kind and, for a cluster, its Kubernetes version, for the editor's apiVersion checks.
 * Discovered on first use only (so opening a stack file loads the target code, but nothing else does), again when
 * the selection changes, and when the selected cluster becomes reachable; `onDidChange` fires when the answer changes.
 */
export class SelectedClusterVersion implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private known?: SelectedTargetVersion & { target: string };
  private started = false;
  /** Incremented on each discovery, so an older, slower one does not overwrite a newer answer. */
  private generation = 0;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly targets: TargetManager,
    private readonly log: Logger,
  ) {
    this.subscriptions = [
      targets.onDidChange(() => {
        if (this.started) void this.discover();
      }),
      targets.onDidChangeReachability((name) => {
        if (this.started && this.known?.target === name && this.known.version === undefined) void this.discover();
      }),
    ];
  }

  /** The answer known now (undefined until the first discovery ends); starts discovering on the first call. */
  current(): SelectedTargetVersion | undefined {
    if (!this.started) {
      this.started = true;
      void this.discover();
    }
    return this.known && { kind: this.known.kind, version: this.known.version };
  }

  private async discover(): Promise<void> {
    const generation = ++this.generation;
    const answer = await this.ask();
    if (generation !== this.generation) return;
    const before = this.known;
    this.known = answer;
    if (before?.kind !== answer?.kind || before?.version !== answer?.version) {
      if (answer?.version)
        this.log.info(`Checking Kubernetes stacks against ${answer.target}'s version ${answer.version}`);
      this.changed.fire();
    }
  }

  private async ask(): Promise<(SelectedTargetVersion & { target: string }) | undefined> {
    const name = await this.targets.currentName();
    if (!name) return undefined;
    let target: Target;
    try {
      target = await this.targets.target(name);
    } catch {
      return undefined;
    }
    if (!isVersioned(target)) return { target: name, kind: target.kind };
    let timer: NodeJS.Timeout | undefined;
    try {
      const { version } = await Promise.race([
        target.serverVersion(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 5 seconds')), VERSION_TIMEOUT_MS);
        }),
      ]);
      return { target: name, kind: target.kind, version };
    } catch (error) {
      this.log.info(`The version of cluster ${name} is unknown (${describeError(error)}); the editor uses the setting`);
      return { target: name, kind: target.kind };
    } finally {
      clearTimeout(timer);
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}
