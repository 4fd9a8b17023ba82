import assert from 'node:assert/strict';
import { AiClient, AiError } from '../../server/src/ai/client';
import { OpenAiTestServer } from '../fixtures/openaiServer';

const SCHEMA = {
  name: 'answer',
  schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
};
const HELLO = [{ role: 'user' as const, content: 'hello' }];

async function rejectsWith(promise: Promise<unknown>, kind: AiError['kind'], message?: RegExp): Promise<AiError> {
  const error = await promise.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AiError, `expected an AiError, got ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  if (message) assert.match(error.message, message);
  return error;
}

describe('ai/client against a loopback OpenAI-protocol server', () => {
  let server: OpenAiTestServer;
  afterEach(async () => server?.close());

  it('sends the model, messages, key, organisation and extra headers, and returns the answer', async () => {
    server = await OpenAiTestServer.start();
    server.script({ content: 'hi there' });
    const client = new AiClient({
      baseUrl: server.baseUrl,
      model: 'm1',
      apiKey: 'test-key',
      organization: 'org-7',
      headers: { 'x-route': 'blue' },
    });
    assert.deepEqual(await client.chat(HELLO), { text: 'hi there', structured: false });
    const [request] = server.requests;
    assert.equal(request.headers.authorization, 'Bearer test-key');
    assert.equal(request.headers['openai-organization'], 'org-7');
    assert.equal(request.headers['x-route'], 'blue');
    assert.deepEqual(request.body?.messages, HELLO);
    assert.equal(request.body?.model, 'm1');
  });

  it('streams: sees the text grow and returns all of it', async () => {
    server = await OpenAiTestServer.start();
    server.script({ content: 'one two three four five' });
    const client = new AiClient({ baseUrl: server.baseUrl, model: 'm' });
    const seen: string[] = [];
    const answer = await client.chat(HELLO, { stream: true, onText: (text) => seen.push(text) });
    assert.equal(answer.text, 'one two three four five');
    assert.equal(server.chatBodies[0].stream, true);
    assert.ok(seen.length > 1, 'several chunks arrived');
    assert.equal(seen[seen.length - 1], 'one two three four five');
  });

  it('asks for json_schema output where the endpoint supports it', async () => {
    server = await OpenAiTestServer.start();
    server.script({ content: '{"ok":true}' });
    const client = new AiClient({ baseUrl: server.baseUrl, model: 'm' });
    assert.deepEqual(await client.chat(HELLO, { schema: SCHEMA }), { text: '{"ok":true}', structured: true });
    assert.deepEqual(server.chatBodies[0].response_format, {
      type: 'json_schema',
      json_schema: { ...SCHEMA, strict: true },
    });
  });

  it('falls back to plain text when json_schema is refused, and remembers it for that endpoint', async () => {
    server = await OpenAiTestServer.start({ rejectJsonSchema: true });
    server.script({ content: '{"ok":true}' }, { content: '{"ok":false}' });
    const client = new AiClient({ baseUrl: server.baseUrl, model: 'plain-model' });
    assert.deepEqual(await client.chat(HELLO, { schema: SCHEMA }), { text: '{"ok":true}', structured: false });
    assert.deepEqual(await client.chat(HELLO, { schema: SCHEMA }), { text: '{"ok":false}', structured: false });
    assert.deepEqual(
      server.chatBodies.map((body) => body.response_format?.type ?? 'plain'),
      ['json_schema', 'plain', 'plain'],
    );
  });

  it('retries a 429 after the wait its retry-after asks for, then succeeds', async () => {
    server = await OpenAiTestServer.start();
    server.script({ status: 429, message: 'slow down', headers: { 'retry-after': '0' } }, { content: 'finally' });
    const client = new AiClient({ baseUrl: server.baseUrl, model: 'm' });
    assert.equal((await client.chat(HELLO)).text, 'finally');
    assert.equal(server.chatBodies.length, 2);
  });

  it('gives up at once on a 429 that asks for a longer wait than the bound, with one clear message', async () => {
    server = await OpenAiTestServer.start();
    server.script({ status: 429, message: 'quota exceeded', headers: { 'retry-after': '3600' } });
    const client = new AiClient({ baseUrl: server.baseUrl, model: 'm' });
    await rejectsWith(
      client.chat(HELLO),
      'rate_limited',
      /is rate limiting requests \(429\): quota exceeded; try again later$/,
    );
    assert.equal(server.chatBodies.length, 1);
  });

  it('stops retrying 429 after two retries', async () => {
    server = await OpenAiTestServer.start();
    const busy = { status: 429, message: 'busy', headers: { 'retry-after-ms': '1' } };
    server.script(busy, busy, busy, { content: 'never reached' });
    const client = new AiClient({ baseUrl: server.baseUrl, model: 'm' });
    await rejectsWith(client.chat(HELLO), 'rate_limited');
    assert.equal(server.chatBodies.length, 3);
  });

  it('says clearly that the key was rejected on 401', async () => {
    server = await OpenAiTestServer.start();
    server.script({ status: 401, message: 'Incorrect API key provided' });
    const client = new AiClient({ baseUrl: server.baseUrl, model: 'm', apiKey: 'wrong' });
    const error = await rejectsWith(client.chat(HELLO), 'unauthorized');
    assert.equal(
      error.message,
      `the AI endpoint at ${server.baseUrl} rejected the API key (401 Unauthorized): Incorrect API key provided; set the key again with 'Configure AI Endpoint…'`,
    );
    assert.ok(!error.message.includes('wrong'), 'the key itself is never in a message');
  });

  it('names the base URL and model on 404, and the cause when the endpoint is unreachable', async () => {
    server = await OpenAiTestServer.start();
    server.script({ status: 404, message: 'model not found' });
    await rejectsWith(
      new AiClient({ baseUrl: server.baseUrl, model: 'nope' }).chat(HELLO),
      'not_found',
      /\(often \/v1\) and that model 'nope' exists$/,
    );
    const closedUrl = server.baseUrl;
    await server.close();
    await rejectsWith(
      new AiClient({ baseUrl: closedUrl, model: 'm' }).chat(HELLO),
      'unreachable',
      /^cannot reach the AI endpoint at .* \(ECONNREFUSED\)/,
    );
  });

  it('reports a 500 as a failing endpoint', async () => {
    server = await OpenAiTestServer.start();
    server.script({ status: 500, message: 'boom' });
    await rejectsWith(
      new AiClient({ baseUrl: server.baseUrl, model: 'm' }).chat(HELLO),
      'endpoint',
      /failed \(500\): boom$/,
    );
  });

  it('times out a request that gets no answer', async () => {
    server = await OpenAiTestServer.start();
    server.script({ hang: true });
    const client = new AiClient({ baseUrl: server.baseUrl, model: 'm', timeoutSeconds: 0.2 });
    await rejectsWith(client.chat(HELLO), 'timeout', /did not answer within 0.2 s$/);
    while (server.abandonedRequests === 0) await new Promise((resolve) => setImmediate(resolve));
  });

  it('cancels a request when its signal aborts', async () => {
    server = await OpenAiTestServer.start();
    server.script({ hang: true });
    const controller = new AbortController();
    const pending = new AiClient({ baseUrl: server.baseUrl, model: 'm' }).chat(HELLO, {
      stream: true,
      signal: controller.signal,
    });
    while (server.chatBodies.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await rejectsWith(pending, 'cancelled', /^the AI request was cancelled$/);
    while (server.abandonedRequests === 0) await new Promise((resolve) => setImmediate(resolve));
  });

  it('rejects an answer cut off at the length limit', async () => {
    server = await OpenAiTestServer.start();
    server.script({ content: 'metadata:\n  na', finishReason: 'length' });
    await rejectsWith(new AiClient({ baseUrl: server.baseUrl, model: 'm' }).chat(HELLO), 'bad_answer', /cut off/);
  });

  it('lists models for the connection test, and reports a rejected key there too', async () => {
    server = await OpenAiTestServer.start({ models: ['llama3.2:3b', 'qwen2.5-coder:7b'] });
    assert.deepEqual(await new AiClient({ baseUrl: server.baseUrl, model: 'm' }).listModels(), [
      'llama3.2:3b',
      'qwen2.5-coder:7b',
    ]);
    await server.close();
    server = await OpenAiTestServer.start({ modelsStatus: 401 });
    await rejectsWith(
      new AiClient({ baseUrl: server.baseUrl, model: 'm', apiKey: 'bad' }).listModels(),
      'unauthorized',
    );
  });
});
