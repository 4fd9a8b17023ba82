import * as os from 'node:os';
import * as vscode from 'vscode';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { TargetManager } from '../targetManager';
import type { DockerTargetConfig, KubernetesTargetConfig, TargetConfig } from '../targets/target';
import type { TargetNode } from '../views/deploymentsTree';

const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** What Add Target… can be started with (the deploy form and the code lens preset the kind a stack needs). */
export interface AddTargetOptions {
  kind?: 'docker' | 'kubernetes';
}

/**
 * Add, Edit, Remove, Test Connection, Select (Use Context and Set Namespace for Kubernetes) and Refresh. Commands
 * started from a Targets view item act on that item; from the palette they ask which target.
 */
export function registerTargetCommands(
  targets: TargetManager,
  secrets: vscode.SecretStorage,
  log: Logger,
): vscode.Disposable[] {
  const guarded =
    <Args extends unknown[]>(what: string, run: (...args: Args) => Promise<void>) =>
    async (...args: Args): Promise<void> => {
      if (!vscode.workspace.isTrusted) return;
      try {
        await run(...args);
      } catch (error) {
        log.error(`${what} failed`, error);
        void vscode.window.showErrorMessage(`${what} failed: ${describeError(error)}`);
      }
    };
  return [
    vscode.commands.registerCommand(
      'windflow.addTarget',
      guarded('Adding the target', (options?: AddTargetOptions) => addTarget(targets, secrets, log, options)),
    ),
    vscode.commands.registerCommand(
      'windflow.selectTarget',
      guarded('Selecting the target', async (node?: TargetNode) => {
        if (node?.targetName) await targets.select(node.targetName);
        else await pickCurrentTarget(targets);
      }),
    ),
    vscode.commands.registerCommand(
      'windflow.useContext',
      guarded('Using the context', async (node?: TargetNode) => {
        const name = node?.targetName ?? (await pickTarget(targets, 'Use Context', 'kubernetes'));
        if (!name) return;
        await targets.select(name);
        void vscode.window.showInformationMessage(`WindFlow now deploys to the Kubernetes context ${name}.`);
      }),
    ),
    vscode.commands.registerCommand(
      'windflow.setNamespace',
      guarded('Setting the namespace', async (node?: TargetNode) => {
        const name = node?.targetName ?? (await pickTarget(targets, 'Set Namespace', 'kubernetes'));
        if (name) await setNamespace(targets, log, name);
      }),
    ),
    vscode.commands.registerCommand(
      'windflow.testConnection',
      guarded('Testing the connection', async (node?: TargetNode) => {
        const name = node?.targetName ?? (await pickTarget(targets, 'Test Connection'));
        if (!name) return;
        const answer = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Testing the connection to ${name}` },
          () => targets.reachability(name, { fresh: true }),
        );
        if (answer.reachable) void vscode.window.showInformationMessage(`Target ${name} answers.`);
        else void vscode.window.showWarningMessage(`Target ${name} does not answer: ${answer.problem ?? 'no answer'}`);
      }),
    ),
    vscode.commands.registerCommand(
      'windflow.editTarget',
      guarded('Editing the target', async (node?: TargetNode) => {
        const name = node?.targetName ?? (await pickTarget(targets, 'Edit Target'));
        if (name) await editTarget(targets, log, name);
      }),
    ),
    vscode.commands.registerCommand(
      'windflow.removeTarget',
      guarded('Removing the target', async (node?: TargetNode) => {
        const name = node?.targetName ?? (await pickTarget(targets, 'Remove Target'));
        if (name) await removeTarget(targets, secrets, log, name);
      }),
    ),
    vscode.commands.registerCommand('windflow.refresh', () => targets.reload()),
  ];
}

/** Asks which target (optionally of one kind), nothing preselected; undefined when cancelled. */
async function pickTarget(
  targets: TargetManager,
  title: string,
  kind?: TargetConfig['kind'],
): Promise<string | undefined> {
  const configs = (await targets.configs()).filter((config) => !kind || config.kind === kind);
  if (configs.length === 0) {
    void vscode.window.showInformationMessage(
      kind === 'kubernetes' ? 'There is no Kubernetes target. Run "WindFlow: Add Target…".' : 'There is no target.',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    configs.map((config) => ({ label: config.name, description: describeConfig(config) })),
    { title: `WindFlow: ${title}`, placeHolder: 'Which target?' },
  );
  return picked?.label;
}

/** The user's own windflow.targets entries (settings.json, user scope): the only ones Edit and Remove change. */
function userTargetEntries(): unknown[] {
  return vscode.workspace.getConfiguration('windflow').inspect<unknown[]>('targets')?.globalValue ?? [];
}

function entryName(entry: unknown): unknown {
  return (entry as { name?: unknown } | null)?.name;
}

/** Writes the target into the user's windflow.targets, replacing an entry of the same name. */
async function saveTarget(config: TargetConfig): Promise<void> {
  const others = userTargetEntries().filter((entry) => entryName(entry) !== config.name);
  await vscode.workspace
    .getConfiguration('windflow')
    .update('targets', [...others, config], vscode.ConfigurationTarget.Global);
}

async function setNamespace(targets: TargetManager, log: Logger, name: string): Promise<void> {
  const config = await targets.config(name);
  if (config?.kind !== 'kubernetes') return;
  const namespace = await vscode.window.showInputBox({
    title: `Set Namespace: ${name}`,
    value: config.namespace ?? 'default',
    prompt: 'Where this target deploys stacks (a DNS label)',
    validateInput: (value) =>
      /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)
        ? undefined
        : 'Use lowercase letters, digits and "-" (at most 63), starting and ending with a letter or digit.',
  });
  if (!namespace || namespace === config.namespace) return;
  await saveTarget({ ...config, namespace });
  targets.reload();
  log.info(`Target ${name} deploys to namespace ${namespace}`);
  void vscode.window.showInformationMessage(`Target ${name} now deploys to namespace ${namespace}.`);
}

/**
 * Edit: the address of a Docker target or the namespace of a Kubernetes one, tested before it is saved. A
 * discovered target (local, a kubeconfig context) gets an entry of its own in windflow.targets that overrides it.
 */
async function editTarget(targets: TargetManager, log: Logger, name: string): Promise<void> {
  const config = await targets.config(name);
  if (!config) return;
  if (config.kind === 'kubernetes') {
    await setNamespace(targets, log, name);
    return;
  }
  const host = await vscode.window.showInputBox({
    title: `Edit Target: ${name}`,
    value: config.host,
    prompt: 'The Docker engine address: unix://, tcp:// or ssh://',
    validateInput: (value) =>
      /^(unix|tcp|ssh):\/\/./.test(value) ? undefined : 'Start with unix://, tcp:// or ssh://',
  });
  if (!host || host === config.host) return;
  const edited: DockerTargetConfig = { ...config, host };
  if (!(await testBeforeSaving(targets, edited))) return;
  await saveTarget(edited);
  targets.reload();
  log.info(`Edited target ${name} (${describeConfig(edited)})`);
}

async function removeTarget(
  targets: TargetManager,
  secrets: vscode.SecretStorage,
  log: Logger,
  name: string,
): Promise<void> {
  const entries = userTargetEntries();
  if (!entries.some((entry) => entryName(entry) === name)) {
    void vscode.window.showInformationMessage(
      `${name} is discovered (the local Docker engine, a Docker context or a kubeconfig context), not configured: there is no entry to remove.`,
    );
    return;
  }
  const confirmed = await vscode.window.showWarningMessage(
    `Remove the target ${name}?`,
    { modal: true, detail: 'Its entry leaves windflow.targets. Deployments on it are not touched.' },
    'Remove Target',
  );
  if (confirmed !== 'Remove Target') return;
  await vscode.workspace.getConfiguration('windflow').update(
    'targets',
    entries.filter((entry) => entryName(entry) !== name),
    vscode.ConfigurationTarget.Global,
  );
  const { sshPassphraseKey } = await import('../targets/docker/connection.js');
  await secrets.delete(sshPassphraseKey(name));
  targets.reload();
  log.info(`Removed target ${name}`);
}

/** Tests the connection; when it fails the user chooses to save anyway or not. True: save. */
async function testBeforeSaving(targets: TargetManager, config: TargetConfig): Promise<boolean> {
  const answer = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Testing the connection to ${config.name}` },
    () => targets.testConfig(config),
  );
  if (answer.reachable) return true;
  const choice = await vscode.window.showWarningMessage(
    `${config.name} does not answer: ${answer.problem ?? 'no answer'}`,
    { modal: true, detail: 'Save it anyway (for a machine that is off now), or cancel and check the address.' },
    'Save Anyway',
  );
  return choice === 'Save Anyway';
}

async function pickCurrentTarget(targets: TargetManager): Promise<void> {
  const configs = await targets.configs();
  const current = await targets.currentName();
  const addItem = { label: '$(add) Add Target…', description: '' };
  const items = configs.map((config) => {
    const reachability = targets.knownReachability(config.name);
    return {
      label: config.name,
      description: [
        describeConfig(config),
        config.name === current ? 'current' : undefined,
        reachability?.reachable === false ? '⚠ unreachable' : undefined,
      ]
        .filter(Boolean)
        .join(' · '),
      detail: reachability?.reachable === false ? reachability.problem : undefined,
    };
  });
  const picked = await vscode.window.showQuickPick([...items, addItem], {
    title: 'WindFlow: Select Target',
    placeHolder: 'Where should WindFlow deploy?',
  });
  if (!picked) return;
  if (picked === addItem) await vscode.commands.executeCommand('windflow.addTarget');
  else await targets.select(picked.label);
}

function describeConfig(config: TargetConfig): string {
  return config.kind === 'docker'
    ? `Docker ${config.host}`
    : `Kubernetes ${config.context}${config.namespace ? ` / ${config.namespace}` : ''}`;
}

type Connection = 'unix' | 'tcp' | 'ssh' | 'kubernetes';

/** How many steps each kind of target takes in Add Target (the kind itself is step 1). */
const STEPS: Record<Connection, number> = { unix: 3, tcp: 4, ssh: 5, kubernetes: 4 };

/**
 * Asks for a target step by step, tests the connection (a target that does not answer is saved only when the user
 * says so), saves it in the user's windflow.targets (never the workspace's: a repository must not be able to point
 * deploys elsewhere), keeps its passphrase in the secret storage, and selects it.
 */
async function addTarget(
  targets: TargetManager,
  secrets: vscode.SecretStorage,
  log: Logger,
  options: AddTargetOptions = {},
): Promise<void> {
  const kinds: (vscode.QuickPickItem & { connection: Connection })[] = [
    { label: 'Docker engine on this machine', description: 'unix socket', connection: 'unix' },
    { label: 'Docker engine over TCP', description: 'tcp://host:2376, TLS', connection: 'tcp' },
    { label: 'Docker engine over SSH', description: 'ssh://user@host', connection: 'ssh' },
    { label: 'Kubernetes cluster', description: 'a kubeconfig context', connection: 'kubernetes' },
  ];
  const offered = kinds.filter(
    (item) => !options.kind || (options.kind === 'kubernetes') === (item.connection === 'kubernetes'),
  );
  const kind =
    offered.length === 1 ? offered[0] : await vscode.window.showQuickPick(offered, { title: 'Add Target (1/…): kind' });
  if (!kind) return;
  const total = STEPS[kind.connection];
  const existing = new Set((await targets.configs()).map((config) => config.name));
  const name = await vscode.window.showInputBox({
    title: `Add Target (2/${total}): name`,
    prompt: 'A short name shown in the Targets view',
    validateInput: (value) => {
      if (!TARGET_NAME.test(value)) return 'Use letters, digits, "_", "." and "-".';
      return existing.has(value) ? `A target named ${value} exists already.` : undefined;
    },
  });
  if (!name) return;
  const config =
    kind.connection === 'kubernetes'
      ? await askKubernetes(name, total)
      : await askDocker(name, kind.connection, total, secrets);
  if (!config) return;
  if (!(await testBeforeSaving(targets, config))) return;

  await saveTarget(config);
  targets.reload();
  log.info(`Added target ${name} (${describeConfig(config)})`);
  // A target saved although it does not answer is kept, not made the one deploys go to.
  if (!(await targets.reachability(name)).reachable) return;
  await targets.select(name);
  void vscode.window.showInformationMessage(`Target ${name} is added and is now the current target.`);
}

async function askDocker(
  name: string,
  connection: Exclude<Connection, 'kubernetes'>,
  total: number,
  secrets: vscode.SecretStorage,
): Promise<DockerTargetConfig | undefined> {
  const examples = {
    unix: 'unix:///var/run/docker.sock',
    tcp: 'tcp://docker.example.com:2376',
    ssh: 'ssh://deploy@docker.example.com',
  };
  const host = await vscode.window.showInputBox({
    title: `Add Target (3/${total}): address`,
    value: connection === 'unix' ? examples.unix : undefined,
    placeHolder: examples[connection],
    validateInput: (value) => (value.startsWith(`${connection}://`) ? undefined : `Start with ${connection}://`),
  });
  if (!host) return undefined;
  const config: DockerTargetConfig = { name, kind: 'docker', host };
  if (connection === 'tcp') {
    const tls = await vscode.window.showQuickPick(['TLS with CA, certificate and key files', 'No TLS (plain TCP)'], {
      title: `Add Target (4/${total}): transport security`,
    });
    if (!tls) return undefined;
    if (tls.startsWith('TLS')) {
      const pick = async (label: string) =>
        (
          await vscode.window.showOpenDialog({
            title: `Select the ${label}`,
            canSelectMany: false,
            openLabel: 'Select',
          })
        )?.[0]?.fsPath;
      config.tls = {
        ca: await pick('CA certificate (ca.pem)'),
        cert: await pick('client certificate (cert.pem)'),
        key: await pick('client key (key.pem)'),
        verify: true,
      };
    }
  }
  if (connection === 'ssh') {
    const key = await vscode.window.showOpenDialog({
      title: `Add Target (4/${total}): SSH private key (Cancel: use ssh-agent)`,
      canSelectMany: false,
    });
    if (key?.[0]) config.sshKeyPath = key[0].fsPath;
    const passphrase = await vscode.window.showInputBox({
      title: `Add Target (5/${total}): SSH key passphrase (leave empty if none)`,
      password: true,
      prompt: 'Kept in VS Code secret storage, never in settings',
    });
    if (passphrase) {
      const { sshPassphraseKey } = await import('../targets/docker/connection.js');
      await secrets.store(sshPassphraseKey(name), passphrase);
    }
  }
  return config;
}

/** The context from the kubeconfig's contexts (free text when there is no kubeconfig), then the namespace. */
async function askKubernetes(name: string, total: number): Promise<KubernetesTargetConfig | undefined> {
  const { discoverKubernetesTargets } = await import('../targets/kubernetes/discover.js');
  const contextsIn = (env: NodeJS.ProcessEnv): string[] => {
    try {
      return [...new Set(discoverKubernetesTargets(env, os.homedir()).map((config) => config.context))];
    } catch {
      return [];
    }
  };
  const title = `Add Target (3/${total}): kubeconfig context`;
  const chooseFile = { label: '$(folder-opened) Choose a kubeconfig file…', description: 'a file from your cluster' };
  let kubeconfig: string | undefined;
  let contexts = contextsIn(process.env);
  // The contexts of the user's kubeconfig, or of a kubeconfig file they point at (a cluster's admin.conf…).
  for (;;) {
    const picked = await vscode.window.showQuickPick(
      [...contexts.map((context) => ({ label: context, description: kubeconfig ?? '' })), chooseFile],
      {
        title,
        placeHolder:
          contexts.length > 0 ? 'Choose a context' : 'No kubeconfig context found: choose the kubeconfig file',
      },
    );
    if (!picked) return undefined;
    if (picked !== chooseFile) {
      const namespace = await askNamespace(total);
      if (namespace === undefined) return undefined;
      return { name, kind: 'kubernetes', context: picked.label, kubeconfig, namespace: namespace || undefined };
    }
    const file = (await vscode.window.showOpenDialog({ title: 'Select a kubeconfig file', canSelectMany: false }))?.[0];
    if (!file) continue;
    kubeconfig = file.fsPath;
    contexts = contextsIn({ KUBECONFIG: kubeconfig });
    if (contexts.length === 0) {
      void vscode.window.showWarningMessage(`${kubeconfig} holds no kubeconfig context.`);
      kubeconfig = undefined;
      contexts = contextsIn(process.env);
    }
  }
}

function askNamespace(total: number): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `Add Target (4/${total}): namespace`,
    value: 'default',
    prompt: 'Where stacks are deployed',
  });
}
