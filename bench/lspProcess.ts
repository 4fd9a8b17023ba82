import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  createMessageConnection,
  MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';

/** A language server started over stdio the way an editor starts it, with just enough client to drive it. */
export class LspProcess {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  private diagnosticWaiters: { uri: string; resolve: (count: number) => void }[] = [];

  constructor(command: string, args: string[], settings: Record<string, unknown>) {
    this.child = spawn(command, args, {
      stdio: ['pipe', 'pipe', process.env.BENCH_SERVER_STDERR ? 'inherit' : 'ignore'],
    });
    // A server that exits closes its stdin; a late write must not crash the benchmark.
    this.child.stdin!.on('error', () => undefined);
    this.connection = createMessageConnection(
      new StreamMessageReader(this.child.stdout!),
      new StreamMessageWriter(this.child.stdin!),
    );
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((item) => (item.section ? (settings[item.section] ?? null) : settings)),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification(
      'textDocument/publishDiagnostics',
      (params: { uri: string; diagnostics: unknown[] }) => {
        const waiting = this.diagnosticWaiters.filter((w) => w.uri === params.uri);
        this.diagnosticWaiters = this.diagnosticWaiters.filter((w) => w.uri !== params.uri);
        for (const waiter of waiting) waiter.resolve(params.diagnostics.length);
      },
    );
    this.connection.onNotification(() => undefined);
    this.connection.listen();
  }

  async initialize(rootUri: string): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: {
          synchronization: { didSave: true },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
        },
      },
      workspaceFolders: [{ uri: rootUri, name: 'bench' }],
    });
    await this.connection.sendNotification('initialized', {});
  }

  /** Resolves with the number of diagnostics when the server next publishes for `uri`. */
  nextDiagnostics(uri: string): Promise<number> {
    return new Promise((resolve) => this.diagnosticWaiters.push({ uri, resolve }));
  }

  /** Resident memory of the server process, from /proc. */
  residentMegabytes(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), delay(2000)]);
      await this.connection.sendNotification('exit');
    } catch {
      // The process may already be gone.
    }
    await Promise.race([exited, delay(2000)]);
    this.child.kill();
    this.connection.dispose();
  }
}
