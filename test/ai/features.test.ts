import assert from 'node:assert/strict';
import { AiClient, AiError } from '../../server/src/ai/client';
import { completeAtCursor } from '../../server/src/ai/complete';
import { explainDeployFailure } from '../../server/src/ai/explain';
import { fixDiagnostic } from '../../server/src/ai/fix';
import { generateStack } from '../../server/src/ai/generate';
import { checkStack, parseStack } from '../../server/src/stack';
import { OpenAiTestServer } from '../fixtures/openaiServer';
import { SECRET_STACK, SECRETS, VALID_COMPOSE_STACK } from './stacks';

const TYPO_STACK = VALID_COMPOSE_STACK.replace('"{{ web_port }}:80"', '"{{ web_prot }}:80"');
const TYPO_LINE = TYPO_STACK.split('\n').findIndex((line) => line.includes('web_prot')) + 1;

function diagnosticOf(text: string, code: string) {
  const found = checkStack(parseStack(text)).find((d) => d.code === code);
  assert.ok(found, `${code} is reported`);
  return found;
}

function lineOf(text: string, fragment: string): number {
  return text.split('\n').findIndex((line) => line.includes(fragment)) + 1;
}

async function failure(promise: Promise<unknown>): Promise<AiError> {
  const error = await promise.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AiError, String(error));
  return error;
}

describe('ai features, validated by the language service', () => {
  let server: OpenAiTestServer;
  let client: AiClient;
  beforeEach(async () => {
    server = await OpenAiTestServer.start();
    client = new AiClient({ baseUrl: server.baseUrl, model: 'test-model' });
  });
  afterEach(async () => server.close());

  describe('generate', () => {
    it('passes a valid stack through, streamed', async () => {
      server.script({ content: `Here it is:\n\`\`\`yaml\n${VALID_COMPOSE_STACK}\`\`\`\n` });
      const progress: number[] = [];
      const result = await generateStack(client, {
        description: 'a whoami web service',
        targetType: 'docker_compose',
        onText: (text) => progress.push(text.length),
      });
      assert.deepEqual(result, { text: VALID_COMPOSE_STACK, repaired: false });
      assert.equal(server.chatBodies.length, 1);
      assert.equal(server.chatBodies[0].stream, true);
      assert.ok(progress.length > 1);
      assert.match(
        server.chatBodies[0].messages[1].content,
        /metadata\.target_type: docker_compose for:\na whoami web service\n/,
      );
    });

    it('repairs a stack that adds errors: the second request carries the diagnostics', async () => {
      server.script({ content: TYPO_STACK }, { content: VALID_COMPOSE_STACK });
      const result = await generateStack(client, { description: 'whoami', targetType: 'docker_compose' });
      assert.deepEqual(result, { text: VALID_COMPOSE_STACK, repaired: true });
      const repair = server.chatBodies[1].messages;
      assert.equal(repair.length, 4);
      assert.deepEqual(repair[2], { role: 'assistant', content: TYPO_STACK });
      assert.ok(
        repair[3].content.includes(
          `line ${TYPO_LINE}: WF020 error: undefined variable 'web_prot'; did you mean 'web_port'?: it renders empty`,
        ),
        repair[3].content,
      );
    });

    it('drops a stack that still adds errors after one repair, saying why', async () => {
      server.script({ content: TYPO_STACK }, { content: TYPO_STACK });
      const error = await failure(generateStack(client, { description: 'whoami', targetType: 'docker_compose' }));
      assert.equal(error.kind, 'invalid_suggestion');
      assert.equal(
        error.message,
        `the AI suggestion was dropped because it still had errors after one repair: line ${TYPO_LINE}: WF020 undefined variable 'web_prot'; did you mean 'web_port'?: it renders empty`,
      );
      assert.equal(server.chatBodies.length, 2, 'exactly one repair round trip');
    });

    it('asks again when the stack has the wrong target type, and refuses bad input before sending anything', async () => {
      server.script(
        { content: VALID_COMPOSE_STACK.replace('docker_compose', 'docker_swarm') },
        { content: VALID_COMPOSE_STACK },
      );
      assert.equal((await generateStack(client, { description: 'x', targetType: 'docker_compose' })).repaired, true);
      assert.match(
        server.chatBodies[1].messages[3].content,
        /metadata\.target_type is 'docker_swarm', not 'docker_compose'/,
      );
      const wrongType = await failure(generateStack(client, { description: 'x', targetType: 'docker-compose' }));
      assert.equal(wrongType.kind, 'invalid_input');
      assert.equal(server.chatBodies.length, 2);
    });
  });

  describe('fix', () => {
    it('returns the minimal edit that removes the diagnostic', async () => {
      const diagnostic = diagnosticOf(TYPO_STACK, 'WF020');
      server.script({
        content: JSON.stringify({
          startLine: TYPO_LINE,
          endLine: TYPO_LINE,
          replacement: '        - "{{ web_port }}:80"',
          explanation: 'Fixed the typo.',
        }),
      });
      const fix = await fixDiagnostic(client, { text: TYPO_STACK, diagnostic });
      const at = TYPO_STACK.indexOf('web_prot') + 'web_p'.length;
      assert.deepEqual(fix, {
        edit: { span: { start: at, end: at + 2 }, newText: 'or' },
        newText: VALID_COMPOSE_STACK,
        explanation: 'Fixed the typo.',
        repaired: false,
      });
      assert.equal(server.chatBodies[0].response_format?.type, 'json_schema');
      assert.ok(server.chatBodies[0].messages[1].content.includes(`  ${TYPO_LINE}|         - "{{ web_prot }}:80"`));
    });

    it('works through the plain-text fallback when the endpoint refuses json_schema', async () => {
      await server.close();
      server = await OpenAiTestServer.start({ rejectJsonSchema: true });
      client = new AiClient({ baseUrl: server.baseUrl, model: 'test-model' });
      const fence = '```';
      server.script({
        content: `${fence}json\n{"startLine": ${TYPO_LINE}, "endLine": ${TYPO_LINE}, "replacement": "  ${TYPO_LINE}|         - \\"{{ web_port }}:80\\"", "explanation": "typo"}\n${fence}`,
      });
      const fix = await fixDiagnostic(client, { text: TYPO_STACK, diagnostic: diagnosticOf(TYPO_STACK, 'WF020') });
      assert.equal(fix.newText, VALID_COMPOSE_STACK, 'copied line numbers are stripped');
      assert.deepEqual(
        server.chatBodies.map((b) => b.response_format?.type ?? 'plain'),
        ['json_schema', 'plain'],
      );
    });

    it('asks once more when the edit leaves the problem in place', async () => {
      const unchanged = JSON.stringify({ startLine: 1, endLine: 1, replacement: 'metadata:   ', explanation: 'x' });
      server.script({ content: unchanged }, { content: unchanged });
      const error = await failure(
        fixDiagnostic(client, { text: TYPO_STACK, diagnostic: diagnosticOf(TYPO_STACK, 'WF020') }),
      );
      assert.equal(error.kind, 'invalid_suggestion');
      assert.match(
        server.chatBodies[1].messages[3].content,
        /the problem is still reported after the edit: WF020 undefined variable 'web_prot'/,
      );
    });
  });

  describe('complete', () => {
    it('streams the value at the cursor and inserts only what was not typed yet', async () => {
      const text = VALID_COMPOSE_STACK.replace('      image: "traefik/whoami:v1.10"\n', '      image: \n');
      const offset = text.indexOf('image: ') + 'image: '.length;
      server.script({ content: 'image: "traefik/whoami:v1.10"\n' });
      const completion = await completeAtCursor(client, { text, offset });
      assert.deepEqual(completion, { insertText: '"traefik/whoami:v1.10"', repaired: false });
      assert.equal(server.chatBodies[0].stream, true);
      assert.ok(server.chatBodies[0].messages[1].content.includes('      image: «CURSOR»\n'));
    });

    it('refuses a document too large for a prompt, without asking the endpoint', async () => {
      const huge = VALID_COMPOSE_STACK + `# ${'x'.repeat(200_000)}\n`;
      const error = await failure(completeAtCursor(client, { text: huge, offset: 0 }));
      assert.equal(
        error.message,
        `the document is too large to send to the AI (${huge.length} characters; the limit is 200000)`,
      );
      assert.equal(server.requests.length, 0);
    });

    it('offers nothing inside a secret value, without asking the endpoint', async () => {
      const offset = SECRET_STACK.indexOf(SECRETS.passwordDefault) + 3;
      const error = await failure(completeAtCursor(client, { text: SECRET_STACK, offset }));
      assert.equal(error.kind, 'invalid_input');
      assert.equal(server.requests.length, 0);
    });
  });

  describe('explain', () => {
    it('turns the structured diagnosis into Markdown', async () => {
      server.script({
        content: JSON.stringify({
          summary: 'The port is taken.',
          cause: 'Port 8080 is in use.',
          steps: ['Free the port.', 'Redeploy.'],
        }),
      });
      const markdown = await explainDeployFailure(client, {
        error: 'Bind for 0.0.0.0:8080 failed: port is already allocated',
        status: 'failed',
        logLines: ['starting', 'error'],
      });
      assert.equal(
        markdown,
        '**The port is taken.**\n\n### Likely cause\n\nPort 8080 is in use.\n\n### What to do\n\n1. Free the port.\n2. Redeploy.',
      );
    });
  });

  it('never sends a secret in any request body, through every feature and a repair round trip', async () => {
    const hostLine = lineOf(SECRET_STACK, 'HOST_SECRET');
    const withTypo = JSON.stringify({
      startLine: hostLine,
      endLine: hostLine,
      replacement: '        HOST_SECRET: "{{ db_pasword }}"',
      explanation: 'a',
    });
    const corrected = JSON.stringify({
      startLine: hostLine,
      endLine: hostLine,
      replacement: '        HOST_SECRET: "{{ db_password }}"',
      explanation: 'b',
    });
    const cursor = SECRET_STACK.indexOf('      labels:\n');
    server.script({ content: withTypo }, { content: corrected }, { content: '      restart: unless-stopped\n' });

    const fix = await fixDiagnostic(client, { text: SECRET_STACK, diagnostic: diagnosticOf(SECRET_STACK, 'WF028') });
    assert.equal(fix.repaired, true);
    assert.equal(fix.newText, SECRET_STACK.replace(`"{{ env('${SECRETS.envArgument}') }}"`, '"{{ db_password }}"'));

    const completion = await completeAtCursor(client, { text: SECRET_STACK, offset: cursor });
    assert.equal(
      completion.insertText,
      '      restart: unless-stopped\n',
      'a block inserted before text keeps its line break',
    );

    await server.close();
    server = await OpenAiTestServer.start({ rejectJsonSchema: true });
    client = new AiClient({ baseUrl: server.baseUrl, model: 'test-model' });
    server.script({ content: 'Authentication failed for «SECRET_1».' }, { content: SECRET_STACK });
    const explanation = await explainDeployFailure(client, {
      error: `password authentication failed for user "app" (password=${SECRETS.passwordDefault})`,
      status: 'failed',
      logLines: [`using key ${SECRETS.apiKey}`, `DATABASE_URL=postgres://app:${SECRETS.urlPassword}@db/app`],
      stackText: SECRET_STACK,
    });
    assert.equal(
      explanation,
      'Authentication failed for «SECRET_1».',
      'explanations keep placeholders: nothing secret comes back into view',
    );
    const generated = await generateStack(client, {
      description: `an app using the key ${SECRETS.apiKey}`,
      targetType: 'docker_compose',
    });
    assert.equal(generated.text, SECRET_STACK, 'placeholders in a generated stack are restored');

    for (const [kind, secret] of Object.entries(SECRETS)) {
      assert.ok(!server.everyRawBody.includes(secret), `${kind} reached the endpoint`);
    }
    assert.ok(server.everyRawBody.includes('«SECRET_1»'));
  });
});
