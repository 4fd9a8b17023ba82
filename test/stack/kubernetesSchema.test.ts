import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { StackDiagnostic } from '../../server/src/stack';
import { diagnose, spanOf, stack } from './util';

const FIXTURES = path.join(__dirname, '../fixtures/kubernetes');

/** Findings of the schema checks (WF100–WF108) and of the Kubernetes family. */
function schemaFindings(text: string): StackDiagnostic[] {
  return diagnose(text).filter((d) => /^WF1[0-3]\d$/.test(d.code) || d.code.startsWith('WF05'));
}

function kubernetes(template: string, variables = '  {}'): string {
  return stack({ targetType: 'kubernetes', template, variables });
}

const DEPLOYMENT = [
  '  apiVersion: apps/v1',
  '  kind: Deployment',
  '  metadata:',
  '    name: web',
  '  spec:',
  '    replicas: 2',
  '    selector:',
  '      matchLabels:',
  '        app: web',
  '    template:',
  '      metadata:',
  '        labels:',
  '          app: web',
  '      spec:',
  '        containers:',
  '          - name: web',
  '            image: nginx:1.27',
  '            imagePullPolicy: IfNotPresent',
].join('\n');

describe('kubernetes templates against the schemas of their kinds', () => {
  for (const file of readdirSync(FIXTURES).filter((name) => name.endsWith('.yaml'))) {
    it(`${file}: a real, valid stack has no error or warning`, () => {
      const text = readFileSync(path.join(FIXTURES, file), 'utf8');
      const problems = diagnose(text)
        .filter((d) => d.severity === 'error' || d.severity === 'warning')
        .map((d) => `${d.code} ${d.message} at ${JSON.stringify(text.slice(d.span.start, d.span.end))}`);
      assert.deepEqual(problems, []);
    });
  }

  it('a misspelled key, with did-you-mean, on the key', () => {
    const text = kubernetes(DEPLOYMENT.replace('imagePullPolicy:', 'imagePullPolcy:'));
    const [d] = schemaFindings(text);
    assert.deepEqual([d?.code, d?.severity, d?.span], ['WF100', 'error', spanOf(text, 'imagePullPolcy')]);
    assert.match(d!.message, /did you mean 'imagePullPolicy'\?/);
  });

  it('a key at the wrong level says where it belongs', () => {
    const text = kubernetes(DEPLOYMENT.replace('    replicas: 2', '    replicas: 2\n    image: nginx:1.27'));
    const [d] = schemaFindings(text);
    assert.deepEqual([d?.code, d?.span], ['WF101', spanOf(text, 'image', { after: 'replicas: 2' })]);
    assert.match(
      d!.message,
      /'image' is not allowed here in spec: it belongs to a container \(`spec\.template\.spec\.containers\[\]\.image`\)/,
    );
  });

  it('a wrong type, on the value', () => {
    const text = kubernetes(DEPLOYMENT.replace('replicas: 2', 'replicas: two'));
    const [d] = schemaFindings(text);
    assert.deepEqual([d?.code, d?.severity, d?.span], ['WF102', 'error', spanOf(text, 'two')]);
  });

  it('a value outside the allowed ones lists them', () => {
    const text = kubernetes(DEPLOYMENT.replace('imagePullPolicy: IfNotPresent', 'imagePullPolicy: Sometimes'));
    const [d] = schemaFindings(text);
    assert.deepEqual([d?.code, d?.span], ['WF103', spanOf(text, 'Sometimes')]);
    assert.match(d!.message, /Always/);
    assert.match(d!.message, /IfNotPresent/);
    const service = kubernetes(
      '  apiVersion: v1\n  kind: Service\n  metadata:\n    name: web\n  spec:\n    type: LoadBalancr\n    ports:\n      - port: 80',
    );
    const [s] = schemaFindings(service);
    assert.deepEqual([s?.code, s?.span], ['WF103', spanOf(service, 'LoadBalancr')]);
    assert.match(s!.message, /LoadBalancer/);
  });

  it('a quantity with a unit Kubernetes does not know, on the value', () => {
    const text = kubernetes(
      DEPLOYMENT.replace(
        '            imagePullPolicy: IfNotPresent',
        '            imagePullPolicy: IfNotPresent\n            resources:\n              limits:\n                cpu: 500m\n                memory: 512MB',
      ),
    );
    const [d] = schemaFindings(text);
    assert.deepEqual([d?.code, d?.span], ['WF103', spanOf(text, '512MB')]);
    assert.match(d!.message, /'512MB' is not a valid memory: a quantity/);
  });

  it('a container without name misses a required field', () => {
    const text = kubernetes(DEPLOYMENT.replace('          - name: web\n            image:', '          - image:'));
    const [d] = schemaFindings(text);
    assert.equal(d?.code, 'WF104');
    assert.deepEqual(d?.span, spanOf(text, 'image', { after: '- ' }));
    assert.match(d!.message, /`name`/);
  });

  it('every item of a kind: List is checked against its own kind', () => {
    const item = DEPLOYMENT.replace(/^ {2}/gm, '      ').replace(/^ {6}apiVersion/, '    - apiVersion');
    const text = kubernetes(
      `  apiVersion: v1\n  kind: List\n  items:\n${item.replace('imagePullPolicy:', 'imagePullPolcy:')}\n    - apiVersion: v1\n      kind: Service\n      metadata:\n        name: web\n      spec:\n        type: LoadBalancr`,
    );
    assert.deepEqual(
      schemaFindings(text).map((d) => [d.code, d.span]),
      [
        ['WF100', spanOf(text, 'imagePullPolcy')],
        ['WF103', spanOf(text, 'LoadBalancr')],
      ],
    );
  });

  it('Jinja values are judged by what they render to', () => {
    const variables = [
      '  replicas:',
      '    type: integer',
      '    label: Replicas',
      '    default: 2',
      '  name:',
      '    type: string',
      '    label: Name',
      '    default: web',
    ].join('\n');
    const good = kubernetes(DEPLOYMENT.replace('replicas: 2', 'replicas: "{{ replicas }}"'), variables);
    assert.deepEqual(
      schemaFindings(good).map((d) => d.code),
      [],
    );
    const bad = kubernetes(
      DEPLOYMENT.replace('replicas: 2', 'replicas: "{{ name }}"').replace(
        'image: nginx:1.27',
        'image: "nginx:{{ replicas }}"',
      ),
      variables,
    );
    const [d] = schemaFindings(bad);
    assert.deepEqual([d?.code, d?.severity], ['WF106', 'warning']);
    assert.match(d!.message, /name/);
    const logic = kubernetes(
      DEPLOYMENT.replace('replicas: 2', 'replicas: "{% if name %}2{% else %}1{% endif %}"'),
      variables,
    );
    assert.deepEqual(schemaFindings(logic), []);
  });

  it('custom resources and removed apiVersions are not checked against a schema', () => {
    const custom = kubernetes(
      '  apiVersion: cert-manager.io/v1\n  kind: Certificate\n  metadata:\n    name: web\n  spec:\n    anything: [1, 2]',
    );
    assert.deepEqual(schemaFindings(custom), []);
    const removed = kubernetes(
      '  apiVersion: extensions/v1beta1\n  kind: Deployment\n  metadata:\n    name: web\n  spec:\n    template: {}',
    );
    assert.deepEqual(
      schemaFindings(removed).map((d) => d.code),
      ['WF120'],
    );
  });
});
