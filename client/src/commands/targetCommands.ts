import * as vscode from 'vscode';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { TargetManager } from '../targetManager';
import type { DockerTargetConfig, KubernetesTargetConfig, TargetConfig } from '../targets/target';
import type { TargetNode } from '../views/deploymentsTree';

const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Add Target…, Select Target and Refresh Targets. */
export function registerTargetCommands(
  targets: TargetManager,
  secrets: vscode.SecretStorage,
  log: Logger,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('windflow.addTarget', async () => {
      if (!vscode.workspace.isTrusted) return;
      try {
        await addTarget(targets, secrets, log);
      } catch (error) {
        log.error('Adding a target failed', error);
        void vscode.window.showErrorMessage(`Adding the target failed: ${describeError(error)}`);
      }
    }),
    vscode.commands.registerCommand('windflow.selectTarget', async (node?: TargetNode) => {
      if (!vscode.workspace.isTrusted) return;
      if (node?.targetName) {
        await targets.select(node.targetName);
        return;
      }
      await pickCurrentTarget(targets);
    }),
    vscode.commands.registerCommand('windflow.refresh', () => targets.reload()),
  ];
}

async function pickCurrentTarget(targets: TargetManager): Promise<void> {
  const configs = await targets.configs();
  const current = await targets.currentName();
  const addItem = { label: '$(add) Add Target…', description: '' };
  const items = configs.map((config) => ({
    label: config.name,
    description: `${describeConfig(config)}${config.name === current ? ' · current' : ''}`,
  }));
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

/**
 * Asks for a target step by step, saves it in the user's windflow.targets (never the workspace's: a repository must
 * not be able to point deploys elsewhere), keeps its passphrase in the secret storage, then checks it answers.
 */
async function addTarget(targets: TargetManager, secrets: vscode.SecretStorage, log: Logger): Promise<void> {
  const kinds: (vscode.QuickPickItem & { connection: Connection })[] = [
    { label: 'Docker engine on this machine', description: 'unix socket', connection: 'unix' },
    { label: 'Docker engine over TCP', description: 'tcp://host:2376, TLS', connection: 'tcp' },
    { label: 'Docker engine over SSH', description: 'ssh://user@host', connection: 'ssh' },
    { label: 'Kubernetes cluster', description: 'a kubeconfig context', connection: 'kubernetes' },
  ];
  const kind = await vscode.window.showQuickPick(kinds, { title: 'Add Target (1/3): kind' });
  if (!kind) return;
  const existing = new Set((await targets.configs()).map((config) => config.name));
  const name = await vscode.window.showInputBox({
    title: 'Add Target (2/3): name',
    prompt: 'A short name shown in the Targets view',
    validateInput: (value) => {
      if (!TARGET_NAME.test(value)) return 'Use letters, digits, "_", "." and "-".';
      return existing.has(value) ? `A target named ${value} exists already.` : undefined;
    },
  });
  if (!name) return;
  const config =
    kind.connection === 'kubernetes'
      ? await askKubernetes(name, targets)
      : await askDocker(name, kind.connection, secrets);
  if (!config) return;

  const settings = vscode.workspace.getConfiguration('windflow');
  const userTargets = settings.inspect<unknown[]>('targets')?.globalValue ?? [];
  await settings.update('targets', [...userTargets, config], vscode.ConfigurationTarget.Global);
  targets.reload();
  log.info(`Added target ${name} (${describeConfig(config)})`);
  try {
    const target = await targets.target(name);
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Connecting to ${name}` },
      () => target.ping(),
    );
    await targets.select(name);
    void vscode.window.showInformationMessage(`Target ${name} answers and is now the current target.`);
  } catch (error) {
    void vscode.window.showWarningMessage(`Target ${name} was added but does not answer: ${describeError(error)}`);
  }
}

async function askDocker(
  name: string,
  connection: Exclude<Connection, 'kubernetes'>,
  secrets: vscode.SecretStorage,
): Promise<DockerTargetConfig | undefined> {
  const examples = {
    unix: 'unix:///var/run/docker.sock',
    tcp: 'tcp://docker.example.com:2376',
    ssh: 'ssh://deploy@docker.example.com',
  };
  const host = await vscode.window.showInputBox({
    title: 'Add Target (3/3): address',
    value: connection === 'unix' ? examples.unix : undefined,
    placeHolder: examples[connection],
    validateInput: (value) => (value.startsWith(`${connection}://`) ? undefined : `Start with ${connection}://`),
  });
  if (!host) return undefined;
  const config: DockerTargetConfig = { name, kind: 'docker', host };
  if (connection === 'tcp') {
    const tls = await vscode.window.showQuickPick(['TLS with CA, certificate and key files', 'No TLS (plain TCP)'], {
      title: 'Transport security',
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
      title: 'Select the SSH private key (Cancel: use ssh-agent)',
      canSelectMany: false,
    });
    if (key?.[0]) config.sshKeyPath = key[0].fsPath;
    const passphrase = await vscode.window.showInputBox({
      title: 'SSH key passphrase (leave empty if none)',
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

async function askKubernetes(name: string, targets: TargetManager): Promise<KubernetesTargetConfig | undefined> {
  const contexts = (await targets.configs())
    .filter((config): config is KubernetesTargetConfig => config.kind === 'kubernetes')
    .map((config) => config.context);
  const context =
    contexts.length > 0
      ? await vscode.window.showQuickPick([...new Set(contexts)], { title: 'Add Target (3/3): kubeconfig context' })
      : await vscode.window.showInputBox({
          title: 'Add Target (3/3): kubeconfig context',
          prompt: 'The context name in your kubeconfig',
        });
  if (!context) return undefined;
  const namespace = await vscode.window.showInputBox({
    title: 'Namespace',
    value: 'default',
    prompt: 'Where stacks are deployed',
  });
  if (namespace === undefined) return undefined;
  return { name, kind: 'kubernetes', context, namespace: namespace || undefined };
}
