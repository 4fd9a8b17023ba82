/**
 * The loopback Kubernetes API server must behave like the real API where the target relies on it; these tests pin
 * those semantics with plain HTTP requests, independent of client-node.
 */
import * as assert from 'node:assert/strict';
import { LoopbackKubernetesApiServer } from '../fixtures/kubeApiServer';

const TOKEN = 'fixture-token';

describe('LoopbackKubernetesApiServer semantics', () => {
  let server: LoopbackKubernetesApiServer;
  let url: string;

  async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { code: response.status, body: (await response.json()) as Record<string, never> };
  }

  const configMap = (name: string, namespace: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { tier: name } },
    data,
  });

  beforeEach(async () => {
    server = new LoopbackKubernetesApiServer({ token: TOKEN });
    url = await server.start();
  });
  afterEach(() => server.stop());

  it('answers 401 with a Status object without the bearer token', async () => {
    const response = await fetch(`${url}/version`);
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('serves discovery with scope and verbs', async () => {
    const apps = await call('GET', '/apis/apps/v1');
    const deployments = (apps.body.resources as { name: string; namespaced: boolean; verbs: string[] }[]).find(
      (resource) => resource.name === 'deployments',
    );
    assert.equal(deployments?.namespaced, true);
    assert.ok(deployments?.verbs.includes('patch'));
    const core = await call('GET', '/api/v1');
    const namespaces = (core.body.resources as { name: string; namespaced: boolean }[]).find(
      (resource) => resource.name === 'namespaces',
    );
    assert.equal(namespaces?.namespaced, false);
    assert.equal((await call('GET', '/apis/example.com/v1')).code, 404);
  });

  it('creates with POST once (409 AlreadyExists after), with uid and increasing resourceVersion', async () => {
    const first = await call('POST', '/api/v1/namespaces/default/configmaps', configMap('a', 'default', { k: '1' }));
    assert.equal(first.code, 201);
    const again = await call('POST', '/api/v1/namespaces/default/configmaps', configMap('a', 'default', { k: '1' }));
    assert.equal(again.code, 409);
    assert.equal(again.body.reason, 'AlreadyExists');
    assert.equal(again.body.message, 'configmaps "a" already exists');
    const second = await call('POST', '/api/v1/namespaces/default/configmaps', configMap('b', 'default', { k: '2' }));
    const metadataOf = (body: Record<string, never>) => body.metadata as { uid: string; resourceVersion: string };
    assert.ok(Number(metadataOf(second.body).resourceVersion) > Number(metadataOf(first.body).resourceVersion));
    assert.match(metadataOf(first.body).uid, /^[0-9a-f-]{36}$/);
    const missing = await call('GET', '/api/v1/namespaces/default/configmaps/zzz');
    assert.deepEqual(
      [missing.code, missing.body.reason, missing.body.message],
      [404, 'NotFound', 'configmaps "zzz" not found'],
    );
  });

  it('applies server-side: creates in existing namespaces only, 409 on another manager’s field unless forced', async () => {
    const applyPath = (manager: string, force: boolean) =>
      `/api/v1/namespaces/default/configmaps/a?fieldManager=${manager}${force ? '&force=true' : ''}`;
    const nowhere = await call(
      'PATCH',
      '/api/v1/namespaces/nowhere/configmaps/a?fieldManager=windflow',
      configMap('a', 'nowhere', {}),
      'application/apply-patch+yaml',
    );
    assert.deepEqual([nowhere.code, nowhere.body.message], [404, 'namespaces "nowhere" not found']);
    const created = await call(
      'PATCH',
      applyPath('windflow', false),
      configMap('a', 'default', { k: '1' }),
      'application/apply-patch+yaml',
    );
    assert.equal(created.code, 201);
    const conflict = await call(
      'PATCH',
      applyPath('other', false),
      configMap('a', 'default', { k: '2' }),
      'application/apply-patch+yaml',
    );
    assert.equal(conflict.code, 409);
    assert.equal(conflict.body.reason, 'Conflict');
    assert.equal(conflict.body.message, 'Apply failed with 1 conflict(s): conflict with "windflow": .data.k');
    const forced = await call(
      'PATCH',
      applyPath('other', true),
      configMap('a', 'default', { k: '2' }),
      'application/apply-patch+yaml',
    );
    assert.equal(forced.code, 200);
    assert.deepEqual(forced.body.data, { k: '2' });
    // windflow still owns the labels it applied; data.k moved to "other".
    const managers = (forced.body.metadata as { managedFields: { manager: string; fieldsV1: object }[] }).managedFields;
    assert.deepEqual(
      managers.map((entry) => [entry.manager, entry.fieldsV1]),
      [
        ['windflow', { 'f:metadata': { 'f:labels': { 'f:tier': {} } } }],
        ['other', { 'f:metadata': { 'f:labels': { 'f:tier': {} } }, 'f:data': { 'f:k': {} } }],
      ],
    );
  });

  it('lists with equality and set-based label selectors, items without kind', async () => {
    for (const name of ['a', 'b', 'c']) {
      await call('POST', '/api/v1/namespaces/default/configmaps', configMap(name, 'default', {}));
    }
    const names = async (selector: string) => {
      const list = await call('GET', `/api/v1/configmaps?labelSelector=${encodeURIComponent(selector)}`);
      assert.equal(list.body.kind, 'ConfigMapList');
      return (list.body.items as { kind?: string; metadata: { name: string } }[]).map((item) => {
        assert.equal(item.kind, undefined);
        return item.metadata.name;
      });
    };
    assert.deepEqual(await names('tier=b'), ['b']);
    assert.deepEqual(await names('tier!=b'), ['a', 'c']);
    assert.deepEqual(await names('tier in (a,c)'), ['a', 'c']);
    assert.deepEqual(await names('tier notin (a)'), ['b', 'c']);
    assert.deepEqual(await names('!tier'), []);
    assert.deepEqual(await names('tier'), ['a', 'b', 'c']);
  });

  it('forbids a verb with the real API message and deletes with cascade to owned pods', async () => {
    server.forbid('delete', 'configmaps');
    await call('POST', '/api/v1/namespaces/default/configmaps', configMap('a', 'default', {}));
    const denied = await call('DELETE', '/api/v1/namespaces/default/configmaps/a');
    assert.deepEqual(
      [denied.code, denied.body.message],
      [
        403,
        'configmaps "a" is forbidden: User "windflow-test" cannot delete resource "configmaps" in API group "" in the namespace "default"',
      ],
    );
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } } },
    };
    await call(
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/web?fieldManager=t',
      deployment,
      'application/apply-patch+yaml',
    );
    assert.equal(server.names('Pod').length, 2);
    assert.equal((await call('DELETE', '/apis/apps/v1/namespaces/default/deployments/web')).body.status, 'Success');
    assert.deepEqual(server.names('Pod'), []);
    assert.equal((await call('DELETE', '/apis/apps/v1/namespaces/default/deployments/web')).code, 404);
  });
});
