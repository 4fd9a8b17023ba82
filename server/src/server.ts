/**
 * LSP wiring only: documents, settings, scheduling and cancellation, custom requests. Every feature lives in the
 * language service; every handler is guarded so no input and no failing feature can take the server down.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  CancellationToken,
  CodeActionKind,
  Connection,
  DidChangeConfigurationNotification,
  ErrorCodes,
  InitializeResult,
  LSPErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createLanguageService, RenameRefusal, SEMANTIC_TOKENS_LEGEND } from './languageService';
import { RenderRequest, VariablesRequest } from './protocol';
import { decodeStackBytes } from './stack/decode';
import { DEFAULT_KUBERNETES_VERSION, normaliseKubernetesVersion } from './stack/schemas/kubernetes';
import { renderPreview, PreviewError, variablesOf } from './features/preview';
import { registerAiRequests } from './ai/lsp';

export interface ServerOptions {
  /** URL of docs/diagnostics.md, for the link on each diagnostic code. */
  diagnosticsDocsUrl?: string;
}

/** The settings under `windflow` the server reads (the client pushes them through workspace/configuration). */
export interface WindflowSettings {
  inlayHints: { enabled: boolean };
  validation: { enabled: boolean };
  /** `windflow.kubernetes.version`: the cluster version Kubernetes apiVersions are checked against. */
  kubernetes: { version: string };
  /** Also report what only matters when deploying through an upstream WindFlow server. */
  upstreamCompatibility: boolean;
  /** False in an untrusted workspace: `env()` is then never evaluated. */
  trustedWorkspace: boolean;
}

const DEFAULT_SETTINGS: WindflowSettings = {
  inlayHints: { enabled: true },
  validation: { enabled: true },
  kubernetes: { version: DEFAULT_KUBERNETES_VERSION },
  upstreamCompatibility: false,
  trustedWorkspace: false,
};

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const service = createLanguageService({ diagnosticsDocsUrl: options.diagnosticsDocsUrl });
  const settingsCache = new Map<string, Promise<WindflowSettings>>();
  let globalSettings = DEFAULT_SETTINGS;
  let pullsConfiguration = false;
  let refreshesInlayHints = false;
  let registersConfiguration = false;
  const pendingValidation = new Map<string, ReturnType<typeof setTimeout>>();

  function reportFailure(what: string, error: unknown): void {
    // Only the message: values from the document (secrets included) stay out of the log.
    connection.console.error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** Runs a request handler, turning cancellation and refusals into LSP errors and any other failure into `fallback`. */
  function guard<P, R>(what: string, fallback: R | ResponseError<void>, handler: (params: P) => R | Promise<R>) {
    return async (params: P, token?: CancellationToken): Promise<R | ResponseError<void>> => {
      if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${what} cancelled`);
      try {
        return await handler(params);
      } catch (error) {
        if (error instanceof RenameRefusal || error instanceof PreviewError)
          return new ResponseError(ErrorCodes.InvalidRequest, error.message);
        if (error instanceof ResponseError) return error;
        reportFailure(what, error);
        return fallback;
      }
    };
  }

  function documentOf(uri: string): TextDocument {
    const document = documents.get(uri);
    if (!document) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not open`);
    return document;
  }

  function settingsFor(uri: string): Promise<WindflowSettings> {
    if (!pullsConfiguration) return Promise.resolve(globalSettings);
    let settings = settingsCache.get(uri);
    if (!settings) {
      settings = connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'windflow' })
        .then((value: unknown) => mergeSettings(value))
        .catch(() => DEFAULT_SETTINGS);
      settingsCache.set(uri, settings);
    }
    return settings;
  }

  async function validate(uri: string, version: number): Promise<void> {
    try {
      const settings = await settingsFor(uri);
      const document = documents.get(uri);
      // A newer edit superseded this run: its own validation is already scheduled.
      if (!document || document.version !== version) return;
      const diagnostics = settings.validation.enabled
        ? service.getDiagnostics(document.getText(), uri, {
            kubernetesVersion: settings.kubernetes.version,
            upstreamCompatibility: settings.upstreamCompatibility,
          })
        : [];
      await connection.sendDiagnostics({ uri, version, diagnostics });
    } catch (error) {
      reportFailure(`checking ${uri}`, error);
    }
  }

  /**
   * Validates on the next turn of the event loop, without a debounce: checking is incremental and fast. Edits that
   * arrive while a check runs queue up behind it, so the next check sees only the newest version and the superseded
   * ones are never checked.
   */
  function scheduleValidation(document: TextDocument): void {
    clearTimeout(pendingValidation.get(document.uri));
    const { uri, version } = document;
    pendingValidation.set(
      uri,
      setTimeout(() => {
        pendingValidation.delete(uri);
        void validate(uri, version);
      }, 0),
    );
  }

  connection.onInitialize((params): InitializeResult => {
    pullsConfiguration = params.capabilities.workspace?.configuration === true;
    refreshesInlayHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    registersConfiguration = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ['{', '.', '|', ' ', "'"] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: true,
        semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true },
      },
      serverInfo: { name: 'windflow-language-server' },
    };
  });

  connection.onInitialized(() => {
    // Without this registration a pulling client would not tell us when the settings change.
    if (pullsConfiguration && registersConfiguration) {
      connection.client
        .register(DidChangeConfigurationNotification.type, { section: 'windflow' })
        .catch((error: unknown) => reportFailure('registering for settings changes', error));
    }
  });

  connection.onDidChangeConfiguration((change) => {
    settingsCache.clear();
    const pushed = (change.settings as { windflow?: unknown } | null)?.windflow;
    if (!pullsConfiguration) globalSettings = mergeSettings(pushed);
    for (const document of documents.all()) void validate(document.uri, document.version);
    if (refreshesInlayHints)
      void connection.languages.inlayHint
        .refresh()
        .catch((error: unknown) => reportFailure('inlay hint refresh', error));
  });

  documents.onDidChangeContent((event) => scheduleValidation(event.document));
  documents.onDidClose((event) => {
    const uri = event.document.uri;
    clearTimeout(pendingValidation.get(uri));
    pendingValidation.delete(uri);
    settingsCache.delete(uri);
    service.forget(uri);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  });

  connection.onCompletion(
    guard('completion', [], ({ textDocument, position }) => {
      const document = documentOf(textDocument.uri);
      return service.complete(document.getText(), document.offsetAt(position), textDocument.uri);
    }),
  );
  connection.onHover(
    guard('hover', null, async ({ textDocument, position }) => {
      const document = documentOf(textDocument.uri);
      const settings = await settingsFor(textDocument.uri);
      return service.hover(document.getText(), document.offsetAt(position), textDocument.uri, {
        kubernetesVersion: settings.kubernetes.version,
      });
    }),
  );
  connection.onDefinition(
    guard('definition', [], ({ textDocument, position }) => {
      const document = documentOf(textDocument.uri);
      return service.definition(document.getText(), document.offsetAt(position), textDocument.uri);
    }),
  );
  connection.onReferences(
    guard('references', [], ({ textDocument, position, context }) => {
      const document = documentOf(textDocument.uri);
      return service.references(
        document.getText(),
        document.offsetAt(position),
        textDocument.uri,
        context.includeDeclaration,
      );
    }),
  );
  connection.onDocumentHighlight(
    guard('highlight', [], ({ textDocument, position }) => {
      const document = documentOf(textDocument.uri);
      return service.highlights(document.getText(), document.offsetAt(position), textDocument.uri);
    }),
  );
  connection.onPrepareRename(
    guard('prepare rename', null, ({ textDocument, position }) => {
      const document = documentOf(textDocument.uri);
      return service.prepareRename(document.getText(), document.offsetAt(position), textDocument.uri);
    }),
  );
  connection.onRenameRequest(
    guard('rename', null, ({ textDocument, position, newName }) => {
      const document = documentOf(textDocument.uri);
      return service.rename(document.getText(), document.offsetAt(position), newName, textDocument.uri);
    }),
  );
  connection.onDocumentSymbol(
    guard('symbols', [], ({ textDocument }) =>
      service.symbols(documentOf(textDocument.uri).getText(), textDocument.uri),
    ),
  );
  connection.onFoldingRanges(
    guard('folding', [], ({ textDocument }) =>
      service.folding(documentOf(textDocument.uri).getText(), textDocument.uri),
    ),
  );
  connection.onCodeAction(
    guard('code actions', [], ({ textDocument, context }) =>
      service.codeActions(documentOf(textDocument.uri).getText(), context.diagnostics, textDocument.uri),
    ),
  );
  connection.languages.inlayHint.on(
    guard('inlay hints', [], async ({ textDocument, range }) => {
      const settings = await settingsFor(textDocument.uri);
      if (!settings.inlayHints.enabled) return [];
      return service.inlayHints(documentOf(textDocument.uri).getText(), range, textDocument.uri);
    }),
  );
  connection.languages.semanticTokens.on(
    guard('semantic tokens', { data: [] }, ({ textDocument }) =>
      service.semanticTokens(documentOf(textDocument.uri).getText(), textDocument.uri),
    ),
  );

  /** An open document's text, or the file on disk (the CLI and other clients may ask about closed files). */
  async function stackText(uri: string): Promise<string> {
    const open = documents.get(uri);
    if (open) return open.getText();
    if (!uri.startsWith('file:')) throw new PreviewError(`${uri} is not open and is not a file`);
    try {
      return decodeStackBytes(await readFile(fileURLToPath(uri))).text;
    } catch (error) {
      throw new PreviewError(`cannot read ${uri}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  connection.onRequest(
    RenderRequest,
    guard('render', internalError('render'), async (params) => {
      const text = await stackText(params.uri);
      const settings = await settingsFor(params.uri);
      return renderPreview(service.modelOf(text, params.uri), params, { allowEnv: settings.trustedWorkspace });
    }),
  );
  connection.onRequest(
    VariablesRequest,
    guard('variables', internalError('variables'), async (params) => {
      const text = await stackText(params.uri);
      const settings = await settingsFor(params.uri);
      return variablesOf(service.modelOf(text, params.uri), { allowEnv: settings.trustedWorkspace });
    }),
  );

  registerAiRequests(connection, documents);
  documents.listen(connection);
  connection.listen();
}

/** The answer to a custom request whose handler failed unexpectedly (the details are in the server log). */
function internalError(what: string): ResponseError<void> {
  return new ResponseError(
    ErrorCodes.InternalError,
    `${what} failed; the WindFlow language server log has the details`,
  );
}

/** Settings as sent by the client, with defaults for anything missing or of the wrong type. */
function mergeSettings(value: unknown): WindflowSettings {
  const raw = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const flag = (section: unknown, fallback: boolean): boolean => {
    const enabled = (section as { enabled?: unknown } | undefined)?.enabled;
    return typeof enabled === 'boolean' ? enabled : fallback;
  };
  return {
    inlayHints: { enabled: flag(raw.inlayHints, DEFAULT_SETTINGS.inlayHints.enabled) },
    validation: { enabled: flag(raw.validation, DEFAULT_SETTINGS.validation.enabled) },
    kubernetes: { version: kubernetesVersionOf(raw.kubernetes) },
    upstreamCompatibility:
      typeof raw.upstreamCompatibility === 'boolean'
        ? raw.upstreamCompatibility
        : DEFAULT_SETTINGS.upstreamCompatibility,
    trustedWorkspace:
      typeof raw.trustedWorkspace === 'boolean' ? raw.trustedWorkspace : DEFAULT_SETTINGS.trustedWorkspace,
  };
}

/** A `1.30`-style version from the setting; the default when it is missing or not a Kubernetes 1.x version. */
function kubernetesVersionOf(section: unknown): string {
  const version = (section as { version?: unknown } | undefined)?.version;
  return (typeof version === 'string' && normaliseKubernetesVersion(version)) || DEFAULT_KUBERNETES_VERSION;
}
