import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GENERATED_VALIDATOR, structureValidatorSource } from '../../schemas/structureValidator';
import { parseStack } from '../../server/src/stack';
import { describeKey, keysAt, validateStructure } from '../../server/src/stack/schema';
import { diagnose, readSample, spanOf, stack, withCode } from './util';

const OWN_CODES = /^WF0(0[1-7]|1[01]|29|3[0-2]|47)$/;
const FIXTURES = path.resolve(__dirname, '../fixtures/stacks');

function only(text: string, code: string, uri?: string) {
  const found = withCode(diagnose(text, uri), code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(found)}`);
  return found[0];
}

describe('structure checks (WF001–WF011)', () => {
  it('finds nothing in the samples and in clean docker, compose and kubernetes fixtures', () => {
    for (const text of [
      readSample('upstream-postgresql.yaml'),
      readSample('upstream-baserow.yaml'),
      ...['structure-clean.stack.yaml', 'structure-compose.stack.yaml', 'structure-kubernetes.stack.yaml'].map((name) =>
        readFileSync(path.join(FIXTURES, name), 'utf8'),
      ),
    ]) {
      const own = diagnose(text).filter((d) => OWN_CODES.test(d.code));
      assert.deepEqual(own, []);
    }
  });

  it('WF001: a file that is a list, an empty file, a missing or empty template', () => {
    const list = '- a\n- b\n';
    const asList = only(list, 'WF001');
    assert.equal(asList.message, 'a stack file must be a mapping with metadata and template, not a list');
    assert.deepEqual(asList.span, { start: 0, end: list.length });

    assert.deepEqual(only('', 'WF001').span, { start: 0, end: 0 });

    const noTemplate = stack({}).replace(/template:\n {2}image: .*\n/, '');
    const missing = only(noTemplate, 'WF001');
    assert.equal(missing.message, "the stack has no 'template' section: WindFlow rejects the file");
    assert.deepEqual(missing.span, spanOf(noTemplate, 'metadata'));

    const emptyTemplate = stack({ template: '  {}' });
    const empty = only(emptyTemplate, 'WF001');
    assert.equal(empty.message, 'template is empty: it must be a mapping with at least one key');
    assert.deepEqual(empty.span, spanOf(emptyTemplate, '{}'));
  });

  it('WF002: a missing metadata field is reported on the metadata key', () => {
    const text = stack({}).replace('  license: MIT\n', '');
    const found = only(text, 'WF002');
    assert.equal(found.message, "metadata is missing the required field 'license'");
    assert.deepEqual(found.span, spanOf(text, 'metadata'));
    assert.deepEqual(found.data, { missing: 'license' });
  });

  it('WF003: target_type with a suggestion, on the value', () => {
    const text = stack({ targetType: 'docker-compose' });
    const found = only(text, 'WF003');
    assert.equal(
      found.message,
      'target_type must be one of docker, docker_compose, docker_swarm, kubernetes, vm, physical; did you mean docker_compose?',
    );
    assert.deepEqual(found.span, spanOf(text, 'docker-compose'));
    assert.deepEqual(found.data, { suggestion: 'docker_compose' });
    assert.equal(only(stack({ targetType: 'lxd' }), 'WF003').data, undefined);
  });

  it('WF004: unquoted 1.0 is an error, a non X.Y.Z string is information', () => {
    const unquoted = stack({}).replace('version: "1.0.0"', 'version: 1.0');
    const error = only(unquoted, 'WF004');
    assert.equal(error.severity, 'error');
    assert.equal(error.message, 'metadata.version must be a string: unquoted 1.0 is read as a number; write "1.0"');
    assert.deepEqual(error.span, spanOf(unquoted, '1.0', { after: 'version:' }));
    assert.deepEqual(error.data, { quoted: '"1.0"' });

    const short = stack({}).replace('version: "1.0.0"', 'version: "v1.0"');
    const info = only(short, 'WF004');
    assert.equal(info.severity, 'information');
    assert.deepEqual(info.span, spanOf(short, '"v1.0"'));
  });

  it('WF005: missing type and label on the key, a wrong type on the value, type: enum', () => {
    const text = stack({
      variables:
        '  tag:\n    default: "1"\n  other:\n    type: enum\n    label: Other\n  third:\n    type: strng\n    label: T',
    });
    const found = withCode(diagnose(text), 'WF005');
    const tagKey = spanOf(text, 'tag', { after: 'variables:' });
    assert.deepEqual(
      found.map((d) => [d.message, d.span, d.data]),
      [
        [
          "variable 'tag' has no type (one of string, number, integer, boolean, password, textarea, group)",
          tagKey,
          { missing: 'type' },
        ],
        ["variable 'tag' has no label: WindFlow requires one, also for groups", tagKey, { missing: 'label' }],
        [
          "'enum' is not a variable type: write 'type: string' and list the choices under 'enum:'",
          spanOf(text, 'enum', { after: 'other:' }),
          { suggestion: 'string' },
        ],
        [
          "the type of variable 'third' must be one of string, number, integer, boolean, password, textarea, group; did you mean string?",
          spanOf(text, 'strng'),
          { suggestion: 'string' },
        ],
      ],
    );
  });

  it('WF006: enum_labels without enum, non-string keys, keys that are not enum values', () => {
    const text = stack({
      variables: [
        '  tag:',
        '    type: string',
        '    label: Tag',
        '    default: "1"',
        '    enum_labels: {a: A}',
        '  size:',
        '    type: integer',
        '    label: Size',
        '    enum: [10, 20, yes]',
        '    enum_labels: {10: ten, "20": twenty, "True": yes-label, "30": thirty}',
      ].join('\n'),
    });
    const found = withCode(diagnose(text), 'WF006');
    assert.deepEqual(
      found.map((d) => [d.message, d.span]),
      [
        ["enum_labels of variable 'tag' needs an 'enum' list", spanOf(text, 'enum_labels')],
        ['enum_labels keys must be strings: quote it as "10"', spanOf(text, '10', { after: 'enum_labels: {10' })],
        ["enum_labels key '30' is not one of the enum values (10, 20, True); did you mean '10'?", spanOf(text, '"30"')],
      ],
    );
  });

  it('WF007: wrong scalar types on the value; lax booleans are information', () => {
    const text = stack({
      extraMetadata: '  tags: web\n  is_public: "yes"',
      variables: '  tag:\n    type: string\n    label: Tag\n    default: "1"\n    minimum: 0.5\n    depends_on: mode',
    });
    const found = withCode(diagnose(text), 'WF007');
    assert.deepEqual(
      found.map((d) => [d.severity, d.message, d.span]),
      [
        ['error', 'metadata.tags must be a list, not the string "web"', spanOf(text, 'web')],
        [
          'information',
          'metadata.is_public must be true or false, not the string "yes" (WindFlow converts it, but write the proper type)',
          spanOf(text, '"yes"'),
        ],
        ['error', "'minimum' of variable 'tag' must be a whole number, not 0.5", spanOf(text, '0.5')],
        [
          'error',
          "'depends_on' of variable 'tag' must be a mapping, not the string \"mode\"",
          spanOf(text, 'mode', { after: 'depends_on' }),
        ],
      ],
    );
  });

  it('WF010: unknown keys at top level, in metadata and in variables, with min/max advice', () => {
    const text = stack({
      extraMetadata: '  catgory: x',
      variables: '  tag:\n    type: string\n    label: Tag\n    default: "1"\n    min: 1',
    }).replace('template:', 'x-defaults: &d {}\nname: demo\ntemplate:');
    const found = withCode(diagnose(text), 'WF010');
    assert.deepEqual(
      found.map((d) => [d.severity, d.message, d.span, d.data]),
      [
        [
          'warning',
          "unknown metadata field 'catgory': WindFlow ignores it; did you mean 'category'?",
          spanOf(text, 'catgory'),
          { suggestion: 'category' },
        ],
        [
          'warning',
          "unknown top-level key 'name': WindFlow ignores it; 'name' belongs under metadata",
          spanOf(text, 'name', { after: 'x-defaults' }),
          undefined,
        ],
        [
          'warning',
          "unknown key 'min' in variable 'tag': WindFlow ignores it; write 'minimum' (the web form reads 'min', but WindFlow drops it)",
          spanOf(text, 'min', { after: 'default' }),
          { suggestion: 'minimum' },
        ],
      ],
    );
  });

  it('WF011: a .yml file is information on the first key', () => {
    const text = stack({});
    const found = only(text, 'WF011', 'file:///stacks/demo.yml');
    assert.equal(found.severity, 'information');
    assert.deepEqual(found.span, spanOf(text, 'metadata'));
    assert.equal(withCode(diagnose(text, 'file:///stacks/demo.yaml'), 'WF011').length, 0);
  });

  it('does not report shape problems inside template', () => {
    const text = stack({ template: '  image: 5\n  ports: "80:80"' });
    assert.deepEqual(
      diagnose(text).filter((d) => OWN_CODES.test(d.code)),
      [],
    );
  });
});

describe('stack schema', () => {
  it('is a valid JSON Schema 2020-12 document (the server skips this check for speed)', () => {
    const schema = JSON.parse(readFileSync(path.resolve(__dirname, '../../schemas/stack.schema.json'), 'utf8'));
    const ajv = new Ajv2020({ strict: false });
    assert.equal(ajv.validateSchema(schema), true, ajv.errorsText(ajv.errors));
    assert.equal(typeof ajv.compile(schema), 'function');
  });

  it('is validated by generated code that matches the schema (npm run build regenerates it)', () => {
    assert.equal(
      readFileSync(GENERATED_VALIDATOR, 'utf8'),
      structureValidatorSource(),
      'server/src/stack/generated/structureValidator.js is stale: run npm run build',
    );
  });

  it('validates a parsed sample without errors', () => {
    assert.deepEqual(validateStructure(parseStack(readSample('upstream-baserow.yaml')).data), []);
  });

  it('lists keys and docs per place and target type', () => {
    assert.deepEqual(
      keysAt(['metadata'])
        .filter((key) => key.required)
        .map((key) => key.name),
      ['name', 'version', 'category', 'author', 'license', 'description', 'target_type'],
    );
    assert.equal(keysAt(['template'], 'docker').find((key) => key.name === 'image')?.required, true);
    assert.ok(keysAt(['template', 'services', 'web'], 'docker_compose').some((key) => key.name === 'depends_on'));
    assert.ok(keysAt(['variables', 'g', 'variables', 'm']).some((key) => key.name === 'enum_labels'));
    assert.deepEqual(describeKey(['variables', 'x', 'type'])?.enum, [
      'string',
      'number',
      'integer',
      'boolean',
      'password',
      'textarea',
      'group',
    ]);
    assert.equal(describeKey(['template', 'items', 0, 'metadata', 'name'], 'kubernetes')?.type, 'string');
    assert.deepEqual(keysAt(['template', 'image'], 'vm'), []);
  });
});
