/**
 * The pure parts of the Docker target: container create bodies, Compose plans, log frame splitting, states.
 * Everything here is decided before the engine is touched.
 */
import assert from 'node:assert/strict';
import { planCompose } from '../../client/src/targets/docker/composeStrategy';
import { buildContainerSpec, SpecContext, splitShellWords } from '../../client/src/targets/docker/containerSpec';
import { dataVolumes, planContainer } from '../../client/src/targets/docker/containerStrategy';
import { endedExitCode, overallState, unitState } from '../../client/src/targets/docker/dockerTarget';
import { LogLineSplitter, sinceSeconds } from '../../client/src/targets/docker/logs';
import { DeployError, RenderedStack } from '../../client/src/targets/target';

function stack(targetType: string, template: unknown, extra: Partial<RenderedStack> = {}): RenderedStack {
  return { stackName: 'demo', targetType, deploymentName: 'demo-1', template, secrets: [], ...extra };
}

const CONTEXT: SpecContext = {
  where: 'template',
  volumeName: (source) => source,
  networkName: (key) => key,
  workingDir: '/srv/app',
  restartKey: 'restart_policy',
  defaultRestart: 'unless-stopped',
};

function frame(stream: number, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('Docker plans', () => {
  describe('container create body', () => {
    it('maps every supported key', () => {
      const spec = buildContainerSpec(
        {
          image: ' nginx:1.27 ',
          environment: { A: '1', B: true, C: null },
          ports: ['8080:80', '127.0.0.1:9443:443/tcp', 53, { target: 5353, published: 5300, protocol: 'udp' }],
          volumes: ['data:/var/data:ro', './conf:/etc/conf', '/cache', { type: 'bind', source: '/logs', target: '/l' }],
          restart_policy: 'on-failure:3',
          healthcheck: {
            test: 'curl -f localhost',
            interval: '1m30s',
            timeout: '5s',
            retries: 4,
            start_period: '500ms',
          },
          labels: ['team=web', 'flag'],
          command: `sh -c "echo 'a b'"`,
          entrypoint: ['/bin/tini', '--'],
          user: '1000:1000',
          working_dir: '/app',
          networks: { front: { aliases: ['www'] }, back: null },
          cap_add: ['NET_ADMIN'],
          extra_hosts: { db: '10.0.0.2' },
          tmpfs: '/run:size=64m',
          stop_grace_period: '30s',
          deploy: { replicas: 2 },
        },
        CONTEXT,
        { containerName: 'demo-1', labels: { 'windflow.managed': 'true' } },
      );
      assert.deepEqual(spec.create, {
        name: 'demo-1',
        Image: 'nginx:1.27',
        Env: ['A=1', 'B=true'],
        Labels: { team: 'web', flag: '', 'windflow.managed': 'true' },
        ExposedPorts: { '80/tcp': {}, '443/tcp': {}, '53/tcp': {}, '5353/udp': {} },
        Volumes: { '/cache': {} },
        HostConfig: {
          RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
          PortBindings: {
            '80/tcp': [{ HostIp: '', HostPort: '8080' }],
            '443/tcp': [{ HostIp: '127.0.0.1', HostPort: '9443' }],
            '53/tcp': [{ HostIp: '', HostPort: '' }],
            '5353/udp': [{ HostIp: '', HostPort: '5300' }],
          },
          Binds: ['data:/var/data:ro', '/srv/app/conf:/etc/conf', '/logs:/l'],
          NetworkMode: 'front',
          CapAdd: ['NET_ADMIN'],
          ExtraHosts: ['db:10.0.0.2'],
          Tmpfs: { '/run': 'size=64m' },
        },
        Cmd: ['sh', '-c', "echo 'a b'"],
        Entrypoint: ['/bin/tini', '--'],
        User: '1000:1000',
        WorkingDir: '/app',
        StopTimeout: 30,
        Healthcheck: {
          Test: ['CMD-SHELL', 'curl -f localhost'],
          Interval: 90e9,
          Timeout: 5e9,
          StartPeriod: 5e8,
          Retries: 4,
        },
        NetworkingConfig: { EndpointsConfig: { front: { Aliases: ['www'] } } },
      });
      assert.deepEqual(spec.networks, [
        { name: 'front', aliases: ['www'] },
        { name: 'back', aliases: [] },
      ]);
      assert.deepEqual(spec.namedVolumes, ['data']);
      assert.equal(spec.hasHealthcheck, true);
      // start_period + (interval + timeout) × (retries + 1) + 15 s of slack.
      assert.equal(spec.healthWaitMs, 500 + 95_000 * 5 + 15_000);
      assert.deepEqual(spec.ignoredKeys, ['deploy']);
    });

    it('says where a bad value is, before anything is created', () => {
      const cases: [Record<string, unknown>, string][] = [
        [{}, 'template: image is missing'],
        [{ build: '.' }, 'template: build is not supported: give the service an image'],
        [
          { image: 'x', ports: ['80:80:80:80'] },
          "template: ports[0]: too many ':' in '80:80:80:80' (expected [ip:]host:container[/protocol])",
        ],
        [
          { image: 'x', healthcheck: { interval: '10' } },
          "template: healthcheck.interval: duration '10' has no unit (write e.g. '10s')",
        ],
        [
          { image: 'x', restart_policy: 'sometimes' },
          "template: restart_policy 'sometimes' is not one of no, always, unless-stopped, on-failure[:N]",
        ],
        [
          { image: 'x', network_mode: 'host', networks: ['a'] },
          'template: network_mode and networks cannot be used together',
        ],
        [{ image: 'x', command: 'echo "open' }, `template: command: unterminated " quote in 'echo "open'`],
        [{ image: 'x', environment: 'A=1' }, 'template: environment must be a list, not string "A=1"'],
      ];
      for (const [service, message] of cases) {
        assert.throws(
          () => buildContainerSpec(service, CONTEXT, { containerName: 'c', labels: {} }),
          (error: unknown) => {
            assert.ok(error instanceof DeployError);
            assert.equal(error.step, 'prepare');
            assert.equal(error.message, message);
            return true;
          },
        );
      }
    });

    it('splits command strings like a shell', () => {
      assert.deepEqual(splitShellWords(`a  'b c' "d \\"e\\"" f\\ g`), ['a', 'b c', 'd "e"', 'f g']);
      assert.deepEqual(splitShellWords(`x ''`), ['x', '']);
    });
  });

  describe('docker stacks', () => {
    it('names the container after the deployment and remembers the data volumes', () => {
      const spec = planContainer(
        stack(
          'docker',
          { image: 'redis:7', container_name: 'ignored', restart: 'always' },
          {
            targetParameters: { volumes: ['redis-data', 42, ''] },
          },
        ),
      );
      assert.equal(spec.create.name, 'demo-1');
      assert.equal(spec.create.Labels?.['windflow.data-volumes'], '["redis-data"]');
      assert.deepEqual(spec.create.HostConfig?.RestartPolicy, { Name: 'unless-stopped', MaximumRetryCount: 0 });
      assert.deepEqual(spec.ignoredKeys, ['restart']);
      assert.deepEqual(dataVolumes({ volumes: 'x' }), []);
    });
  });

  describe('docker_compose stacks', () => {
    const template = {
      version: '3.9',
      services: {
        db: {
          image: 'postgres:16',
          volumes: ['pg:/var/lib/postgresql/data'],
          healthcheck: { test: ['CMD', 'pg_isready'] },
        },
        api: {
          image: 'api:1',
          depends_on: { db: { condition: 'service_healthy' } },
          networks: ['back'],
          restart: 'no',
        },
        web: { image: 'web:1', depends_on: ['api'], container_name: 'the-web' },
        sidecar: { image: 'side:1', network_mode: 'service:web' },
      },
      volumes: { pg: {}, shared: { name: 'shared-data' }, old: { external: true } },
      networks: { back: { driver: 'bridge' } },
    };

    it('plans Compose names, networks, volumes and dependencies', () => {
      const plan = planCompose(stack('docker_compose', template, { deploymentName: 'shop' }), {
        sourceFile: '/srv/shop/stack.yaml',
      });
      assert.deepEqual(
        plan.networks.map((n) => [n.name, n.labels['com.docker.compose.network']]),
        [
          ['shop_default', 'default'],
          ['shop_back', 'back'],
        ],
      );
      assert.deepEqual(
        plan.volumes.map((v) => [v.name, v.external]),
        [
          ['shop_pg', false],
          ['shared-data', false],
          ['old', true],
        ],
      );
      assert.deepEqual(
        plan.services.map((s) => [s.service, s.spec.containerName, s.spec.create.HostConfig?.NetworkMode]),
        [
          ['db', 'shop-db-1', 'shop_default'],
          ['api', 'shop-api-1', 'shop_back'],
          ['web', 'the-web', 'shop_default'],
          ['sidecar', 'shop-sidecar-1', 'container:the-web'],
        ],
      );
      assert.deepEqual(plan.services[3].dependsOn, [{ service: 'web', condition: 'service_started' }]);
      assert.deepEqual(plan.services[0].spec.create.HostConfig?.Binds, ['shop_pg:/var/lib/postgresql/data']);
      assert.deepEqual(plan.services[0].spec.create.NetworkingConfig, {
        EndpointsConfig: { shop_default: { Aliases: ['db'] } },
      });
      const labels = plan.services[1].spec.create.Labels ?? {};
      assert.equal(labels['com.docker.compose.project.working_dir'], '/srv/shop');
      assert.equal(labels['com.docker.compose.depends_on'], 'db:service_healthy:false');
      assert.equal(labels['windflow.target-type'], 'docker_compose');
    });

    it('refuses what Compose would refuse, naming the service', () => {
      const failing: [unknown, string, string?][] = [
        [{ services: {} }, 'the rendered template has no services'],
        [
          { services: { a: { image: 'x', depends_on: ['b'] } } },
          "service a: depends_on names 'b', which is not a service of this stack",
        ],
        [
          {
            services: {
              a: { image: 'x', depends_on: ['b'] },
              b: { image: 'x', depends_on: { a: { condition: 'service_started' } } },
            },
          },
          'depends_on forms a cycle: a → b → a',
        ],
        [
          { services: { a: { image: 'x' }, b: { image: 'x', depends_on: { a: { condition: 'service_healthy' } } } } },
          'service b waits for a to be healthy, but a has no healthcheck',
        ],
        [
          { services: { a: { image: 'x', volumes: ['nope:/d'] } } },
          "service a mounts volume 'nope', which is not declared under top-level volumes",
        ],
        [
          { services: { a: { image: 'x' } } },
          "deployment name 'Shop' is not a valid Compose project name (lowercase letters, digits, '-', '_'; starting with a letter or digit)",
          'Shop',
        ],
      ];
      for (const [body, message, name] of failing) {
        assert.throws(() => planCompose(stack('docker_compose', body, { deploymentName: name ?? 'shop' })), {
          name: 'DeployError',
          message,
        });
      }
    });
  });

  describe('logs', () => {
    it('splits multiplexed frames into stdout and stderr lines, across chunk boundaries', () => {
      const lines: string[] = [];
      const splitter = new LogLineSplitter(true, (stream, text) => lines.push(`${stream}:${text}`));
      const bytes = Buffer.concat([frame(1, 'one\ntw'), frame(2, 'oops\n'), frame(1, 'o\r\nlast')]);
      for (let i = 0; i < bytes.length; i += 5) splitter.push(bytes.subarray(i, i + 5));
      splitter.end();
      assert.deepEqual(lines, ['stdout:one', 'stderr:oops', 'stdout:two', 'stdout:last']);
    });

    it('reads TTY output as plain text', () => {
      const lines: string[] = [];
      const splitter = new LogLineSplitter(false, (stream, text) => lines.push(`${stream}:${text}`));
      splitter.push(Buffer.from('a\nb'));
      splitter.end();
      assert.deepEqual(lines, ['stdout:a', 'stdout:b']);
    });

    it('reads --since as seconds, a duration back from now, or a date', () => {
      const now = Date.parse('2026-01-01T12:00:00Z');
      assert.equal(sinceSeconds('1700000000', now), 1700000000);
      assert.equal(sinceSeconds('10m', now), now / 1000 - 600);
      assert.equal(sinceSeconds('2026-01-01T11:00:00Z', now), now / 1000 - 3600);
      assert.throws(() => sinceSeconds('yesterday', now), /--since 'yesterday' is neither unix seconds/);
    });
  });

  describe('states', () => {
    it('maps engine states and sums them up per deployment', () => {
      assert.equal(unitState('running', 0, 'starting'), 'starting');
      assert.equal(unitState('exited', 0, undefined), 'exited');
      assert.equal(unitState('exited', 137, undefined), 'failed');
      assert.equal(unitState('created', 0, undefined), 'pending');
      assert.equal(unitState('restarting', 1, undefined), 'restarting');
      assert.equal(unitState('running', 0, undefined, undefined, true), 'restarting');
      // A one-shot job others wait for is done when it exited with 0; any other exit is not "running".
      assert.equal(overallState([{ state: 'running' }, { state: 'exited', oneShot: true }]), 'running');
      assert.equal(overallState([{ state: 'running' }, { state: 'exited' }]), 'partial');
      assert.equal(overallState([{ state: 'running', health: 'unhealthy' }]), 'unhealthy');
      assert.equal(overallState([{ state: 'running' }, { state: 'restarting' }]), 'restarting');
      assert.equal(overallState([{ state: 'running' }, { state: 'failed' }]), 'partial');
      assert.equal(
        overallState([
          { state: 'failed', exitCode: 3 },
          { state: 'exited', oneShot: true },
        ]),
        'exited',
      );
      assert.equal(
        endedExitCode([
          { state: 'exited', oneShot: true, exitCode: 0 },
          { state: 'failed', exitCode: 3 },
        ]),
        3,
      );
      assert.equal(overallState([{ state: 'stopped' }]), 'stopped');
      assert.equal(overallState([]), 'stopped');
    });
  });
});
