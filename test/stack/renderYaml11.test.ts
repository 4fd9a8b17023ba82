/** The rendered YAML is read back as the same strings by PyYAML (YAML 1.1), the reader upstream WindFlow uses. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { yaml11 } from '../../server/src/stack/render';

const PYTHON = '/usr/bin/python3';

const TRICKY = [
  'on', 'On', 'ON', 'off', 'yes', 'Yes', 'no', 'NO', 'y', 'Y', 'n', 'N', 'true', 'False', 'null', 'Null', '~', '',
  '0755', '0o17', '0x1F', '0b101', '1_000', '12', '-3', '+12', '1:30', '-1:30', '190:20:30', '1.5', '.5', '1e3',
  '6.8523015e+5', '685.230_15e+03', '.inf', '-.Inf', '.NaN', '2001-12-14', '2002-12-14t21:59:43.10-05:00',
  '2001-12-14 21:59:43.10 -5', '=', '<<', '- x', ': x', '# x', 'a: b', '{x}', '[x]', '*x', '&x', '!x', '|', '>', '%x',
  '@x', '`x', '"q"', "'q'", 'tab\there', 'line\nbreak', ' lead', 'trail ', 'é ü 日本', '1,000', '12e', 'hello',
]; // prettier-ignore

describe('rendered YAML read by a YAML 1.1 reader (PyYAML)', () => {
  before(function () {
    const probe = spawnSync(PYTHON, ['-c', 'import yaml'], { encoding: 'utf8' });
    if (probe.status === 0) return;
    if (process.env.CI === 'true')
      throw new Error(`${PYTHON} with PyYAML is required under CI (apt-get install python3-yaml)`);
    console.log(`      skipped: ${PYTHON} cannot import yaml`);
    this.skip();
  });

  it('gives back every string, as a value, a key and a list item', () => {
    const data = {
      values: Object.fromEntries(TRICKY.map((text, index) => [`k${index}`, text])),
      keys: Object.fromEntries(TRICKY.map((text) => [text, 'v'])),
      list: TRICKY,
      numbers: { port: 8080, ratio: 0.5, flag: true, nothing: null },
    };
    const text = yaml11(data);
    const run = spawnSync(
      PYTHON,
      ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout, ensure_ascii=False)'],
      { input: text, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), data);
  });
});
