/**
 * A minimal LSP client for tests: the real server, either in this process over two cross-wired streams or as the
 * built bundle over stdio. It answers the server's own requests (workspace/configuration, capability registration)
 * and collects published diagnostics.
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  createMessageConnection,
  MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import {
  ConfigurationRequest,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  RegistrationRequest,
  ShutdownRequest,
} from 'vscode-languageserver-protocol';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from '../../server/src/server';

export const DOCS_URL = 'file:///windflow/docs/diagnostics.md';

export interface TestClient {
  connection: MessageConnection;
  /** What the client answers to workspace/configuration for section `windflow`. */
  settings: Record<string, unknown>;
  /** The next diagnostics published for `uri` (with `version`, when given); earlier ones count if not yet taken. */
  diagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams>;
  open(uri: string, text: string, version?: number): void;
  close(): Promise<void>;
}

async function connect(connection: MessageConnection, stop: () => void): Promise<TestClient> {
  const published: PublishDiagnosticsParams[] = [];
  const waiting: { uri: string; version?: number; resolve: (params: PublishDiagnosticsParams) => void }[] = [];
  const client: TestClient = {
    connection,
    settings: {},
    diagnostics(uri, version) {
      const index = published.findIndex(
        (params) => params.uri === uri && (version === undefined || params.version === version),
      );
      if (index >= 0) return Promise.resolve(published.splice(index, 1)[0]);
      return new Promise((resolve) => waiting.push({ uri, version, resolve }));
    },
    open(uri, text, version = 1) {
      void connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'windflow-stack', version, text },
      });
    },
    async close() {
      await connection.sendRequest(ShutdownRequest.type);
      connection.dispose();
      stop();
    },
  };
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    const index = waiting.findIndex(
      (wait) => wait.uri === params.uri && (wait.version === undefined || wait.version === params.version),
    );
    if (index >= 0) waiting.splice(index, 1)[0].resolve(params);
    else published.push(params);
  });
  connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => client.settings));
  connection.onRequest(RegistrationRequest.type, () => undefined);
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: null,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true },
      textDocument: { publishDiagnostics: { versionSupport: true } },
    },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return client;
}

/** The server in this process, wired to the client through two PassThrough streams. */
export function startInProcessServer(): Promise<TestClient> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverConnection = createConnection(
    ProposedFeatures.all,
    new StreamMessageReader(toServer),
    new StreamMessageWriter(toClient),
  );
  startServer(serverConnection, { diagnosticsDocsUrl: DOCS_URL });
  const clientConnection = createMessageConnection(
    new StreamMessageReader(toClient),
    new StreamMessageWriter(toServer),
  );
  return connect(clientConnection, () => {
    serverConnection.dispose();
    toServer.end();
    toClient.end();
  });
}

export const BUNDLE = path.resolve(__dirname, '..', '..', 'dist', 'server.js');

/** The built bundle (`node dist/server.js --stdio`) as a child process. */
export function startBundledServer(): Promise<TestClient> {
  const child: ChildProcess = spawn(process.execPath, [BUNDLE, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  return connect(connection, () => child.kill());
}
