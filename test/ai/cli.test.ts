import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkStack, parseStack } from '../../server/src/stack';
import { OpenAiTestServer } from '../fixtures/openaiServer';
import { VALID_COMPOSE_STACK } from './stacks';
import { runInProcess } from '../cli/inProcess';

describe('cli: windflow-stack ai generate', () => {
  let endpoint: OpenAiTestServer;
  let folder: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    endpoint = await OpenAiTestServer.start();
    folder = await mkdtemp(path.join(tmpdir(), 'windflow-ai-'));
    env = { OPENAI_BASE_URL: endpoint.baseUrl, OPENAI_API_KEY: 'cli-key', WINDFLOW_AI_MODEL: 'env-model' };
  });
  afterEach(async () => {
    await endpoint.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('writes a validated stack to --output, using the endpoint and model from the environment and --model', async () => {
    endpoint.script({ content: `\`\`\`yaml\n${VALID_COMPOSE_STACK}\`\`\`` });
    const result = await runInProcess(
      [
        'ai',
        'generate',
        'a whoami service',
        '--target-type',
        'docker_compose',
        '--model',
        'flag-model',
        '--output',
        'whoami.yaml',
      ],
      { env, cwd: folder },
    );
    assert.deepEqual(result, { code: 0, stdout: '', stderr: 'wrote whoami.yaml\n' });
    const written = await readFile(path.join(folder, 'whoami.yaml'), 'utf8');
    assert.equal(written, VALID_COMPOSE_STACK);
    assert.deepEqual(
      checkStack(parseStack(written)).filter((d) => d.severity === 'error'),
      [],
    );
    assert.equal(endpoint.chatBodies[0].model, 'flag-model');
    assert.equal(endpoint.requests[0].headers.authorization, 'Bearer cli-key');
  });

  it('prints the stack without --output, and never replaces an existing file', async () => {
    endpoint.script({ content: VALID_COMPOSE_STACK }, { content: VALID_COMPOSE_STACK });
    const printed = await runInProcess(['ai', 'generate', 'whoami', '--target-type', 'docker_compose'], {
      env,
      cwd: folder,
    });
    assert.deepEqual(printed, { code: 0, stdout: VALID_COMPOSE_STACK, stderr: '' });
    assert.equal(endpoint.chatBodies[0].model, 'env-model');
    await writeFile(path.join(folder, 'mine.yaml'), 'keep me');
    const refused = await runInProcess(
      ['ai', 'generate', 'whoami', '--target-type', 'docker_compose', '--output', 'mine.yaml'],
      { env, cwd: folder },
    );
    assert.deepEqual(refused, {
      code: 2,
      stdout: '',
      stderr: 'windflow-stack ai: mine.yaml already exists; choose another --output\n',
    });
    assert.equal(await readFile(path.join(folder, 'mine.yaml'), 'utf8'), 'keep me');
  });

  it('explains a rejected key in one line and exits 1', async () => {
    endpoint.script({ status: 401, message: 'Incorrect API key provided' });
    const result = await runInProcess(['ai', 'generate', 'whoami', '--target-type', 'docker'], { env, cwd: folder });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `windflow-stack ai: the AI endpoint at ${endpoint.baseUrl} rejected the API key (401 Unauthorized): Incorrect API key provided; set the key again with 'Configure AI Endpoint…'\n`,
    );
  });

  it('rejects missing or wrong arguments with the usage, before any request', async () => {
    const noModel = await runInProcess(['ai', 'generate', 'x', '--target-type', 'docker'], {
      env: { OPENAI_BASE_URL: endpoint.baseUrl },
      cwd: folder,
    });
    assert.equal(noModel.code, 2);
    assert.match(
      noModel.stderr,
      /^windflow-stack ai: no model: pass --model or set WINDFLOW_AI_MODEL\nUsage: windflow-stack ai generate/,
    );
    const badType = await runInProcess(['ai', 'generate', 'x', '--target-type', 'docker-compose'], {
      env,
      cwd: folder,
    });
    assert.match(
      badType.stderr,
      /--target-type must be one of docker, docker_compose, docker_swarm, kubernetes, vm, physical, not 'docker-compose'/,
    );
    assert.equal(
      (await runInProcess(['ai', 'explain'], { env, cwd: folder })).stderr.split('\n')[0],
      "windflow-stack ai: unknown action 'explain'",
    );
    assert.equal(endpoint.requests.length, 0);
  });
});
