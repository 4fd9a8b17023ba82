import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { runInProcess } from './inProcess';

describe('windflow-stack render', () => {
  const stack = 'examples/postgresql.stack.yaml';

  it('prints the rendered template as YAML with passwords masked', async () => {
    const { code, stdout } = await runInProcess(['render', stack, '--name', 'pg-demo', '--set', 'postgres_version=15']);
    assert.equal(code, 0);
    const rendered = parse(stdout);
    assert.equal(rendered.image, 'postgres:15');
    assert.equal(rendered.container_name, 'pg-demo');
    assert.equal(rendered.environment.POSTGRES_PASSWORD, '••••••');
    assert.deepEqual(rendered.command, ['postgres', '-c', 'shared_buffers=256MB', '-c', 'max_connections=100']);
  });

  it('shows secrets only when asked, and takes typed values literally', async () => {
    const { stdout } = await runInProcess([
      'render',
      stack,
      '--show-secrets',
      '--set',
      'postgres_password={{ 7*7 }}xyz-long-enough',
    ]);
    assert.equal(parse(stdout).environment.POSTGRES_PASSWORD, '{{ 7*7 }}xyz-long-enough');
  });

  it('reads a values file, dotted keys for group members', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'wf-render-'));
    const values = path.join(folder, 'values.yaml');
    writeFileSync(values, 'performance:\n  shared_buffers: 512MB\nhost_port: 6543\n');
    const { code, stdout } = await runInProcess(['render', stack, '--values', values]);
    assert.equal(code, 0);
    const rendered = parse(stdout);
    assert.deepEqual(rendered.ports, ['6543:5432']);
    assert.equal(rendered.command[2], 'shared_buffers=512MB');
  });

  it('refuses values that do not fit their variables, naming them', async () => {
    const { code, stderr } = await runInProcess([
      'render',
      stack,
      '--set',
      'host_port=http',
      '--set',
      'postgres_version=9',
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /value 'host_port'/);
    assert.match(stderr, /value 'postgres_version'/);
  });

  it('exits 2 on usage problems', async () => {
    assert.equal((await runInProcess(['render'])).code, 2);
    assert.equal((await runInProcess(['render', stack, '--set', 'no-equals-sign'])).code, 2);
    assert.equal((await runInProcess(['render', 'missing.stack.yaml'])).code, 2);
  });
});
