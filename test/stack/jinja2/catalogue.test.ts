import assert from 'node:assert/strict';
import { FILTERS, jinjaGlobals, TESTS } from '../../../server/src/stack/jinja2';
import { FILTER_CATALOGUE, GLOBAL_CATALOGUE, TEST_CATALOGUE } from '../../../server/src/stack/jinja2/catalogue';

const JINJA2_3_1_FILTERS = [
  'abs', 'attr', 'batch', 'capitalize', 'center', 'count', 'd', 'default', 'dictsort', 'e', 'escape', 'filesizeformat',
  'first', 'float', 'forceescape', 'format', 'groupby', 'indent', 'int', 'items', 'join', 'last', 'length', 'list',
  'lower', 'map', 'max', 'min', 'pprint', 'random', 'reject', 'rejectattr', 'replace', 'reverse', 'round', 'safe',
  'select', 'selectattr', 'slice', 'sort', 'string', 'striptags', 'sum', 'title', 'tojson', 'trim', 'truncate',
  'unique', 'upper', 'urlencode', 'urlize', 'wordcount', 'wordwrap', 'xmlattr',
]; // prettier-ignore

describe('Jinja2 catalogue', () => {
  it('documents exactly the filters, tests and globals the interpreter has (all of Jinja2 3.1)', () => {
    assert.deepEqual(FILTER_CATALOGUE.map((entry) => entry.name).sort(), [...FILTERS.keys()].sort());
    assert.deepEqual([...FILTERS.keys()].sort(), JINJA2_3_1_FILTERS);
    assert.deepEqual(TEST_CATALOGUE.map((entry) => entry.name).sort(), [...TESTS.keys()].sort());
    assert.equal(TESTS.size, 39);
    const globals = jinjaGlobals({ int: (min) => min }, 10);
    assert.deepEqual(GLOBAL_CATALOGUE.map((entry) => entry.name).sort(), [...globals.keys()].sort());
  });
});
