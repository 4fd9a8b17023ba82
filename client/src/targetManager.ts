import * as os from 'node:os';
import * as vscode from 'vscode';
import { describeError } from './errors';
import type { Logger } from './logger';
import type { Target, TargetConfig } from './targets/target';

type Registry = typeof import('./targets/registry.js');

const CURRENT_TARGET_KEY = 'windflow.currentTarget';
/** How long a connection test may take before the target counts as unreachable. */
const PING_TIMEOUT_MS = 5_000;
/** A reachability answer is reused this long (the tree, the form and the pickers all ask). */
const REACHABILITY_TTL_MS = 30_000;

export interface Reachability {
  reachable: boolean;
  /** Why not, in words. */
  problem?: string;
}

/**
 * The targets of this window: configured (settings, targets file) plus discovered (DOCKER_HOST, Docker contexts,
 * kubeconfig), each turned into a Target on first use. Target code (dockerode, the Kubernetes client) is imported
 * only then, so editing a stack never loads it.
 */
export class TargetManager implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the list of targets or the current target changes. */
  readonly onDidChange = this.changed.event;
  private readonly deploymentsChanged = new vscode.EventEmitter<string>();
  /** Fires with a target's name after this window deployed or removed something there. */
  readonly onDidChangeDeployments = this.deploymentsChanged.event;
  private configsPromise?: Promise<TargetConfig[]>;
  private readonly instances = new Map<string, Target>();
  private registryPromise?: Promise<Registry>;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The first discovered target, once discovery ran and the user had chosen none. */
  private loadedCurrentName?: string;
  /** The kind of each target, once the configs were loaded (for UI that must not load them). */
  private readonly loadedKinds = new Map<string, TargetConfig['kind']>();
  private readonly reachabilities = new Map<string, { at: number; answer: Promise<Reachability> }>();
  /** The last answer of each target's connection test, for UI that must not wait for a new one. */
  private readonly lastReachability = new Map<string, Reachability>();
  private readonly reachabilityChanged = new vscode.EventEmitter<string>();
  /** Fires with a target's name when a connection test gave a new answer. */
  readonly onDidChangeReachability = this.reachabilityChanged.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Logger,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (
          event.affectsConfiguration('windflow.targets') ||
          event.affectsConfiguration('windflow.targetsFile') ||
          event.affectsConfiguration('windflow.defaultTarget')
        ) {
          this.reload();
        }
      }),
    );
  }

  private registry(): Promise<Registry> {
    this.registryPromise ??= import('./targets/registry.js');
    return this.registryPromise;
  }

  /** Every known target config; loading problems are logged and leave the list without the faulty entries. */
  configs(): Promise<TargetConfig[]> {
    this.configsPromise ??= this.loadConfigs();
    return this.configsPromise;
  }

  private async loadConfigs(): Promise<TargetConfig[]> {
    const settings = vscode.workspace.getConfiguration('windflow');
    const targetFile = settings.get<string>('targetsFile')?.trim();
    try {
      const registry = await this.registry();
      const configs = await registry.loadTargets({
        settingsTargets: settings.get<unknown[]>('targets') ?? [],
        targetFile: targetFile ? expandHome(targetFile) : undefined,
        env: process.env,
        homeDir: os.homedir(),
        onWarning: (message) => this.log.warn(message),
      });
      this.loadedKinds.clear();
      for (const config of configs) this.loadedKinds.set(config.name, config.kind);
      this.log.info(`Targets: ${configs.map((config) => `${config.name} (${config.kind})`).join(', ') || 'none'}`);
      return configs;
    } catch (error) {
      this.log.error('Could not load the targets', error);
      void vscode.window.showErrorMessage(`WindFlow could not load the targets: ${describeError(error)}`);
      return [];
    }
  }

  /** Forgets loaded configs and connections; the next use reads settings and discovers again. */
  reload(): void {
    this.configsPromise = undefined;
    this.reachabilities.clear();
    this.lastReachability.clear();
    for (const target of this.instances.values()) target.dispose();
    this.instances.clear();
    this.changed.fire();
  }

  async config(name: string): Promise<TargetConfig | undefined> {
    return (await this.configs()).find((config) => config.name === name);
  }

  /** The Target named so, connected on first use (the connection is reused until reload). */
  async target(name: string): Promise<Target> {
    const existing = this.instances.get(name);
    if (existing) return existing;
    const config = await this.config(name);
    if (!config)
      throw new Error(`There is no target named "${name}". Run "WindFlow: Add Target…" or check windflow.targets.`);
    const registry = await this.registry();
    const target = registry.createTarget(config, (key) => Promise.resolve(this.context.secrets.get(key)));
    this.instances.set(name, target);
    return target;
  }

  /**
   * The selected target's name: the user's last choice in this workspace, else windflow.defaultTarget, else the one
   * that was current before (a target added or a settings change does not move deploys elsewhere by being listed
   * first: user targets come before discovered ones), else the first.
   */
  async currentName(): Promise<string | undefined> {
    const configs = await this.configs();
    const names = configs.map((config) => config.name);
    const chosen = this.context.workspaceState.get<string>(CURRENT_TARGET_KEY);
    const preferred = vscode.workspace.getConfiguration('windflow').get<string>('defaultTarget');
    const current =
      [chosen, preferred, this.loadedCurrentName].find((name) => name && names.includes(name)) ?? names[0];
    this.loadedCurrentName = current;
    return current;
  }

  /**
   * The current target's name as far as it is known without discovering targets (which loads the target modules):
   * for UI that shows on every stack file, such as the code lens and the status bar.
   */
  knownCurrentName(): string | undefined {
    const chosen = this.context.workspaceState.get<string>(CURRENT_TARGET_KEY);
    const preferred = vscode.workspace.getConfiguration('windflow').get<string>('defaultTarget');
    return chosen || preferred || this.loadedCurrentName;
  }

  /** The kind of a target as far as known without loading the targets (undefined before they were loaded). */
  knownKind(name: string): TargetConfig['kind'] | undefined {
    return this.loadedKinds.get(name);
  }

  /**
   * Whether the target answers, tested at most every REACHABILITY_TTL_MS (fresh: test now). Never rejects: an
   * unusable config or a connection that does not answer in PING_TIMEOUT_MS is an unreachable target.
   */
  reachability(name: string, options: { fresh?: boolean } = {}): Promise<Reachability> {
    const cached = this.reachabilities.get(name);
    if (cached && !options.fresh && Date.now() - cached.at < REACHABILITY_TTL_MS) return cached.answer;
    const previous = cached?.answer;
    const answer = this.testConnection(name);
    this.reachabilities.set(name, { at: Date.now(), answer });
    void Promise.all([answer, previous]).then(([now, before]) => {
      this.lastReachability.set(name, now);
      if (now.reachable !== before?.reachable || now.problem !== before?.problem) this.reachabilityChanged.fire(name);
    });
    return answer;
  }

  /** The last known answer (undefined before the first test ends); starts a test when the last one is stale. */
  knownReachability(name: string): Reachability | undefined {
    void this.reachability(name);
    return this.lastReachability.get(name);
  }

  private async testConnection(name: string): Promise<Reachability> {
    try {
      return await pingWithin(await this.target(name));
    } catch (error) {
      return { reachable: false, problem: describeError(error) };
    }
  }

  /** Tests a target that is not saved yet (Add Target, Edit Target): connects, pings, disconnects. */
  async testConfig(config: TargetConfig): Promise<Reachability> {
    const registry = await this.registry();
    const target = registry.createTarget(config, (key) => Promise.resolve(this.context.secrets.get(key)));
    try {
      return await pingWithin(target);
    } finally {
      target.dispose();
    }
  }

  async select(name: string): Promise<void> {
    await this.context.workspaceState.update(CURRENT_TARGET_KEY, name);
    this.changed.fire();
  }

  notifyDeploymentsChanged(targetName: string): void {
    this.deploymentsChanged.fire(targetName);
  }

  dispose(): void {
    this.deploymentsChanged.dispose();
    this.reachabilityChanged.dispose();
    for (const target of this.instances.values()) target.dispose();
    this.instances.clear();
    this.changed.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

async function pingWithin(target: Target): Promise<Reachability> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      target.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${PING_TIMEOUT_MS / 1000} seconds`)),
          PING_TIMEOUT_MS,
        );
      }),
    ]);
    return { reachable: true };
  } catch (error) {
    return { reachable: false, problem: describeError(error) };
  } finally {
    clearTimeout(timer);
  }
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? os.homedir() + path.slice(1) : path;
}
