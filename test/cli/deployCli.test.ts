/**
 * `windflow-stack deploy | status | logs | remove | targets` through the real dispatcher and the real engine:
 * output, exit codes (0 ok, 1 failed, 2 usage), refusals before anything is created, and secrets kept out of output.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../client/src/cli/main';
import {
  cleanUpRun,
  docker,
  FIXTURES,
  freePort,
  requireEngine,
  resourcesOf,
  SOCKET,
  uniqueName,
} from '../targets/dockerEngineSupport';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('CLI deploy, status, logs, remove, targets on the real engine', function () {
  this.timeout(60_000);
  // A home without targets file or Docker config, so `local` is the default socket whatever the machine has.
  const home = mkdtempSync(path.join(os.tmpdir(), 'windflow-cli-home-'));
  const env = { HOME: home, PATH: process.env.PATH };

  async function cli(...argv: string[]): Promise<Run> {
    const stdout = sink();
    const stderr = sink();
    const code = await runCli(argv, {
      stdout: stdout.stream,
      stderr: stderr.stream,
      cwd: FIXTURES,
      env,
      signal: new AbortController().signal,
    });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  before(async function () {
    await requireEngine(this);
  });
  after(async () => {
    rmSync(home, { recursive: true, force: true });
    await cleanUpRun();
  });

  it('deploys a Compose stack, shows it running, prints prefixed logs and removes it', async () => {
    const name = uniqueName('cli');
    const port = await freePort();
    const deployed = await cli(
      'deploy',
      'deploy-compose.yaml',
      '--name',
      name,
      '--set',
      `web_port=${port}`,
      '--set',
      'admin_password=hunter2-secret',
    );
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stdout, new RegExp(`^deployed ${name} on local\n  created network ${name}_default\n`));
    assert.match(
      deployed.stdout,
      new RegExp(`The web server answers on http://127\\.0\\.0\\.1:${port}/ \\(admin password ••••••\\)\\.\n$`),
    );
    assert.match(
      deployed.stderr,
      new RegExp(`^deploying ${name} \\(deploy-test-compose, docker_compose\\) to local\n`),
    );
    assert.match(deployed.stderr, /\[wait for health\] waiting for .*-db-1 to become healthy/);
    assert.ok(
      !`${deployed.stdout}${deployed.stderr}`.includes('hunter2-secret'),
      'the password never reaches the output',
    );

    const status = await cli('status', name);
    assert.equal(status.code, 0);
    const lines = status.stdout.split('\n');
    assert.equal(lines[0], `${name} (deploy-test-compose, docker_compose): running`);
    assert.match(lines[1], /^NAME\s+SERVICE\s+STATE\s+HEALTH\s+RESTARTS\s+PORTS\s+AGE\s+REASON$/);
    assert.match(lines[2], new RegExp(`^${name}-db-1\\s+db\\s+running\\s+healthy\\s+0\\s+-\\s+\\d+s$`));
    assert.match(
      lines[3],
      new RegExp(`^${name}-migrate-1\\s+migrate\\s+exited\\s+-\\s+0\\s+-\\s+\\d+s\\s+exited with code 0$`),
    );
    assert.match(
      lines[4],
      new RegExp(`^${name}-web-1\\s+web\\s+running\\s+-\\s+0\\s+127\\.0\\.0\\.1:${port}->80/tcp\\s+\\d+s$`),
    );

    const json = await cli('status', name, '--json');
    const parsed = JSON.parse(json.stdout) as { state: string; units: { service: string }[] };
    assert.equal(parsed.state, 'running');
    assert.deepEqual(
      parsed.units.map((unit) => unit.service),
      ['db', 'migrate', 'web'],
    );

    const listed = await cli('status');
    assert.match(listed.stdout, new RegExp(`^${name}\\s+running\\s+deploy-test-compose\\s+docker_compose\\s+3$`, 'm'));

    const logs = await cli('logs', name);
    assert.equal(logs.code, 0);
    assert.deepEqual(logs.stdout.split('\n').filter(Boolean).sort(), [
      'db      | db ready',
      'migrate | migrated',
      'web     | web up',
    ]);
    assert.equal(logs.stderr, 'db      | db warning\n');
    const web = await cli('logs', name, '--service', 'web', '--timestamps');
    assert.match(web.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z web up\n$/);
    const unknownService = await cli('logs', name, '--service', 'nope');
    assert.equal(unknownService.code, 1);
    assert.match(unknownService.stderr, /has no service 'nope' \(services: db, migrate, web\)/);

    const removed = await cli('remove', name, '--delete-data');
    assert.equal(removed.code, 0);
    assert.equal(
      removed.stdout,
      [
        `removed ${name} from local`,
        `  removed container ${name}-db-1`,
        `  removed container ${name}-migrate-1`,
        `  removed container ${name}-web-1`,
        `  removed network ${name}_default`,
        `  removed volume ${name}_dbdata`,
        '',
      ].join('\n'),
    );
    assert.deepEqual(await resourcesOf(name), []);
    const gone = await cli('status', name);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, `target local: no deployment named '${name}' on local\n`);
  });

  it('deploys a Swarm stack: converge progress, task-prefixed logs, services in status, secrets never printed', async function () {
    const swarm = (await docker.info()) as { Swarm?: { ControlAvailable?: boolean } };
    if (!swarm.Swarm?.ControlAvailable) return this.skip();
    const name = uniqueName('cliswarm');
    const deployed = await cli(
      'deploy',
      'deploy-swarm.yaml',
      '--name',
      name,
      '--set',
      `api_port=${await freePort()}`,
      '--timeout',
      '2m',
    );
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stderr, /\[converge\] api 1\/1 running, worker 2\/2 running\n/);
    assert.match(deployed.stdout, new RegExp(`  created secret ${name}_db_password\n`));
    assert.ok(!`${deployed.stdout}${deployed.stderr}`.includes('s3cret-swarm-value'));
    const status = await cli('status', name);
    assert.match(status.stdout, new RegExp(`^${name} \\(deploy-test-swarm, docker_swarm\\): running\n`));
    assert.match(status.stdout, /^worker\.2\s+worker\s+running\s/m);
    assert.match(status.stdout, /^service\/worker: 2\/2 ready$/m);
    const logs = await cli('logs', name);
    assert.deepEqual(logs.stdout.split('\n').filter(Boolean).sort(), [
      'api.1    | api up',
      'api.1    | greeting=hello',
      'worker.1 | worker up',
      'worker.2 | worker up',
    ]);
    const removed = await cli('remove', name, '--delete-data');
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('refuses invalid values before creating anything', async () => {
    const name = uniqueName('values');
    const low = await cli('deploy', 'deploy-container.yaml', '--name', name, '--set', 'port=80');
    assert.equal(low.code, 1);
    assert.match(low.stderr, /^deploy-container\.yaml: error: value 'port': .*1024/);
    assert.match(low.stderr, /nothing was deployed\n$/);
    const typed = await cli('deploy', 'deploy-container.yaml', '--name', name, '--set', 'port=eighty');
    assert.equal(typed.code, 1);
    assert.match(typed.stderr, /value 'port'/);
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('takes values from --values, overridden by --set', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'windflow-values-'));
    try {
      const values = path.join(folder, 'values.yaml');
      writeFileSync(values, 'port: 99999\ngreeting: from-file\n');
      const name = uniqueName('valuesfile');
      const overridden = await cli(
        'deploy',
        'deploy-container.yaml',
        '--name',
        name,
        '--values',
        values,
        '--set',
        'port=70000',
      );
      assert.equal(overridden.code, 1, 'both the file and --set give an out-of-range port');
      assert.match(overridden.stderr, /value 'port'.*65535/);
      const port = await freePort();
      const good = await cli(
        'deploy',
        'deploy-container.yaml',
        '--name',
        name,
        '--values',
        values,
        '--set',
        `port=${port}`,
      );
      assert.equal(good.code, 0, good.stderr);
      assert.equal(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()), 'from-file\n');
      assert.equal((await cli('remove', name, '--delete-data')).code, 0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses a stack with error diagnostics, printing file:line:col', async () => {
    const refused = await cli('deploy', 'deploy-invalid.yaml', '--name', uniqueName('invalid'));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^deploy-invalid\.yaml:12:\d+: error WF0\d\d /m);
    assert.match(refused.stderr, /^deploy-invalid\.yaml:12:14: error WF020 undefined variable 'imaeg'/m);
    assert.match(refused.stderr, /nothing was deployed\n$/);
  });

  it('fails with the step and the cause when the image is missing (exit 1)', async () => {
    const name = uniqueName('cliimage');
    const failed = await cli(
      'deploy',
      'deploy-container.yaml',
      '--name',
      name,
      '--set',
      'image=local/absent:9',
      '--set',
      `port=${await freePort()}`,
    );
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /deploy failed at step 'pull image': image missing: local\/absent:9 is not on the engine/,
    );
    assert.deepEqual(await resourcesOf(name), []);
  });

  it('exits 2 on usage problems: no file, unknown target, broken targets file', async () => {
    assert.equal((await cli('deploy')).code, 2);
    const timeout = await cli('deploy', 'examples/postgresql.stack.yaml', '--timeout', 'soon');
    assert.equal(timeout.code, 2);
    assert.match(timeout.stderr, /--timeout must be a duration like 90s or 5m, not 'soon'/);
    const unknown = await cli('status', '--target', 'locl');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no target named 'locl'; did you mean 'local'\?/);
    const folder = mkdtempSync(path.join(os.tmpdir(), 'windflow-targets-'));
    try {
      const file = path.join(folder, 'targets.yaml');
      writeFileSync(file, '- name: lab\n  hots: unix:///x.sock\n');
      const broken = await cli('targets', '--target-file', file);
      assert.equal(broken.code, 2);
      assert.match(broken.stderr, new RegExp(`${file}:1:3: target 'lab' needs 'host'`));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('lists targets and whether each answers', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'windflow-targets-'));
    try {
      const file = path.join(folder, 'targets.yaml');
      writeFileSync(file, `gone:\n  host: unix://${folder}/none.sock\n`);
      const listed = await cli('targets', '--target-file', file);
      assert.equal(listed.code, 0);
      const rows = listed.stdout.trimEnd().split('\n');
      assert.match(rows[0], /^NAME\s+KIND\s+ENDPOINT\s+STATUS$/);
      assert.match(
        rows[1],
        new RegExp(`^gone\\s+docker\\s+${folder}/none\\.sock\\s+does not answer: the Docker socket .* does not exist`),
      );
      assert.match(rows[2], new RegExp(`^local\\s+docker\\s+${SOCKET}\\s+answers$`));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
