import assert from 'node:assert/strict';
import { Document, Node } from 'yaml';
import { readYaml } from '../../server/src/stack/model';
import { checkAgainstSchema, CompiledSchema, JsonSchema, SchemaFinding } from '../../server/src/stack/schemaEngine';
import { spanOf } from './util';

/** A small schema in the 2020-12 spelling ($defs), shaped like a Kubernetes object, to show the engine is generic. */
const SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind', 'spec'],
  properties: {
    kind: { const: 'Deployment' },
    spec: { $ref: '#/$defs/spec' },
  },
  additionalProperties: false,
  $defs: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer', minimum: 0, description: 'Desired pods.', default: 1 },
        strategy: { anyOf: [{ enum: ['Recreate', 'RollingUpdate'] }, { type: 'null' }] },
        paused: { type: 'boolean', deprecated: true },
        ratio: { type: 'number', exclusiveMaximum: 1 },
        containers: { type: 'array', minItems: 1, items: { $ref: '#/$defs/container' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
      additionalProperties: false,
    },
    container: {
      'x-windflow-title': 'a container',
      allOf: [
        {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            image: { type: 'string' },
            imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
            ports: { type: 'array', uniqueItems: true, items: { type: 'integer' } },
          },
          additionalProperties: false,
        },
      ],
    },
  },
};

const compiled = new CompiledSchema(SCHEMA, {
  name: 'Kubernetes',
  documentation: (path) => `https://docs/${path.join('/')}`,
});

function check(text: string): { findings: SchemaFinding[]; text: string } {
  const document: Document = readYaml(text);
  return { findings: checkAgainstSchema(document.contents as Node, compiled, { document }), text };
}

describe('schema engine (any JSON Schema)', () => {
  it('a valid document has no findings', () => {
    const { findings } = check(
      'kind: Deployment\nspec:\n  replicas: 2\n  strategy: null\n  containers:\n    - name: web\n      image: nginx\n      ports: [80, 443]\n  labels:\n    app: web\n',
    );
    assert.deepEqual(findings, []);
  });

  it('each fault kind, on the key or the value', () => {
    const { findings, text } = check(
      [
        'kind: Deploymnt',
        'spec:',
        '  replicas: -1',
        '  strategy: Rolling',
        '  paused: true',
        '  ratio: 1',
        '  image: nginx',
        '  containers:',
        '    - image: nginx',
        '      imagePullPolcy: Always',
        '      ports: [80, 80]',
        '  labels:',
        '    app: 3',
      ].join('\n'),
    );
    assert.deepEqual(
      findings.map((finding) => [finding.kind, text.slice(finding.span.start, finding.span.end), finding.message]),
      [
        ['not-allowed', 'Deploymnt', "kind must be 'Deployment', not 'Deploymnt'; did you mean 'Deployment'?"],
        ['out-of-range', '-1', 'replicas must be at least 0, not -1'],
        ['not-allowed', 'Rolling', "strategy must be one of Recreate, RollingUpdate, not 'Rolling'"],
        ['deprecated', 'paused', "'paused' is deprecated"],
        ['out-of-range', '1', 'ratio must be less than 1, not 1'],
        [
          'wrong-level',
          'image',
          "'image' is not allowed here in spec: it belongs to a container (`spec.containers[].image`)",
        ],
        [
          'unknown-key',
          'imagePullPolcy',
          "'imagePullPolcy' is not a Kubernetes key in spec.containers[0]; did you mean 'imagePullPolicy'?",
        ],
        ['out-of-range', '80', "ports lists '80' twice: its items must be unique"],
        ['missing-required', 'image', 'item 1 of containers is missing the required field `name`'],
        ['wrong-type', '3', 'app must be a string, not 3 (a number)'],
      ],
    );
    assert.deepEqual(findings[7].span, spanOf(text, '80', { nth: 1 }));
  });

  it('a missing required field of the root is reported on its first key', () => {
    const { findings, text } = check('kind: Deployment\n');
    assert.deepEqual(
      findings.map((finding) => [finding.kind, text.slice(finding.span.start, finding.span.end), finding.message]),
      [['missing-required', 'kind', 'this mapping is missing the required field `spec`']],
    );
  });

  it('schemaAt, keysOf and describe serve completion and hover', () => {
    const spec = compiled.schemaAt(['spec']);
    assert.deepEqual(
      compiled.keysOf(spec).map((key) => key.name),
      ['containers', 'labels', 'paused', 'ratio', 'replicas', 'strategy'],
    );
    const container = compiled.schemaAt(['spec', 'containers', 0]);
    assert.deepEqual(
      compiled.keysOf(container).map((key) => [key.name, key.required]),
      [
        ['name', true],
        ['image', false],
        ['imagePullPolicy', false],
        ['ports', false],
      ],
    );
    assert.deepEqual(compiled.describe(compiled.schemaAt(['spec', 'replicas']), ['spec', 'replicas']), {
      types: ['integer'],
      deprecated: false,
      description: 'Desired pods.',
      default: 1,
      minimum: 0,
      documentation: 'https://docs/spec/replicas',
    });
    assert.deepEqual(compiled.describe(compiled.schemaAt(['spec', 'containers', 0, 'imagePullPolicy']), []).enum, [
      'Always',
      'IfNotPresent',
      'Never',
    ]);
  });
});
