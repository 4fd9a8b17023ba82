/**
 * Every command refuses what it must not read: devices that never end (/dev/urandom, /dev/zero), FIFOs that would
 * block, files over the size limit; and `validate` that checked nothing fails. Through the real CLI dispatcher.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runInProcess } from './inProcess';

describe('CLI input is bounded', function () {
  this.timeout(20_000);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'wf-bounded-'));
  const fifo = path.join(folder, 'pipe.stack.yaml');
  const big = path.join(folder, 'big.stack.yaml');
  const empty = path.join(folder, 'empty');

  before(() => {
    execFileSync('mkfifo', [fifo]);
    // 20 MB that starts like a stack: the refusal must talk about the size, not about YAML.
    writeFileSync(big, `metadata:\n  name: big\n${'# padding\n'.repeat(2_000_000)}`);
    mkdirSync(empty);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  for (const device of ['/dev/urandom', '/dev/zero']) {
    for (const command of ['render', 'validate', 'deploy']) {
      it(`${command} ${device} exits 2 without reading it`, async () => {
        const result = await runInProcess([command, device]);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, new RegExp(`${device}: is (a character device, )?not a regular file`));
        assert.equal(result.stdout, '');
      });
    }
  }

  for (const command of ['render', 'validate', 'deploy']) {
    it(`${command} refuses a FIFO at once (no writer ever comes)`, async () => {
      const result = await runInProcess([command, fifo]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /pipe\.stack\.yaml: is (a FIFO \(named pipe\), )?not a regular file/);
    });

    it(`${command} refuses a 20 MB file, saying what the size limit is`, async () => {
      const result = await runInProcess([command, big]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /big\.stack\.yaml: the file is 19\.1 MiB, over the size limit of 5\.0 MiB/);
      assert.doesNotMatch(result.stderr, /YAML/);
    });
  }

  it('refuses a --values file that is a device', async () => {
    const stack = path.join(__dirname, '..', 'fixtures', 'stacks', 'deploy-container.yaml');
    const result = await runInProcess(['render', stack, '--values', '/dev/zero']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\/dev\/zero: is a character device, not a regular file/);
  });

  it('validate exits 2 when it found nothing to check', async () => {
    const result = await runInProcess(['validate', empty]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no stack files found in .*empty/);
  });
});
