import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { DiagnosticDocs } from './diagnosticDocs';
import { editorKubernetesVersion } from './editorKubernetesVersion';
import type { Logger } from './logger';
import type { SelectedClusterVersion } from './selectedClusterVersion';

/**
 * Small young-generation semi-spaces and an old generation that grows by at most 2× between collections (after a
 * first one at 64 MB, so that reading a large stack is not interrupted by many) keep the garbage of parsing from
 * inflating the server's resident memory; one V8 helper thread instead of four keeps the garbage collector from
 * competing with the server on machines with few cores (all measured in docs/performance.md). The npm bin's
 * shebang sets the same flags.
 */
const SERVER_NODE_FLAGS = [
  '--max-semi-space-size=2',
  '--heap-growing-percent=100',
  '--initial-old-space-size=64',
  '--v8-pool-size=1',
];

export const STACK_LANGUAGE = 'windflow-stack';

/** More crashes than this within the window and the server stays down until the user restarts it. */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

/**
 * Restarts a crashed server quietly (a status-bar note, a log line) and only asks the user something when it keeps
 * crashing, so a server bug never turns into a stream of pop-ups.
 */
class RestartingErrorHandler implements ErrorHandler {
  private readonly crashTimes: number[] = [];

  constructor(private readonly log: Logger) {}

  error(): ErrorHandlerResult {
    return { action: ErrorAction.Continue, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashTimes.push(now);
    while (this.crashTimes.length > 0 && now - this.crashTimes[0] > RESTART_WINDOW_MS) this.crashTimes.shift();
    if (this.crashTimes.length <= MAX_RESTARTS) {
      this.log.warn(
        `The language server stopped unexpectedly; restarting it (${this.crashTimes.length} in 3 minutes).`,
      );
      vscode.window.setStatusBarMessage('$(sync~spin) WindFlow language server restarted', 5000);
      return { action: CloseAction.Restart, handled: true };
    }
    this.log.error(`The language server crashed ${this.crashTimes.length} times in 3 minutes; it is not restarted.`);
    void vscode.window
      .showErrorMessage(
        'The WindFlow language server keeps crashing and was stopped. Validation and completion are off until it restarts.',
        'Restart Server',
        'Show Output',
      )
      .then((choice) => {
        if (choice === 'Restart Server') void vscode.commands.executeCommand('windflow.restartServer');
        if (choice === 'Show Output') this.log.show();
      });
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

/**
 * The client of the bundled language server (dist/server.js, over Node IPC). Settings of the `windflow` section go to
 * the server with `trustedWorkspace` added, so the server turns off what Restricted Mode forbids (env(), AI), and,
 * unless the user set `windflow.kubernetes.version`, with the selected cluster's version in its place.
 */
export function createLanguageClient(
  context: vscode.ExtensionContext,
  log: Logger,
  selectedCluster: SelectedClusterVersion,
): LanguageClient {
  const docs = new DiagnosticDocs(vscode.Uri.joinPath(context.extensionUri, 'docs', 'diagnostics.md'));
  context.subscriptions.push(docs);
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: SERVER_NODE_FLAGS } },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6019'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: STACK_LANGUAGE, scheme: 'file' },
      { language: STACK_LANGUAGE, scheme: 'untitled' },
    ],
    synchronize: { configurationSection: 'windflow' },
    outputChannel: log.channel,
    initializationOptions: () => ({ trustedWorkspace: vscode.workspace.isTrusted }),
    errorHandler: new RestartingErrorHandler(log),
    middleware: {
      // The server links each code to docs/diagnostics.md#wfNNN, which VS Code would open as an editable file at
      // line 1: point the link at the code's section of the read-only catalogue instead.
      handleDiagnostics: (uri, diagnostics, next) => {
        for (const diagnostic of diagnostics) {
          if (typeof diagnostic.code !== 'object') continue;
          const target = docs.linkFor(String(diagnostic.code.value));
          if (target) diagnostic.code = { value: diagnostic.code.value, target };
        }
        next(uri, diagnostics);
      },
      workspace: {
        configuration: async (params, token, next) => {
          const results = await next(params, token);
          if (!Array.isArray(results)) return results;
          return results.map((result, index) => {
            const item = params.items[index];
            if (item?.section !== 'windflow' || !result || typeof result !== 'object') return result;
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            const setting = vscode.workspace.getConfiguration('windflow', scope).inspect('kubernetes.version');
            const clusterVersion = editorKubernetesVersion(setting, selectedCluster.current());
            const settings = result as { kubernetes?: object };
            return {
              ...settings,
              trustedWorkspace: vscode.workspace.isTrusted,
              ...(clusterVersion && { kubernetes: { ...settings.kubernetes, version: clusterVersion } }),
            };
          });
        },
      },
    },
  };
  const client = new LanguageClient('windflow', 'WindFlow Language Server', serverOptions, clientOptions);
  // Trust can be granted, and the selected cluster (or its version) can change, while the server runs: make it pull
  // its settings again.
  const settingsChanged = () => {
    if (client.isRunning()) void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  };
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(settingsChanged),
    selectedCluster.onDidChange(settingsChanged),
  );
  return client;
}
