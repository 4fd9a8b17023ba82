import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { VALID_COMPOSE_STACK } from '../ai/stacks';
import { LoopbackKubernetesApiServer } from '../fixtures/kubeApiServer';
import { OpenAiTestServer } from '../fixtures/openaiServer';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const run = promisify(execFile);

/** The files esbuild.mjs bundles apart from the CLI, loaded only on first use. */
const SEPARATE_BUNDLES = [
  'kubernetes-client.js',
  'openai.js',
  'docker-ssh.js',
  'docker-session.js',
  'docker-buildkit.js',
];

async function buildIfMissing(): Promise<void> {
  if (!existsSync(CLI) || SEPARATE_BUNDLES.some((file) => !existsSync(path.join(ROOT, 'dist', file)))) {
    await run(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT });
  }
}

/**
 * The built CLI loads @kubernetes/client-node from its own bundle (dist/kubernetes-client.js) only when a
 * Kubernetes target is used: this drives that path end to end against the loopback API server.
 */
describe('built CLI with a Kubernetes target', function () {
  this.timeout(60_000);
  let server: LoopbackKubernetesApiServer;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    await buildIfMissing();
    server = new LoopbackKubernetesApiServer({ token: 'bundle-token' });
    const url = await server.start();
    const home = mkdtempSync(path.join(os.tmpdir(), 'wf-kube-cli-'));
    const kubeconfig = path.join(home, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: loop`,
        `  cluster: {server: "${url}", insecure-skip-tls-verify: true}`,
        'users:',
        '- name: loop-user',
        '  user: {token: bundle-token}',
        'contexts:',
        '- name: loop',
        '  context: {cluster: loop, user: loop-user, namespace: shop}',
        'current-context: loop',
      ].join('\n'),
    );
    env = { PATH: process.env.PATH, HOME: home, KUBECONFIG: kubeconfig, DOCKER_HOST: 'unix:///nonexistent.sock' };
  });

  after(async () => {
    await server?.stop();
  });

  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args], { cwd: ROOT, env });

  it('lists the context, deploys a List, shows it running and removes it', async () => {
    const targets = await cli('targets');
    assert.match(targets.stdout, /^loop\s+kubernetes\s+.*answers$/m);

    const deployed = await cli(
      'deploy',
      'examples/hello-kubernetes.stack.yaml',
      '--target',
      'loop',
      '--name',
      'hello-bundle',
    );
    assert.match(deployed.stdout + deployed.stderr, /hello-bundle/);

    const status = await cli('status', 'hello-bundle', '--target', 'loop');
    assert.match(status.stdout, /running/);

    await cli('remove', 'hello-bundle', '--target', 'loop');
    const after = await cli('status', '--target', 'loop', '--json');
    assert.deepEqual(
      JSON.parse(after.stdout).filter((d: { deploymentName: string }) => d.deploymentName === 'hello-bundle'),
      [],
    );
  });
});

/**
 * The other parts bundled apart (esbuild.mjs): openai, loaded by an AI command, and docker-modem's ssh agent, loaded
 * when an ssh:// engine is used — each reached through the built CLI, whose own file holds neither.
 */
describe('built CLI: openai and ssh2 from their own bundles', function () {
  this.timeout(60_000);
  let home: string;

  before(async () => {
    await buildIfMissing();
    home = mkdtempSync(path.join(os.tmpdir(), 'wf-bundles-'));
  });

  it('keeps the rarely used packages out of the CLI file', () => {
    const cli = readFileSync(CLI, 'utf8');
    for (const marker of ['@grpc/grpc-js', 'protobufjs', 'ssh2/lib', 'openai/core']) {
      assert.ok(!cli.includes(marker), `dist/cli.js bundles ${marker}`);
    }
  });

  it('answers an AI command through dist/openai.js', async () => {
    const endpoint = await OpenAiTestServer.start();
    try {
      endpoint.script({ content: VALID_COMPOSE_STACK });
      const { stdout } = await run(
        process.execPath,
        [CLI, 'ai', 'generate', 'a whoami service', '--target-type', 'docker_compose'],
        {
          cwd: home,
          env: {
            PATH: process.env.PATH,
            HOME: home,
            OPENAI_BASE_URL: endpoint.baseUrl,
            OPENAI_API_KEY: 'k',
            WINDFLOW_AI_MODEL: 'm',
          },
        },
      );
      assert.equal(stdout, VALID_COMPOSE_STACK);
      assert.equal(endpoint.requests[0].headers.authorization, 'Bearer k');
    } finally {
      await endpoint.close();
    }
  });

  it('reaches an ssh:// engine through dist/docker-ssh.js, and says why it cannot connect', async () => {
    const targets = path.join(home, 'targets.yaml');
    writeFileSync(targets, 'closed-ssh:\n  kind: docker\n  host: ssh://nobody@127.0.0.1:1\n');
    const args = [CLI, 'status', '--target', 'closed-ssh', '--target-file', targets];
    const refused = await run(process.execPath, args, { cwd: home, env: { PATH: process.env.PATH, HOME: home } }).then(
      () => assert.fail('status on a closed port succeeded'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.notEqual(refused.code, 0);
    assert.doesNotMatch(refused.stderr, /Cannot find module/);
    assert.match(refused.stderr, /ECONNREFUSED|refused/i);
  });
});
