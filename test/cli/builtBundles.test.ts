import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LoopbackKubernetesApiServer } from '../fixtures/kubeApiServer';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const run = promisify(execFile);

/**
 * The built CLI loads @kubernetes/client-node from its own bundle (dist/kubernetes-client.js) only when a
 * Kubernetes target is used: this drives that path end to end against the loopback API server.
 */
describe('built CLI with a Kubernetes target', function () {
  this.timeout(60_000);
  let server: LoopbackKubernetesApiServer;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    if (!existsSync(CLI) || !existsSync(path.join(ROOT, 'dist', 'kubernetes-client.js'))) {
      await run(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT });
    }
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
