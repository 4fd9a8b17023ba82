import assert from 'node:assert/strict';
import { parseStack } from '../../server/src/stack';
import { coerceAndValidateValues, loadValuesFile, parseSetArguments, ValuesError } from '../../server/src/stack/values';
import { readSample, stack } from './util';

const VARIABLES = [
  '  port: {type: integer, label: Port, default: 80, minimum: 1, maximum: 65535}',
  '  ratio: {type: number, label: Ratio, default: 0.5, maximum: 1}',
  '  debug: {type: boolean, label: Debug, default: false}',
  '  size: {type: string, label: Size, default: "M", enum: ["S", "M", "L"]}',
  '  version: {type: string, label: Version, default: "16", enum: [16, 15]}',
  '  name: {type: string, label: Name, default: "app", pattern: "^[a-z]+$", min_length: 2, max_length: 8, required: true}',
  '  secret: {type: password, label: Secret, min_length: 12}',
  '  performance:',
  '    type: group',
  '    label: Performance',
  '    variables:',
  '      work_mem: {type: string, label: Work memory, default: "4MB"}',
  '      workers: {type: integer, label: Workers, default: 2, minimum: 1}',
].join('\n');
const model = parseStack(stack({ variables: VARIABLES }));

describe('deploy values', () => {
  describe('parseSetArguments', () => {
    it('splits at the first = and keeps the rest of the value', () => {
      assert.deepEqual(parseSetArguments(['port=8080', 'performance.work_mem=8MB', 'name=a=b', 'empty=']), {
        port: '8080',
        'performance.work_mem': '8MB',
        name: 'a=b',
        empty: '',
      });
    });

    it('names the argument that has no = or no name', () => {
      assert.throws(() => parseSetArguments(['port=1', 'debug']), new ValuesError("--set 'debug': expected key=value"));
      assert.throws(
        () => parseSetArguments(['=3']),
        new ValuesError("--set '=3': the variable name before '=' is empty"),
      );
    });
  });

  describe('loadValuesFile', () => {
    it('reads nested and dotted keys into dotted names', () => {
      const text = 'port: 8080\nperformance:\n  work_mem: 8MB\nperformance.workers: 4\ntags: [a, b]\n';
      assert.deepEqual(loadValuesFile(text, 'values.yaml'), {
        port: 8080,
        'performance.work_mem': '8MB',
        'performance.workers': 4,
        tags: ['a', 'b'],
      });
    });

    it('treats an empty file as no values', () => {
      assert.deepEqual(loadValuesFile('# nothing yet\n', 'values.yaml'), {});
    });

    it('names the file and the problem', () => {
      assert.throws(
        () => loadValuesFile('- a\n- b\n', 'list.yaml'),
        new ValuesError('list.yaml: expected a mapping of variable names to values, found a list'),
      );
      assert.throws(
        () => loadValuesFile('just text', 'scalar.yaml'),
        new ValuesError('scalar.yaml: expected a mapping of variable names to values, found a single value'),
      );
      assert.throws(
        () => loadValuesFile('port: 1\nname: "open\n', 'broken.yaml'),
        new ValuesError('broken.yaml:2: YAML syntax error: Missing closing "quote'),
      );
    });
  });

  describe('coerceAndValidateValues', () => {
    it('converts strings to each variable type', () => {
      const result = coerceAndValidateValues(model, {
        port: '8080',
        ratio: '0.25',
        debug: 'yes',
        size: 'L',
        version: '15',
        name: 'web',
        'performance.workers': ' 4 ',
      });
      assert.deepEqual(result, {
        values: {
          port: 8080,
          ratio: 0.25,
          debug: true,
          size: 'L',
          version: '15',
          name: 'web',
          'performance.workers': 4,
        },
        problems: [],
      });
      assert.deepEqual(coerceAndValidateValues(model, { debug: 'No' }).values, { debug: false });
      assert.deepEqual(coerceAndValidateValues(model, { debug: '1', port: 443 }).values, { debug: true, port: 443 });
    });

    it('splits a group given as a mapping into its members and skips nulls', () => {
      assert.deepEqual(
        coerceAndValidateValues(model, { performance: { work_mem: '16MB', workers: '3' }, port: null }),
        {
          values: { 'performance.work_mem': '16MB', 'performance.workers': 3 },
          problems: [],
        },
      );
    });

    it('reports each problem by variable name', () => {
      const { problems, values } = coerceAndValidateValues(model, {
        port: '80a',
        ratio: '2',
        debug: 'maybe',
        size: 'XL',
        name: 'Web1',
        'performance.workers': 0,
        nmae: 'x',
        performance: 'fast',
        tags: ['a'],
      });
      assert.deepEqual(values, {});
      assert.deepEqual(problems, [
        { name: 'port', message: "expected an integer, got '80a'" },
        { name: 'ratio', message: '2 is more than the maximum 1' },
        { name: 'debug', message: "expected a boolean (true/false, yes/no, 1/0), got 'maybe'" },
        { name: 'size', message: "'XL' is not one of: S, M, L" },
        { name: 'name', message: "'Web1' does not match the pattern ^[a-z]+$" },
        { name: 'performance.workers', message: '0 is less than the minimum 1' },
        { name: 'nmae', message: "no variable named 'nmae'; did you mean 'name'?" },
        { name: 'performance', message: "'performance' is a group: set its members, e.g. performance.work_mem=…" },
        { name: 'tags', message: "no variable named 'tags'" },
      ]);
    });

    it('checks lengths and required, and never echoes a password', () => {
      assert.deepEqual(coerceAndValidateValues(model, { name: 'a' }).problems, [
        { name: 'name', message: "'a' is shorter than 2 characters" },
      ]);
      assert.deepEqual(coerceAndValidateValues(model, { name: 'abcdefghi' }).problems, [
        { name: 'name', message: "'abcdefghi' is longer than 8 characters" },
      ]);
      assert.deepEqual(coerceAndValidateValues(model, { name: '  ' }).problems, [
        { name: 'name', message: 'a value is required' },
      ]);
      assert.deepEqual(coerceAndValidateValues(model, { secret: 'hunter2' }).problems, [
        { name: 'secret', message: 'the value is shorter than 12 characters' },
      ]);
      assert.deepEqual(coerceAndValidateValues(model, { 'performance.workers': [1] }).problems, [
        { name: 'performance.workers', message: 'expected a single value, got a list' },
      ]);
    });

    it('accepts the upstream PostgreSQL sample values the web form would send', () => {
      const postgres = parseStack(readSample('upstream-postgresql.yaml'));
      const result = coerceAndValidateValues(postgres, {
        host_port: '5433',
        'performance.shared_buffers': '512MB',
        locale: 'C',
        container_name: 'pg-1',
      });
      assert.deepEqual(result, {
        values: { host_port: 5433, 'performance.shared_buffers': '512MB', locale: 'C', container_name: 'pg-1' },
        problems: [],
      });
      assert.deepEqual(coerceAndValidateValues(postgres, { 'performance.shared_buffers': '3GB' }).problems, [
        { name: 'performance.shared_buffers', message: "'3GB' is not one of: 128MB, 256MB, 512MB, 1GB, 2GB, 4GB" },
      ]);
    });
  });
});
