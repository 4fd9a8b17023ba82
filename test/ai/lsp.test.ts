import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import {
  CancellationTokenSource,
  createMessageConnection,
  MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { createConnection, LSPErrorCodes, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { registerAiRequests } from '../../server/src/ai/lsp';
import {
  AiCompleteRequest,
  AiConfigureRequest,
  AiListModelsRequest,
  AiExplainRequest,
  AiFixRequest,
  AiGenerateRequest,
  AiProgress,
  AiProgressType,
} from '../../server/src/protocol';
import { checkStack, parseStack, toLspDiagnostic } from '../../server/src/stack';
import { OpenAiTestServer } from '../fixtures/openaiServer';
import { VALID_COMPOSE_STACK } from './stacks';

const URI = 'file:///work/whoami.stack.yaml';

/** The AI requests on a real language-server connection, talked to over two cross-wired in-memory streams. */
async function startServer(): Promise<{ client: MessageConnection; stop: () => void }> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const connection = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  const documents = new TextDocuments(TextDocument);
  registerAiRequests(connection, documents);
  documents.listen(connection);
  connection.listen();
  const client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  client.listen();
  return {
    client,
    stop: () => {
      client.dispose();
      connection.dispose();
    },
  };
}

async function open(client: MessageConnection, text: string): Promise<void> {
  await client.sendNotification('textDocument/didOpen', {
    textDocument: { uri: URI, languageId: 'windflow-stack', version: 1, text },
  });
}

describe('ai/lsp: the custom requests on a language-server connection', () => {
  let endpoint: OpenAiTestServer;
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => {
    endpoint = await OpenAiTestServer.start({ models: ['test-model', 'other'] });
    server = await startServer();
  });
  afterEach(async () => {
    server.stop();
    await endpoint.close();
  });

  const configure = (extra: object = {}) =>
    server.client.sendRequest(AiConfigureRequest, {
      trusted: true,
      baseUrl: endpoint.baseUrl,
      model: 'test-model',
      apiKey: 'k-123',
      ...extra,
    });

  it('is off until configured, and off in untrusted workspaces whatever is set', async () => {
    const before = await server.client.sendRequest(AiGenerateRequest, { description: 'x', targetType: 'docker' });
    assert.deepEqual(before, {
      ok: false,
      error: {
        kind: 'not_configured',
        message: "AI is off until an endpoint is configured: run 'WindFlow: Configure AI Endpoint…'",
      },
    });
    assert.deepEqual(await configure({ trusted: false }), {
      enabled: false,
      problem: 'AI features are off in untrusted workspaces',
    });
    const untrusted = await server.client.sendRequest(AiExplainRequest, { error: 'e', status: 'failed', logLines: [] });
    assert.deepEqual(untrusted, {
      ok: false,
      error: { kind: 'untrusted', message: 'AI features are off in untrusted workspaces' },
    });
    assert.equal(endpoint.requests.length, 0);
  });

  it('tests the connection by listing models and says what is wrong', async () => {
    assert.deepEqual(await configure({ testConnection: true }), { enabled: true, models: ['test-model', 'other'] });
    assert.equal(endpoint.requests[0].headers.authorization, 'Bearer k-123');
    assert.deepEqual(await configure({ model: 'gpt-x', testConnection: true }), {
      enabled: true,
      models: ['test-model', 'other'],
      problem: "the endpoint does not list model 'gpt-x'; it lists test-model, other",
    });
    assert.deepEqual(await configure({ baseUrl: 'localhost:11434' }), {
      enabled: false,
      problem: "the AI base URL 'localhost:11434' must start with http:// or https://",
    });
  });

  it('lists the endpoint models for the model step without configuring anything', async () => {
    const listed = await server.client.sendRequest(AiListModelsRequest, { baseUrl: endpoint.baseUrl, apiKey: 'k-9' });
    assert.deepEqual(listed, { models: ['test-model', 'other'] });
    assert.equal(endpoint.requests[0].headers.authorization, 'Bearer k-9');
    const off = await server.client.sendRequest(AiGenerateRequest, { description: 'x', targetType: 'docker' });
    assert.equal(off.ok, false, 'listing models did not turn AI on');
    assert.deepEqual(await server.client.sendRequest(AiListModelsRequest, { baseUrl: 'ftp://x' }), {
      models: [],
      problem: "the AI base URL 'ftp://x' must start with http:// or https://",
    });
  });

  it('generates a stack, reporting progress while it streams', async () => {
    await configure();
    endpoint.script({ content: VALID_COMPOSE_STACK });
    const progress: AiProgress[] = [];
    server.client.onProgress(AiProgressType, 'gen-1', (value) => {
      progress.push(value);
    });
    const result = await server.client.sendRequest(AiGenerateRequest, {
      description: 'whoami',
      targetType: 'docker_compose',
      progressToken: 'gen-1',
    });
    assert.deepEqual(result, { ok: true, text: VALID_COMPOSE_STACK, repaired: false });
    assert.ok(progress.length >= 1, 'at least one progress notification');
  });

  it('fixes a diagnostic of an open document with a minimal TextEdit', async () => {
    await configure();
    const text = VALID_COMPOSE_STACK.replace('{{ web_port }}', '{{ web_prot }}');
    await open(server.client, text);
    const model = parseStack(text);
    const diagnostic = toLspDiagnostic(
      model.lines,
      checkStack(model).find((d) => d.code === 'WF020')!,
    );
    const line = diagnostic.range.start.line + 1;
    endpoint.script({
      content: JSON.stringify({
        startLine: line,
        endLine: line,
        replacement: '        - "{{ web_port }}:80"',
        explanation: 'typo',
      }),
    });
    const result = await server.client.sendRequest(AiFixRequest, { uri: URI, diagnostic });
    const character = diagnostic.range.start.character + 'web_p'.length;
    assert.deepEqual(result, {
      ok: true,
      edit: {
        range: { start: { line: line - 1, character }, end: { line: line - 1, character: character + 2 } },
        newText: 'or',
      },
      newText: VALID_COMPOSE_STACK,
      explanation: 'typo',
      repaired: false,
    });
  });

  it('cancels a request: the LSP cancellation aborts the HTTP request', async () => {
    await configure();
    await open(server.client, VALID_COMPOSE_STACK);
    endpoint.script({ hang: true });
    const source = new CancellationTokenSource();
    const pending = server.client.sendRequest(
      AiCompleteRequest,
      { uri: URI, position: { line: 3, character: 0 } },
      source.token,
    );
    while (endpoint.chatBodies.length === 0) await new Promise((resolve) => setImmediate(resolve));
    source.cancel();
    await assert.rejects(pending, { code: LSPErrorCodes.RequestCancelled, message: 'the AI request was cancelled' });
    while (endpoint.abandonedRequests === 0) await new Promise((resolve) => setImmediate(resolve));
  });

  it('reports a failing endpoint once to inline suggestions, then stays quiet without asking it again', async () => {
    await configure();
    await open(server.client, VALID_COMPOSE_STACK);
    endpoint.script({ status: 401, message: 'bad key' });
    const params = { uri: URI, position: { line: 3, character: 0 } };
    const first = await server.client.sendRequest(AiCompleteRequest, params);
    const message = `the AI endpoint at ${endpoint.baseUrl} rejected the API key (401 Unauthorized): bad key; set the key again with 'Configure AI Endpoint…'`;
    assert.deepEqual(first, { ok: false, error: { kind: 'unauthorized', message } });
    const second = await server.client.sendRequest(AiCompleteRequest, params);
    assert.deepEqual(second, { ok: false, error: { kind: 'unauthorized', message, repeated: true } });
    assert.equal(endpoint.chatBodies.length, 1, 'the failing endpoint was not asked again');
  });

  it('says when the document is not open', async () => {
    await configure();
    const result = await server.client.sendRequest(AiCompleteRequest, {
      uri: 'file:///nope.yaml',
      position: { line: 0, character: 0 },
    });
    assert.deepEqual(result, {
      ok: false,
      error: { kind: 'invalid_input', message: 'file:///nope.yaml is not open in the editor' },
    });
  });
});
