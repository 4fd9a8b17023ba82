import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { GENERATED_KUBERNETES_DIRECTORY, kubernetesSchemaFiles } from '../../../schemas/kubernetesSchemas';
import {
  apiVersionsOf,
  JsonSchema,
  kubernetesKinds,
  kubernetesReferenceUrl,
  kubernetesSchema,
} from '../../../server/src/stack/schemas/kubernetes';
import { KUBERNETES_KIND_ORDER } from '../../../server/src/stack/schemas/kubernetesKinds';

function property(schema: JsonSchema, ...names: string[]): JsonSchema {
  const defs = schema.$defs as Record<string, JsonSchema>;
  let current = schema;
  for (const name of names) {
    const ref = current.$ref as string | undefined;
    if (ref) current = defs[ref.slice('#/$defs/'.length)]!;
    if (current.items) current = current.items as JsonSchema;
    const ref2 = current.$ref as string | undefined;
    if (ref2) current = defs[ref2.slice('#/$defs/'.length)]!;
    current = (current.properties as Record<string, JsonSchema>)[name]!;
    assert.ok(current, `no ${names.join('.')}`);
  }
  return current;
}

describe('Kubernetes schemas generated from kubernetes-types', () => {
  it('are up to date with the generator and kubernetes-types (npm run build regenerates them)', function () {
    this.timeout(60_000);
    const expected = kubernetesSchemaFiles();
    assert.deepEqual(readdirSync(GENERATED_KUBERNETES_DIRECTORY).sort(), [...expected.keys()].sort());
    for (const [name, text] of expected) {
      assert.equal(
        readFileSync(path.join(GENERATED_KUBERNETES_DIRECTORY, name), 'utf8'),
        text,
        `server/src/stack/generated/kubernetes/${name} is stale: run npm run build`,
      );
    }
  });

  it('give a self-contained schema per kind: required fields, enums, IntOrString, Quantity, free-form maps', () => {
    const deployment = kubernetesSchema('apps/v1', 'Deployment')!;
    assert.ok(deployment);
    assert.equal(deployment.additionalProperties, false);
    assert.deepEqual(property(deployment, 'spec').$ref, '#/$defs/apps.v1.DeploymentSpec');
    const container = ['spec', 'template', 'spec', 'containers'];
    assert.deepEqual(property(deployment, ...container, 'imagePullPolicy').enum, ['Always', 'Never', 'IfNotPresent']);
    // Optional fields accept null (the API reads it as unset); required ones do not.
    assert.deepEqual(property(deployment, 'spec', 'replicas').type, ['integer', 'null']);
    assert.deepEqual(property(deployment, ...container, 'ports', 'containerPort').type, 'integer');
    assert.deepEqual(property(deployment, ...container, 'livenessProbe', 'httpGet', 'port').type, [
      'integer',
      'string',
    ]);
    const quantity = property(deployment, ...container, 'resources', 'limits').additionalProperties as JsonSchema;
    assert.deepEqual(quantity.type, ['string', 'number']);
    const quantityPattern = new RegExp(quantity.pattern as string);
    assert.ok(['500m', '2', '1.5', '128Mi', '1Gi', '1G', '1e3'].every((value) => quantityPattern.test(value)));
    assert.ok(!['512MB', '1 Gi', 'Gi', '1gi'].some((value) => quantityPattern.test(value)));
    assert.deepEqual(property(deployment, 'metadata', 'labels').additionalProperties, { type: 'string' });
    assert.match(String(property(deployment, ...container, 'image').description), /^Container image name/);
    // Status is written by the cluster: anything goes.
    assert.deepEqual(Object.keys(property(deployment, 'status')), ['description']);

    const defs = deployment.$defs as Record<string, JsonSchema>;
    assert.deepEqual(defs['core.v1.Container']!.required, ['name']);
    assert.deepEqual(defs['apps.v1.DeploymentSpec']!.required, ['selector', 'template']);
    assert.equal(defs['core.v1.Service'], undefined, 'only the definitions the kind refers to');

    const service = kubernetesSchema('v1', 'Service')!;
    assert.deepEqual(property(service, 'spec', 'type').enum, ['ExternalName', 'ClusterIP', 'NodePort', 'LoadBalancer']);
    assert.deepEqual(property(service, 'spec', 'ports', 'targetPort').type, ['integer', 'string', 'null']);
    assert.deepEqual(property(service, 'spec', 'ports', 'protocol').enum, ['TCP', 'UDP', 'SCTP']);
    assert.deepEqual(property(kubernetesSchema('v1', 'ConfigMap')!, 'data').additionalProperties, { type: 'string' });
    // RawExtension and JSON hold anything.
    assert.deepEqual(
      Object.keys(property(kubernetesSchema('apps/v1', 'ControllerRevision')!, 'data')).filter(
        (k) => k !== 'description',
      ),
      [],
    );
  });

  it('validate real manifests with a standard JSON Schema validator, and reject the typical mistakes', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(kubernetesSchema('apps/v1', 'Deployment')!);
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: 80 }],
                resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: 1 } },
                readinessProbe: { httpGet: { path: '/', port: 'http' } },
              },
            ],
          },
        },
      },
    };
    assert.ok(validate(deployment), JSON.stringify(validate.errors));
    const containers = deployment.spec.template.spec.containers as Record<string, unknown>[];
    containers[0]!.imagePullPolicy = 'Sometimes';
    assert.equal(validate(deployment), false);
    assert.equal(validate.errors?.[0]?.instancePath, '/spec/template/spec/containers/0/imagePullPolicy');
    delete containers[0]!.imagePullPolicy;
    (deployment.spec as Record<string, unknown>).image = 'nginx';
    assert.equal(validate(deployment), false);
    assert.equal(validate.errors?.[0]?.keyword, 'additionalProperties');
  });

  it('list every apiVersion/kind pair, and know which apiVersions serve a kind', () => {
    const pairs = kubernetesKinds().map(({ apiVersion, kind }) => `${apiVersion} ${kind}`);
    for (const pair of ['v1 Pod', 'apps/v1 Deployment', 'batch/v1 CronJob', 'networking.k8s.io/v1 Ingress']) {
      assert.ok(pairs.includes(pair), pair);
    }
    assert.ok(!pairs.includes('apps/v1 DeploymentList'), 'lists of a kind are not applied');
    assert.ok(!pairs.some((pair) => pair.endsWith(' APIGroup')), 'discovery documents are not objects');
    assert.deepEqual(apiVersionsOf('HorizontalPodAutoscaler'), ['autoscaling/v1', 'autoscaling/v2']);
    assert.equal(kubernetesSchema('example.com/v1', 'Widget'), undefined);
    assert.equal(kubernetesSchema('extensions/v1beta1', 'Deployment'), undefined);
  });

  it('every built-in kind a stack can apply has its place in the deployer order', () => {
    const requests = new Set([
      'Binding',
      'ComponentStatus',
      'Eviction',
      'LocalSubjectAccessReview',
      'Scale',
      'SelfSubjectAccessReview',
      'SelfSubjectReview',
      'SelfSubjectRulesReview',
      'SubjectAccessReview',
      'TokenRequest',
      'TokenReview',
    ]);
    const ordered = new Set(KUBERNETES_KIND_ORDER.map((entry) => entry.kind));
    const missing = kubernetesKinds().filter(({ kind }) => !requests.has(kind) && !ordered.has(kind));
    assert.deepEqual(missing, []);
  });

  it('link the API reference of the configured Kubernetes version', () => {
    assert.equal(
      kubernetesReferenceUrl('apps/v1', 'Deployment'),
      'https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.30/#deployment-v1-apps',
    );
    assert.equal(
      kubernetesReferenceUrl('networking.k8s.io/v1', 'Ingress', 'v1.28.3'),
      'https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.28/#ingress-v1-networking-k8s-io',
    );
    assert.equal(
      kubernetesReferenceUrl('v1', 'Pod', 'latest'),
      'https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.30/#pod-v1-core',
    );
  });
});
