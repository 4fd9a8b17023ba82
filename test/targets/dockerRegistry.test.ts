/** Where targets come from: the targets file, settings, and discovery of the local engine and kubeconfig contexts. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerTarget } from '../../client/src/targets/docker/dockerTarget';
import { createTarget, discoverLocalDocker, findTarget, loadTargets } from '../../client/src/targets/registry';
import { parseTargetsFile, parseTargetSettings } from '../../client/src/targets/targetsFile';

describe('Target registry', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'windflow-registry-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  describe('targets file', () => {
    it('reads the list form, resolving relative and ~ paths', () => {
      const text = [
        '- name: prod',
        '  host: tcp://10.0.0.5:2376',
        '  tls: { ca: certs/ca.pem, cert: ~/certs/cert.pem, key: /abs/key.pem, verify: false }',
        '- name: build',
        '  host: ssh://deploy@build.example',
        '  sshKeyPath: ~/.ssh/id_ed25519',
        '- name: manager',
        '  host: unix:///var/run/docker.sock',
        '  swarm: true',
        '- name: cluster',
        '  context: prod-cluster',
        '  namespace: apps',
      ].join('\n');
      assert.deepEqual(parseTargetsFile(text, '/etc/windflow/targets.yaml', '/home/ana'), [
        {
          name: 'prod',
          kind: 'docker',
          host: 'tcp://10.0.0.5:2376',
          tls: {
            ca: '/etc/windflow/certs/ca.pem',
            cert: '/home/ana/certs/cert.pem',
            key: '/abs/key.pem',
            verify: false,
          },
        },
        { name: 'build', kind: 'docker', host: 'ssh://deploy@build.example', sshKeyPath: '/home/ana/.ssh/id_ed25519' },
        { name: 'manager', kind: 'docker', host: 'unix:///var/run/docker.sock', swarm: true },
        { name: 'cluster', kind: 'kubernetes', context: 'prod-cluster', namespace: 'apps' },
      ]);
    });

    it('reads the mapping form, also under a targets: key', () => {
      const expected = [{ name: 'edge', kind: 'docker', host: 'unix:///run/docker.sock' }];
      assert.deepEqual(parseTargetsFile('edge:\n  host: unix:///run/docker.sock\n', '/t.yaml', '/h'), expected);
      assert.deepEqual(
        parseTargetsFile('targets:\n  edge:\n    host: unix:///run/docker.sock\n', '/t.yaml', '/h'),
        expected,
      );
      assert.deepEqual(parseTargetsFile('', '/t.yaml', '/h'), []);
    });

    it('reports problems as file:line:col', () => {
      const cases: [string, string][] = [
        ['- name: a\n  hots: tcp://x\n', "/t.yaml:1:3: target 'a' needs 'host' (Docker) or 'context' (Kubernetes)"],
        [
          '- name: a\n  host: tcp://x\n  hots: y\n',
          "/t.yaml:3:3: unknown key 'hots' for Docker target 'a'; did you mean 'host'? (allowed: name, kind, host, tls, sshKeyPath, swarm)",
        ],
        ['- name: a\n  host: tcp://x\n  tls: { verify: maybe }\n', "/t.yaml:3:18: 'verify' must be true or false"],
        ['- name: a\n  host: tcp://x\n  swarm: sure\n', "/t.yaml:3:10: 'swarm' must be true or false"],
        ['- name: a\n  host: x\n- name: a\n  host: y\n', "/t.yaml:3:3: target 'a' is defined twice"],
        ['- host: x\n', "/t.yaml:1:3: missing 'name'"],
        ['a:\n  name: b\n  host: x\n', "/t.yaml:2:9: name 'b' differs from its key 'a'"],
        [
          '- name: [x\n',
          '/t.yaml:2:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
        ],
        ['just text\n', '/t.yaml:1:1: targets must be a list of targets or a mapping from name to target'],
      ];
      for (const [text, message] of cases)
        assert.throws(() => parseTargetsFile(text, '/t.yaml', '/h'), { message }, text);
    });

    it('checks settings the same way, without positions', () => {
      assert.deepEqual(parseTargetSettings([{ name: 'lab', host: 'tcp://lab:2375' }], '/h'), [
        { name: 'lab', kind: 'docker', host: 'tcp://lab:2375' },
      ]);
      assert.throws(() => parseTargetSettings([{ name: 'lab', host: 'tcp://lab', port: 1 }], '/h'), {
        message:
          "windflow.targets: unknown key 'port' for Docker target 'lab' (allowed: name, kind, host, tls, sshKeyPath, swarm)",
      });
    });
  });

  describe('local Docker discovery', () => {
    it('prefers DOCKER_HOST, with DOCKER_CERT_PATH for TLS', () => {
      assert.deepEqual(
        discoverLocalDocker({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/c' }, home),
        {
          name: 'local',
          kind: 'docker',
          host: 'tcp://h:2376',
          tls: { ca: '/c/ca.pem', cert: '/c/cert.pem', key: '/c/key.pem', verify: true },
        },
      );
    });

    it('follows the current Docker context, else the default socket', () => {
      assert.deepEqual(discoverLocalDocker({}, home), {
        name: 'local',
        kind: 'docker',
        host: 'unix:///var/run/docker.sock',
      });
      const id = createHash('sha256').update('remote').digest('hex');
      mkdirSync(path.join(home, '.docker', 'contexts', 'meta', id), { recursive: true });
      writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'remote' }));
      writeFileSync(
        path.join(home, '.docker', 'contexts', 'meta', id, 'meta.json'),
        JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'ssh://me@remote', SkipTLSVerify: false } } }),
      );
      assert.deepEqual(discoverLocalDocker({}, home), { name: 'local', kind: 'docker', host: 'ssh://me@remote' });
      assert.deepEqual(discoverLocalDocker({ DOCKER_CONTEXT: 'default' }, home).host, 'unix:///var/run/docker.sock');
    });
  });

  describe('loadTargets', () => {
    it('merges settings, the file and discovered targets; explicit ones win', async () => {
      const file = path.join(home, 'targets.yaml');
      writeFileSync(file, '- name: local\n  host: tcp://127.0.0.1:2375\n- name: lab\n  host: unix:///lab.sock\n');
      const kubeconfig = path.join(home, 'kubeconfig');
      writeFileSync(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443" } }]',
          'users: [{ name: u, user: { token: t } }]',
          'contexts: [{ name: dev, context: { cluster: c, user: u, namespace: team } }]',
          'current-context: dev',
        ].join('\n'),
      );
      const targets = await loadTargets({
        settingsTargets: [
          { name: 'lab', host: 'unix:///settings.sock' },
          { name: 'ci', host: 'unix:///ci.sock' },
        ],
        targetFile: file,
        env: { KUBECONFIG: kubeconfig },
        homeDir: home,
      });
      assert.deepEqual(targets, [
        { name: 'lab', kind: 'docker', host: 'unix:///lab.sock' },
        { name: 'ci', kind: 'docker', host: 'unix:///ci.sock' },
        { name: 'local', kind: 'docker', host: 'tcp://127.0.0.1:2375' },
        { name: 'dev', kind: 'kubernetes', context: 'dev', kubeconfig, namespace: 'team' },
      ]);
    });

    it('reads the default file only when it exists, and fails on a missing explicit one', async () => {
      const targets = await loadTargets({ env: {}, homeDir: home });
      assert.deepEqual(
        targets.map((t) => t.name),
        ['local'],
      );
      await assert.rejects(loadTargets({ env: {}, homeDir: home, targetFile: path.join(home, 'nope.yaml') }), {
        name: 'TargetsFileError',
        message: new RegExp(`^${path.join(home, 'nope.yaml')}: cannot read: ENOENT`),
      });
    });
  });

  it('findTarget suggests a near name; createTarget builds the kind asked for', () => {
    const configs = [{ name: 'local', kind: 'docker' as const, host: 'unix:///var/run/docker.sock' }];
    assert.throws(() => findTarget(configs, 'locl'), {
      name: 'TargetError',
      message: "no target named 'locl'; did you mean 'local'? (known targets: local)",
    });
    const target = createTarget(configs[0]);
    assert.ok(target instanceof DockerTarget);
    assert.equal(target.supports('docker_compose'), true);
    assert.equal(target.supports('docker_swarm'), true, 'whether its engine is a swarm manager is asked at deploy');
    assert.equal(createTarget({ name: 'k', kind: 'kubernetes', context: 'k' }).kind, 'kubernetes');
  });
});
