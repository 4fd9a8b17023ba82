import * as vscode from 'vscode';
import type { DeploymentRef } from '../deploymentRef';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { TargetManager } from '../targetManager';
import type { DockerTarget } from '../targets/docker/dockerTarget';

type ContainerActions = typeof import('../targets/docker/containerActions.js');

const INSPECT_SCHEME = 'windflow-inspect';

/** A container item of the Targets view: a deployment reference naming one unit. */
interface ContainerRef extends DeploymentRef {
  unitName: string;
  unit?: { id: string };
}

function isContainerRef(value: unknown): value is ContainerRef {
  const ref = value as Partial<ContainerRef> | undefined;
  return typeof ref?.targetName === 'string' && typeof ref.deploymentName === 'string' && !!ref.unitName;
}

/**
 * Container actions on a Docker container of the Targets view: Attach Shell (a terminal on an exec session), Open in
 * Browser (published HTTP ports), Inspect (a read-only JSON document, secrets masked) and Restart. They act on the
 * item they were started from; the Docker calls are in targets/docker/containerActions.ts.
 */
export function registerContainerCommands(targets: TargetManager, log: Logger): vscode.Disposable[] {
  const inspections = new Map<string, string>();
  const inspectChanged = new vscode.EventEmitter<vscode.Uri>();
  let actionsModule: Promise<ContainerActions> | undefined;
  const actions = () => (actionsModule ??= import('../targets/docker/containerActions.js'));

  /** The container behind a view item, checked to belong to the deployment, on its Docker target. */
  const containerOf = async (ref: ContainerRef) => {
    const target = await targets.target(ref.targetName);
    if (target.kind !== 'docker') throw new Error(`${ref.unitName} is not a Docker container`);
    const docker = target as DockerTarget;
    const { deploymentContainer } = await actions();
    const container = await docker.withEngine((engine) =>
      deploymentContainer(engine, ref.targetName, ref.deploymentName, ref.unit?.id ?? ref.unitName),
    );
    return { docker, container };
  };

  const command = (id: string, what: string, run: (ref: ContainerRef) => Promise<void>) =>
    vscode.commands.registerCommand(id, async (ref?: unknown) => {
      if (!vscode.workspace.isTrusted) return;
      if (!isContainerRef(ref)) {
        void vscode.window.showInformationMessage(`${what}: choose a container in the WindFlow Targets view.`);
        return;
      }
      try {
        await run(ref);
      } catch (error) {
        log.error(`${what} ${ref.unitName} failed`, error);
        void vscode.window.showErrorMessage(`${what} ${ref.unitName}: ${log.redact(describeError(error))}`);
      }
    });

  return [
    inspectChanged,
    vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, {
      onDidChange: inspectChanged.event,
      provideTextDocumentContent: (uri) => inspections.get(uri.path) ?? '',
    }),
    command('windflow.container.attachShell', 'Attach Shell', async (ref) => {
      const { container } = await containerOf(ref);
      const { openShell } = await actions();
      const terminal = vscode.window.createTerminal({
        name: `Shell: ${ref.unitName}`,
        iconPath: new vscode.ThemeIcon('terminal'),
        pty: shellTerminal(() => container, openShell, log),
      });
      terminal.show();
    }),
    command('windflow.container.openInBrowser', 'Open in Browser', async (ref) => {
      const { docker, container } = await containerOf(ref);
      const { publishedHttpUrls, engineHostName } = await actions();
      const inspected = await container.inspect();
      const urls = publishedHttpUrls(inspected.NetworkSettings.Ports, engineHostName(docker.host));
      if (urls.length === 0) {
        void vscode.window.showInformationMessage(`${ref.unitName} publishes no TCP port.`);
        return;
      }
      const url =
        urls.length === 1
          ? urls[0]
          : await vscode.window.showQuickPick(urls, { title: `Open ${ref.unitName} in the browser` });
      if (url) await vscode.env.openExternal(vscode.Uri.parse(url));
    }),
    command('windflow.container.inspect', 'Inspect', async (ref) => {
      const { container } = await containerOf(ref);
      const { inspectDocument } = await actions();
      const uri = vscode.Uri.from({ scheme: INSPECT_SCHEME, path: `/${ref.unitName}.json` });
      inspections.set(
        uri.path,
        inspectDocument(await container.inspect(), (text) => log.redact(text)),
      );
      inspectChanged.fire(uri);
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(document, 'json');
      await vscode.window.showTextDocument(document, { preview: true });
    }),
    command('windflow.container.restart', 'Restart', async (ref) => {
      const { container } = await containerOf(ref);
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Restarting ${ref.unitName}` },
        () => container.restart(),
      );
      log.info(`Restarted ${ref.unitName} of ${ref.deploymentName} on ${ref.targetName}`);
      targets.notifyDeploymentsChanged(ref.targetName);
      void vscode.window.showInformationMessage(`Restarted ${ref.unitName}.`);
    }),
  ];
}

/** A terminal whose process is a shell in the container (Engine API exec with a TTY), sized like the terminal. */
function shellTerminal(
  container: () => import('dockerode').Container,
  openShell: ContainerActions['openShell'],
  log: Logger,
): vscode.Pseudoterminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  let session: Awaited<ReturnType<ContainerActions['openShell']>> | undefined;
  /** What the user typed before the exec session was up: sent once it is, not lost. */
  let pendingInput = '';
  let size = { columns: 80, rows: 24 };
  return {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: (dimensions) => {
      if (dimensions) size = { columns: dimensions.columns, rows: dimensions.rows };
      void openShell(container(), size.columns, size.rows).then(
        (opened) => {
          session = opened;
          if (pendingInput) opened.stream.write(pendingInput);
          pendingInput = '';
          opened.stream.on('data', (chunk: Buffer) => write.fire(chunk.toString('utf8')));
          opened.stream.on('end', () => {
            void opened.exitCode().then((code) => {
              write.fire(`\r\n[shell ended${code === undefined ? '' : ` with code ${code}`}]\r\n`);
              close.fire(code ?? 0);
            });
          });
          opened.stream.on('error', (error: Error) => write.fire(`\r\n[${error.message}]\r\n`));
        },
        (error: unknown) => {
          log.warn(`Attach Shell: ${describeError(error)}`);
          write.fire(`Cannot start a shell: ${describeError(error)}\r\n`);
          close.fire(1);
        },
      );
    },
    handleInput: (data) => {
      if (session) session.stream.write(data);
      else pendingInput += data;
    },
    setDimensions: (dimensions) => {
      size = { columns: dimensions.columns, rows: dimensions.rows };
      void session?.resize(size.columns, size.rows);
    },
    close: () => {
      session?.stream.end();
      session?.stream.destroy();
      write.dispose();
      close.dispose();
    },
  };
}
