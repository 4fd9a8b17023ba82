import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SAMPLES } from '../stack/util';
import { runInProcess } from './inProcess';

describe('windflow-stack validate', () => {
  it('prints diagnostics like a compiler and exits 1 on errors', async () => {
    const { code, stdout } = await runInProcess(['validate', path.join(SAMPLES, 'upstream-postgresql.yaml')]);
    assert.equal(code, 1);
    assert.match(
      stdout,
      /upstream-postgresql\.yaml:349:24: error WF021 'shared_buffers' is a member of group 'performance'/,
    );
    assert.match(stdout, /\d+ errors?, \d+ warnings?, \d+ hints? in 1 file\n$/);
  });

  it('exits 0 on the bundled examples', async () => {
    const { code, stdout } = await runInProcess(['validate', 'examples']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^0 errors, 0 warnings, \d+ hints? in 5 files\n$/m);
  });

  it('checks Kubernetes apiVersions against --kubernetes-version', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'windflow-validate-'));
    const file = path.join(directory, 'cron.stack.yaml');
    writeFileSync(
      file,
      [
        'metadata:',
        '  name: nightly',
        '  version: "1.0.0"',
        '  category: Tools',
        '  author: me',
        '  license: MIT',
        '  description: A nightly job.',
        '  target_type: kubernetes',
        'template:',
        '  apiVersion: batch/v1beta1',
        '  kind: CronJob',
        '  metadata:',
        '    name: nightly',
        'variables: {}',
        '',
      ].join('\n'),
    );
    const removed = await runInProcess(['validate', file]);
    assert.equal(removed.code, 1);
    assert.match(
      removed.stdout,
      /cron\.stack\.yaml:10:15: error WF120 Kubernetes 1\.25 removed `batch\/v1beta1` CronJob/,
    );
    const deprecated = await runInProcess(['validate', '--kubernetes-version', '1.22', file]);
    assert.equal(deprecated.code, 0, deprecated.stdout);
    assert.match(deprecated.stdout, /warning WF121 `batch\/v1beta1` CronJob is deprecated since Kubernetes 1\.21/);
    const wrong = await runInProcess(['validate', '--kubernetes-version', 'latest', file]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--kubernetes-version must be a Kubernetes version like 1\.30, not 'latest'/);
  });

  it('writes LSP diagnostics per file as JSON', async () => {
    const { code, stdout } = await runInProcess([
      'validate',
      '--format',
      'json',
      path.join(SAMPLES, 'upstream-postgresql.yaml'),
    ]);
    assert.equal(code, 1);
    const [report] = JSON.parse(stdout);
    const wf021 = report.diagnostics.find((d: { code: string }) => d.code === 'WF021');
    assert.deepEqual(wf021.range, { start: { line: 348, character: 23 }, end: { line: 348, character: 37 } });
    assert.equal(wf021.severity, 1);
    assert.equal(wf021.source, 'windflow');
  });

  it('writes SARIF 2.1.0 with 1-based regions and rule ids', async () => {
    const { stdout } = await runInProcess([
      'validate',
      '--format=sarif',
      path.join(SAMPLES, 'upstream-postgresql.yaml'),
    ]);
    const sarif = JSON.parse(stdout);
    assert.equal(sarif.version, '2.1.0');
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'WF021');
    assert.equal(result.level, 'error');
    assert.deepEqual(result.locations[0].physicalLocation.region, {
      startLine: 349,
      startColumn: 24,
      endLine: 349,
      endColumn: 38,
    });
    assert.ok(sarif.runs[0].tool.driver.rules.some((rule: { id: string }) => rule.id === 'WF021'));
  });

  it('reports invalid UTF-8 with a diagnostic instead of failing', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'wf-cli-'));
    const file = path.join(folder, 'bad.stack.yaml');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('metadata:\n  name: "caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]),
    );
    const { code, stdout } = await runInProcess(['validate', file], { cwd: folder });
    assert.equal(code, 1);
    assert.match(stdout, /bad\.stack\.yaml:2:13: error WF013 invalid UTF-8 at byte 22/);
  });

  it('exits 2 on usage and I/O problems', async () => {
    assert.equal((await runInProcess(['validate'])).code, 2);
    assert.equal((await runInProcess(['validate', '--format', 'xml', 'examples'])).code, 2);
    const missing = await runInProcess(['validate', 'no/such/file.yaml']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or folder/);
    assert.equal((await runInProcess(['frobnicate'])).code, 2);
  });
});
