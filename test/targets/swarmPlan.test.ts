/**
 * The Swarm plan, without an engine: Compose keys turned into service specs as `docker stack deploy` turns them,
 * strings converted to numbers as Compose converts them, and bad input refused with what and where.
 */
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { DeployError, RenderedStack } from '../../client/src/targets/target';
import { swarmState } from '../../client/src/targets/docker/swarmDeployment';
import { planSwarm, toBoolean, toBytes, toInteger } from '../../client/src/targets/docker/swarmSpec';

function rendered(template: unknown, deploymentName = 'shop'): RenderedStack {
  return { stackName: 'shop-stack', targetType: 'docker_swarm', deploymentName, template, secrets: [] };
}

function plan(template: unknown) {
  return planSwarm(rendered(template), { workingDir: '/srv/stacks' });
}

function task(spec: Docker.ServiceSpec): Docker.ContainerTaskSpec {
  return spec.TaskTemplate as Docker.ContainerTaskSpec;
}

describe('Swarm plan', () => {
  it('converts the deploy keys, with numbers and booleans given as strings after interpolation', () => {
    const result = plan({
      services: {
        web: {
          image: 'local/web:1',
          command: 'httpd -f -p "80"',
          entrypoint: ['/bin/sh', '-c'],
          environment: { B: 'two', A: 1, SKIPPED: null },
          ports: ['8080:80', { target: '443', published: '8443', mode: 'host', protocol: 'tcp' }],
          extra_hosts: ['db.local:10.0.0.9'],
          deploy: {
            replicas: '3',
            labels: { tier: 'front' },
            endpoint_mode: 'dnsrr',
            placement: { constraints: ['node.role==manager'], max_replicas_per_node: '2' },
            resources: { limits: { cpus: '0.5', memory: '64M', pids: '100' }, reservations: { memory: '1g' } },
            restart_policy: { condition: 'on-failure', delay: '5s', max_attempts: '4', window: '1m' },
            update_config: { parallelism: '2', delay: '10s', failure_action: 'rollback', order: 'start-first' },
            rollback_config: { parallelism: 1, monitor: '3s' },
          },
          healthcheck: { test: 'true', interval: '2s', retries: '5' },
          read_only: 'true',
        },
      },
    });
    const [web] = result.services;
    assert.equal(web.name, 'shop_web');
    assert.deepEqual(web.spec.Mode, { Replicated: { Replicas: 3 } });
    assert.deepEqual(web.spec.Labels, {
      tier: 'front',
      'com.docker.stack.namespace': 'shop',
      'windflow.managed': 'true',
      'windflow.stack': 'shop-stack',
      'windflow.deployment': 'shop',
      'windflow.target-type': 'docker_swarm',
      'com.docker.stack.image': 'local/web:1',
    });
    const container = task(web.spec).ContainerSpec as Docker.ContainerSpec;
    assert.deepEqual(container.Command, ['/bin/sh', '-c']);
    assert.deepEqual(container.Args, ['httpd', '-f', '-p', '80']);
    assert.deepEqual(container.Env, ['A=1', 'B=two']);
    assert.deepEqual(container.Hosts, ['10.0.0.9 db.local']);
    assert.equal(container.ReadOnly, true);
    assert.deepEqual(container.HealthCheck, { Test: ['CMD-SHELL', 'true'], Interval: 2e9, Retries: 5 });
    assert.equal(container.Labels?.['com.docker.stack.namespace'], 'shop');
    assert.deepEqual(web.spec.EndpointSpec, {
      Mode: 'dnsrr',
      Ports: [
        { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
        { Protocol: 'tcp', TargetPort: 443, PublishedPort: 8443, PublishMode: 'host' },
      ],
    });
    assert.deepEqual(task(web.spec).Resources, {
      Limits: { NanoCPUs: 5e8, MemoryBytes: 64 * 1024 ** 2, Pids: 100 },
      Reservations: { MemoryBytes: 1024 ** 3 },
    });
    assert.deepEqual(task(web.spec).Placement, { Constraints: ['node.role==manager'], MaxReplicas: 2 });
    assert.deepEqual(task(web.spec).RestartPolicy, {
      Condition: 'on-failure',
      Delay: 5e9,
      Window: 60e9,
      MaxAttempts: 4,
    });
    assert.deepEqual(web.spec.UpdateConfig, {
      Parallelism: 2,
      Order: 'start-first',
      Delay: 10e9,
      FailureAction: 'rollback',
    });
    assert.deepEqual(web.spec.RollbackConfig, { Parallelism: 1, Order: 'stop-first', Monitor: 3e9 });
    assert.deepEqual(task(web.spec).Networks, [{ Target: 'shop_default', Aliases: ['web'] }]);
    assert.deepEqual(
      result.networks.map((n) => [n.name, n.create.Driver, n.create.Scope]),
      [['shop_default', 'overlay', 'swarm']],
    );
    assert.equal(web.hasHealthcheck, true);
  });

  it('names networks, volumes, configs and secrets <stack>_<key>, keeps `name:` and external names', () => {
    const result = plan({
      services: {
        api: {
          image: 'local/api:1',
          networks: { back: { aliases: ['backend'] }, outside: null },
          volumes: ['data:/data:ro', { type: 'tmpfs', target: '/tmp' }, './conf:/conf'],
          configs: ['app', { source: 'named', target: '/etc/named.conf', mode: '0440' }],
          secrets: [{ source: 'password', target: 'pw', uid: '1000' }],
          restart: 'on-failure:3',
          container_name: 'api',
          depends_on: ['db'],
        },
      },
      networks: { back: { attachable: 'true', internal: true }, outside: { external: true }, unused: {} },
      volumes: { data: { driver: 'local' } },
      configs: { app: { content: 'a=1' }, named: { name: 'shared-conf', content: 'b=2' }, spare: { content: '' } },
      secrets: { password: { content: 'hunter2' } },
    });
    assert.deepEqual(
      result.networks.map((n) => [n.name, n.external, n.create.Attachable, n.create.Internal]),
      [
        ['shop_back', false, true, true],
        ['outside', true, undefined, undefined],
      ],
    );
    const [api] = result.services;
    assert.deepEqual(task(api.spec).Networks, [
      { Target: 'shop_back', Aliases: ['api', 'backend'] },
      { Target: 'outside', Aliases: ['api'] },
    ]);
    assert.deepEqual(task(api.spec).ContainerSpec?.Mounts, [
      {
        Type: 'volume',
        Source: 'shop_data',
        Target: '/data',
        ReadOnly: true,
        VolumeOptions: {
          Labels: {
            'com.docker.stack.namespace': 'shop',
            'windflow.managed': 'true',
            'windflow.stack': 'shop-stack',
            'windflow.deployment': 'shop',
            'windflow.target-type': 'docker_swarm',
          },
          DriverConfig: { Name: 'local', Options: {} },
        },
      },
      { Type: 'tmpfs', Target: '/tmp', ReadOnly: false },
      { Type: 'bind', Source: '/srv/stacks/conf', Target: '/conf', ReadOnly: false },
    ]);
    assert.deepEqual(
      result.configs.map((c) => [c.key, c.baseName, c.data?.toString()]),
      [
        ['app', 'shop_app', 'a=1'],
        ['named', 'shared-conf', 'b=2'],
      ],
      'only configs some service uses',
    );
    assert.deepEqual(api.configs, [
      { key: 'app', target: '/app', uid: '0', gid: '0', mode: 0o444 },
      { key: 'named', target: '/etc/named.conf', uid: '0', gid: '0', mode: 0o440 },
    ]);
    assert.deepEqual(api.secrets, [{ key: 'password', target: 'pw', uid: '1000', gid: '0', mode: 0o444 }]);
    assert.equal(result.secrets[0].labels['windflow.object-key'], 'password');
    assert.deepEqual(task(api.spec).RestartPolicy, { Condition: 'on-failure', MaxAttempts: 3 });
    assert.deepEqual(api.ignoredKeys, ['container_name', 'depends_on']);
  });

  it('refuses what Swarm cannot deploy, saying what and where, before anything is created', () => {
    const refused = (template: unknown, message: RegExp, deploymentName?: string) =>
      assert.throws(
        () => planSwarm(rendered(template, deploymentName), { workingDir: '/' }),
        (error: unknown) => error instanceof DeployError && error.step === 'prepare' && message.test(error.message),
      );
    refused({ services: { web: { build: '.' } } }, /^service web: a Swarm stack cannot build images/);
    refused(
      { services: { web: { image: 'x', deploy: { replicas: 'two' } } } },
      /deploy.replicas must be a whole number, not string "two"/,
    );
    refused(
      { services: { web: { image: 'x', deploy: { mode: 'global', replicas: 2 } } } },
      /cannot be set for a global service/,
    );
    refused({ services: { web: { image: 'x', networks: ['nope'] } } }, /joins network 'nope', which is not declared/);
    refused(
      { services: { web: { image: 'x', secrets: ['pw'] } } },
      /secret 'pw' is not declared under top-level secrets/,
    );
    refused(
      { services: { web: { image: 'x', secrets: ['pw'] } }, secrets: { pw: {} } },
      /secrets.pw needs content:, file: or external: true/,
    );
    refused({ services: { web: { image: 'x', ports: ['127.0.0.1:80:80'] } } }, /cannot publish on one host address/);
    refused(
      { services: { web: { image: 'x', deploy: { resources: { limits: { memory: 'lots' } } } } } },
      /memory must be a size like 64M/,
    );
    refused({ services: { web: { image: 'x' } } }, /not a valid stack name/, 'Shop');
    refused({ services: {} }, /has no services/);
  });

  it('converts strings like Compose: integers, booleans, byte sizes', () => {
    assert.equal(toInteger('x', ' 12 '), 12);
    assert.equal(toBoolean('x', 'yes'), true);
    assert.equal(toBoolean('x', 'False'), false);
    assert.equal(toBytes('x', '512k'), 512 * 1024);
    assert.equal(toBytes('x', '1.5g'), 1.5 * 1024 ** 3);
    assert.equal(toBytes('x', '100mb'), 100 * 1024 ** 2);
    assert.equal(toBytes('x', 4096), 4096);
    assert.throws(() => toInteger('deploy.replicas', '1.5'), /deploy.replicas must be a whole number/);
    assert.throws(() => toBoolean('attachable', 'maybe'), /attachable must be true or false/);
  });

  it('names the state of a deployment from its services: stopping until the stopped tasks have ended', () => {
    const service = (running: number, desired: number, stopped = false, updating = false) => ({
      running,
      desired,
      stopped,
      updating,
    });
    assert.equal(swarmState([service(2, 2), service(1, 1)], false), 'running');
    assert.equal(swarmState([service(2, 2), service(0, 1)], false), 'partial');
    assert.equal(swarmState([service(0, 2), service(0, 1)], true), 'failed');
    assert.equal(swarmState([service(1, 2, false, true)], false), 'deploying');
    assert.equal(swarmState([service(2, 0, true), service(0, 0, true)], false), 'stopping');
    assert.equal(swarmState([service(0, 0, true), service(0, 0, true)], false), 'stopped');
  });
});
