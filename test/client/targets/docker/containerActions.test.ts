/**
 * Container actions: the pure parts (published URLs, masked inspect, events as sentences), then a shell, events,
 * inspect and restart on a real container of the local engine.
 */
import assert from 'node:assert/strict';
import {
  deploymentContainer,
  engineHostName,
  inspectDocument,
  openShell,
  parseEvents,
  publishedHttpUrls,
  recentEvents,
} from '../../../../client/src/targets/docker/containerActions';
import { onlyExecEvents } from '../../../../client/src/targets/docker/watch';
import { docker, engineTarget, IMAGE, uniqueName } from '../../../targets/dockerEngineSupport';

describe('container actions (pure)', () => {
  it('turns published TCP ports into browser addresses, on the engine host for wildcard binds', () => {
    const ports = {
      '80/tcp': [
        { HostIp: '0.0.0.0', HostPort: '8080' },
        { HostIp: '::', HostPort: '8080' },
      ],
      '443/tcp': [{ HostIp: '127.0.0.1', HostPort: '8443' }],
      '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }],
      '9000/tcp': null,
    };
    assert.deepEqual(publishedHttpUrls(ports, 'localhost'), ['http://localhost:8080/', 'https://127.0.0.1:8443/']);
    assert.deepEqual(publishedHttpUrls(undefined, 'localhost'), []);
  });

  it('finds the engine host name from the target address', () => {
    assert.equal(engineHostName('unix:///var/run/docker.sock'), 'localhost');
    assert.equal(engineHostName('tcp://docker.example.com:2376'), 'docker.example.com');
    assert.equal(engineHostName('ssh://deploy@build.example.com'), 'build.example.com');
  });

  it('masks secret-looking environment values and known secrets in the inspect document', () => {
    const text = inspectDocument(
      {
        Config: { Env: ['POSTGRES_PASSWORD=hunter2', 'PGDATA=/data', 'GREETING=s3cr3t-value'], Cmd: ['s3cr3t-value'] },
      },
      (value) => value.replaceAll('s3cr3t-value', '••••••••'),
    );
    const parsed = JSON.parse(text) as { Config: { Env: string[]; Cmd: string[] } };
    assert.deepEqual(parsed.Config.Env, ['POSTGRES_PASSWORD=••••••••', 'PGDATA=/data', 'GREETING=••••••••']);
    assert.deepEqual(parsed.Config.Cmd, ['••••••••']);
    assert.doesNotMatch(text, /hunter2|s3cr3t/);
  });

  it('reads engine events as sentences, without exec events', () => {
    const lines = [
      { Action: 'start', timeNano: 1_700_000_000_000_000_000, Actor: { Attributes: { name: 'web' } } },
      { Action: 'exec_start: sh', time: 1_700_000_001, Actor: { Attributes: { name: 'web' } } },
      { Action: 'die', time: 1_700_000_002, Actor: { Attributes: { name: 'web', exitCode: '137' } } },
      { Action: 'health_status: unhealthy', time: 1_700_000_003, Actor: { Attributes: { name: 'web' } } },
    ]
      .map((event) => JSON.stringify(event))
      .join('\n');
    assert.deepEqual(
      parseEvents(`${lines}\nnot json\n`).map((event) => event.message),
      ['web: start', 'web: die (exit code 137)', 'web: health unhealthy'],
    );
    assert.equal(parseEvents(lines)[0]!.time.toISOString(), '2023-11-14T22:13:20.000Z');
  });

  it('tells a chunk of exec events (health checks, shells) from one that changes a view', () => {
    assert.equal(onlyExecEvents('{"Action":"exec_create: sh"}\n{"Action":"exec_die"}\n'), true);
    assert.equal(onlyExecEvents('{"Action":"exec_die"}\n{"Action":"die"}\n'), false);
    assert.equal(onlyExecEvents(''), false);
  });
});

describe('container actions on the local engine', function () {
  this.timeout(60_000);
  const target = engineTarget();
  let deploymentName: string;

  before(async () => {
    deploymentName = uniqueName('actions');
    await target.deploy({
      stackName: 'actions-test',
      targetType: 'docker',
      deploymentName,
      template: { image: IMAGE, command: ['sleep', '3600'], init: true, network_mode: 'none' },
      secrets: [],
    });
  });

  it('runs a shell in the container through exec and reads its output', async () => {
    const container = await deploymentContainer(docker, 'local', deploymentName, deploymentName);
    const shell = await openShell(container, 100, 30);
    let output = '';
    shell.stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ended = new Promise((resolve) => shell.stream.on('end', resolve));
    shell.stream.write('echo "shell-$((6 * 7))"; exit 3\n');
    await ended;
    assert.match(output, /shell-42/);
    assert.equal(await shell.exitCode(), 3);
  });

  it('refuses a container that is not part of the deployment', async () => {
    await assert.rejects(
      deploymentContainer(docker, 'local', deploymentName, 'some-other-container'),
      /is not a container of the deployment/,
    );
  });

  it('lists the deployment events, and a restart adds to them', async () => {
    const container = await deploymentContainer(docker, 'local', deploymentName, deploymentName);
    await container.restart({ t: 1 });
    // The engine answers a bounded query for whole seconds up to `until`: let the restart's second pass.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const events = await recentEvents(docker, deploymentName, 600);
    const messages = events.map((event) => event.message);
    assert.ok(messages.includes(`${deploymentName}: start`), messages.join('; '));
    assert.ok(messages.includes(`${deploymentName}: restart`), messages.join('; '));
    const status = await target.status(deploymentName);
    assert.ok((status.events ?? []).some((event) => event.message === `${deploymentName}: restart`));
  });
});
