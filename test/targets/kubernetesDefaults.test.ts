/**
 * The list-map key defaults filled in before server-side apply (Kubernetes < 1.21 answers 500 without them).
 */
import * as assert from 'node:assert/strict';
import { withApiDefaults } from '../../client/src/targets/kubernetes/defaults';
import { KubernetesManifest } from '../../client/src/targets/kubernetes/objects';

function podSpec(ports: unknown[]) {
  return {
    containers: [{ name: 'web', image: 'local/busybox:1', ports }],
    initContainers: [{ name: 'init', image: 'local/busybox:1', ports: [{ containerPort: 9 }] }],
  };
}

describe('Kubernetes API defaults before apply', () => {
  it('sets protocol TCP on Service ports that omit it and keeps the ones that say UDP', () => {
    const service: KubernetesManifest = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] },
    };
    const filled = withApiDefaults(service);
    assert.deepEqual((filled.spec as { ports: unknown[] }).ports, [
      { port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ]);
    assert.deepEqual((service.spec as { ports: unknown[] }).ports[0], { port: 80 }, 'the input is left alone');
  });

  for (const [kind, wrap] of [
    ['Pod', (spec: unknown) => ({ spec })],
    ['Deployment', (spec: unknown) => ({ spec: { template: { spec } } })],
    ['StatefulSet', (spec: unknown) => ({ spec: { template: { spec } } })],
    ['DaemonSet', (spec: unknown) => ({ spec: { template: { spec } } })],
    ['Job', (spec: unknown) => ({ spec: { template: { spec } } })],
    ['CronJob', (spec: unknown) => ({ spec: { jobTemplate: { spec: { template: { spec } } } } })],
    ['PodTemplate', (spec: unknown) => ({ template: { spec } })],
  ] as const) {
    it(`sets protocol TCP on container and init container ports of a ${kind}`, () => {
      const manifest = { apiVersion: 'v1', kind, metadata: { name: 'x' }, ...wrap(podSpec([{ containerPort: 80 }])) };
      const text = JSON.stringify(withApiDefaults(manifest));
      assert.match(text, /"ports":\[\{"containerPort":80,"protocol":"TCP"\}\]/);
      assert.match(text, /"ports":\[\{"containerPort":9,"protocol":"TCP"\}\]/);
    });
  }

  it('sets protocol TCP on Endpoints and EndpointSlice ports', () => {
    const endpoints = withApiDefaults({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'db' },
      subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 5432 }] }],
    });
    assert.deepEqual((endpoints.subsets as { ports: unknown[] }[])[0].ports, [{ port: 5432, protocol: 'TCP' }]);
    const slice = withApiDefaults({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'db-1' },
      addressType: 'IPv4',
      ports: [{ port: 5432 }],
    });
    assert.deepEqual(slice.ports, [{ port: 5432, protocol: 'TCP' }]);
  });

  it('leaves required keys without an API default alone, and shapes it does not know', () => {
    const deployment: KubernetesManifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        template: {
          spec: {
            containers: 'not a list',
            hostAliases: [{ hostnames: ['a'] }],
            topologySpreadConstraints: [{ maxSkew: 1 }],
          },
        },
      },
    };
    assert.deepEqual(withApiDefaults(deployment), deployment);
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { ports: '80' } };
    assert.deepEqual(withApiDefaults(configMap), configMap);
  });
});
