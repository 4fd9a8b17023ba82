/** Usage errors exit 2 everywhere; defaults that break their own rules fail render and deploy (exit 1). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runInProcess } from './inProcess';

const STACK = `metadata:
  name: strict
  version: "1.0.0"
  category: Tests
  author: me
  license: MIT
  description: d
  target_type: docker
template:
  image: "local/busybox:1"
  labels:
    tier: "{{ tier }}"
variables:
  tier:
    type: string
    label: Tier
    default: "Gold Plus"
    pattern: "^[a-z]+$"
`;

describe('strict CLI input', () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'wf-strict-'));
  const file = path.join(folder, 'strict.stack.yaml');
  before(() => writeFileSync(file, STACK));
  after(() => rmSync(folder, { recursive: true, force: true }));

  for (const since of ['garbage', '10 parsecs', '']) {
    it(`logs --since '${since}' is a usage error (exit 2), before any target is used`, async () => {
      const result = await runInProcess(['logs', 'anything', '--since', since, '--target', 'nowhere']);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /--since '.*' is neither unix seconds, a duration like 10m, nor a date/);
    });
  }

  it('render of a default that violates its pattern exits 1 and says which', async () => {
    const result = await runInProcess(['render', file]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /error: value 'tier': the default: 'Gold Plus' does not match the pattern \^\[a-z\]\+\$/,
    );
    const fixed = await runInProcess(['render', file, '--set', 'tier=gold']);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stdout, /tier: gold/);
  });

  it('deploy refuses the same default before touching a target', async () => {
    const result = await runInProcess(['deploy', file, '--target', 'nowhere']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /strict\.stack\.yaml: error: value 'tier': the default: 'Gold Plus' does not match/);
    assert.match(result.stderr, /nothing was deployed/);
  });
});
