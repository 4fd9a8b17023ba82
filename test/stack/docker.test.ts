import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StackDiagnostic } from '../../server/src/stack';
import { diagnose, readSample, spanOf, stack } from './util';

/** Diagnostics of the docker-target families (WF040, WF041, WF045, WF046) as code, severity and covered text. */
function found(text: string, codes = ['WF040', 'WF041', 'WF045', 'WF046']): StackDiagnostic[] {
  return diagnose(text).filter((d) => codes.includes(d.code));
}

function only(text: string, code: string): StackDiagnostic {
  const matches = found(text, [code]);
  assert.equal(matches.length, 1, `expected one ${code}, got ${JSON.stringify(matches)}`);
  return matches[0];
}

describe('docker template checks', () => {
  it('WF040: a template without image, on the template key', () => {
    const text = stack({ template: '  container_name: "{{ deployment_name }}"', variables: '  {}' });
    const d = only(text, 'WF040');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.span, spanOf(text, 'template'));
    assert.match(d.message, /needs an `image`/);
  });

  it('WF040: environment as a list is rejected upstream, on the list', () => {
    const text = stack({ template: '  image: busybox\n  environment:\n    - A=1\n    - B=2' });
    const d = only(text, 'WF040');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.span, { start: spanOf(text, '- A=1').start, end: spanOf(text, 'B=2').end + 1 });
    assert.match(d.message, /upstream WindFlow rejects `environment` as a list \(this extension accepts it\)/);
  });

  it('WF040: ports and volumes that are not lists', () => {
    const text = stack({ template: '  image: busybox\n  ports: "8080:80"\n  volumes: data:/data' });
    assert.deepEqual(
      found(text).map((d) => [d.code, d.severity, d.span]),
      [
        ['WF040', 'error', spanOf(text, '"8080:80"')],
        ['WF040', 'error', spanOf(text, 'data:/data')],
      ],
    );
  });

  it('WF040: port strings without ":" or that do not parse, quoting the parser', () => {
    const text = stack({
      template: '  image: busybox\n  ports:\n    - "80"\n    - "http:80"\n    - 8080\n    - "{{ tag }}:80"',
    });
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => d.span),
      [spanOf(text, '"80"'), spanOf(text, '"http:80"'), spanOf(text, '8080')],
    );
    assert.match(diagnostics[0].message, /WindFlow requires "host:container" port mappings; '80' has no ':'/);
    assert.equal(diagnostics[1].message, "invalid port mapping: host port 'http' is not a number in 'http:80'");
    assert.match(diagnostics[2].message, /as a string containing ':' \("8080:8080"\), not a number/);
  });

  it('WF040: a volume that does not parse, an invalid literal container_name, a bad restart policy, labels as a list', () => {
    const text = stack({
      template: [
        '  image: busybox',
        '  container_name: "my app"',
        '  volumes:',
        '    - "data:relative/path"',
        '  restart_policy: sometimes',
        '  labels:',
        '    - a=b',
      ].join('\n'),
    });
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.span]),
      [
        ['WF040', spanOf(text, '"my app"')],
        ['WF040', spanOf(text, '"data:relative/path"')],
        ['WF040', spanOf(text, 'sometimes')],
        ['WF040', { start: spanOf(text, '- a=b').start, end: spanOf(text, '- a=b').end + 1 }],
      ],
    );
    assert.equal(
      diagnostics[1].message,
      "invalid volume: volume target 'relative/path' must be an absolute path in 'data:relative/path'",
    );
  });

  it('WF041: ignored keys warn on the key; keys only this extension reads are information', () => {
    const text = stack({
      template: '  image: busybox\n  cap_add: [NET_ADMIN]\n  restart: always\n  command: ["sleep", "1"]\n  imgae: x',
    });
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.span]),
      [
        ['warning', spanOf(text, 'cap_add')],
        ['warning', spanOf(text, 'restart')],
        ['information', spanOf(text, 'command')],
        ['warning', spanOf(text, 'imgae')],
      ],
    );
    assert.match(diagnostics[1].message, /Compose spelling: a docker template uses `restart_policy`/);
    assert.equal(diagnostics[1].data?.replacement, 'restart_policy');
    assert.match(diagnostics[2].message, /applied by this extension but ignored by upstream WindFlow/);
    assert.match(diagnostics[3].message, /did you mean 'image'\?/);
  });

  it('WF041: a CMD healthcheck list becomes a broken shell command upstream', () => {
    const text = stack({ template: '  image: redis\n  healthcheck:\n    test: ["CMD", "redis-cli", "ping"]' });
    const d = only(text, 'WF041');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.span, spanOf(text, '"CMD"'));
    assert.match(d.message, /shell command `CMD redis-cli ping`, which fails: use \["CMD-SHELL", "redis-cli ping"\]/);
  });

  it('WF041: numeric durations crash upstream (error); unparsable ones fail in Docker; unknown healthcheck keys', () => {
    const text = stack({
      template:
        '  image: redis\n  healthcheck:\n    test: "true"\n    interval: 10\n    timeout: 5sec\n    retries: many\n    start_interval: 1s',
    });
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.span]),
      [
        ['WF041', 'error', spanOf(text, '10', { after: 'interval:' })],
        ['WF041', 'error', spanOf(text, '5sec')],
        ['WF040', 'error', spanOf(text, 'many')],
        ['WF041', 'warning', spanOf(text, 'start_interval')],
      ],
    );
    assert.match(diagnostics[0].message, /must be a string such as "10s": upstream WindFlow crashes on a number/);
    assert.equal(diagnostics[0].data?.replacement, '"10s"');
    assert.match(diagnostics[1].message, /invalid duration '5sec'/);
  });

  it('WF041: a container_name other than {{ deployment_name }} is information', () => {
    const text = stack({ template: '  image: busybox\n  container_name: fixed-name' });
    const d = only(text, 'WF041');
    assert.equal(d.severity, 'information');
    assert.deepEqual(d.span, spanOf(text, 'fixed-name'));
    assert.equal(d.data?.replacement, '"{{ deployment_name }}"');
  });
});

describe('docker templates with merge keys', () => {
  it('an image brought in by `<<: *anchor` counts, and the merge key is not an unknown key', () => {
    const text = stack({ template: '  <<: *base\n  restart_policy: always' }).replace(
      'template:',
      'x-base: &base\n  image: busybox\ntemplate:',
    );
    assert.deepEqual(found(text), []);
  });
});

describe('target_parameters and deployment names', () => {
  it('WF045: unread keys and mount strings instead of bare volume names', () => {
    const text = stack({
      template:
        '  image: busybox\ntarget_parameters:\n  volumes:\n    - "pg:/var/lib"\n    - "{{ tag }}:/data"\n    - 3\n  network: x',
    });
    const diagnostics = found(text, ['WF045']);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.span]),
      [
        ['warning', spanOf(text, '"pg:/var/lib"')],
        ['warning', spanOf(text, '"{{ tag }}:/data"')],
        ['warning', spanOf(text, '3', { after: '/data"' })],
        ['warning', spanOf(text, 'network')],
      ],
    );
    assert.equal(diagnostics[0].data?.replacement, 'pg');
    assert.equal(diagnostics[1].data?.replacement, '{{ tag }}');
  });

  it('WF045: target_parameters on a non-docker stack is unused (information)', () => {
    const text = stack({
      targetType: 'docker_compose',
      template: '  version: "3.9"\n  services:\n    web:\n      image: busybox\ntarget_parameters:\n  volumes: [data]',
    });
    const d = only(text, 'WF045');
    assert.equal(d.severity, 'information');
    assert.deepEqual(d.span, spanOf(text, 'target_parameters'));
    assert.deepEqual(d.tags, ['unnecessary']);
  });

  it('WF046: a constant deployment_name (warning), and one that is not a valid container name (error)', () => {
    const text = stack({ extraMetadata: '  deployment_name: "My App"' });
    const diagnostics = found(text, ['WF046']);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.span]),
      [
        ['warning', spanOf(text, '"My App"')],
        ['error', spanOf(text, '"My App"')],
      ],
    );
    assert.match(diagnostics.map((d) => d.message).join('\n'), /is a constant: every deployment gets this name/);
    assert.match(diagnostics.map((d) => d.message).join('\n'), /'My App' is not a valid container name/);
  });

  it('WF046: a metadata.name that makes the generated <name>-<timestamp> invalid (information)', () => {
    const text = stack({}).replace('name: demo', 'name: "Demo App"');
    const d = only(text, 'WF046');
    assert.equal(d.severity, 'information');
    assert.deepEqual(d.span, spanOf(text, '"Demo App"'));
  });
});

describe('docker samples and fixtures', () => {
  it('the PostgreSQL sample: only information from the docker families', () => {
    const text = readSample('upstream-postgresql.yaml');
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.span]),
      [['WF046', 'information', spanOf(text, '"PostgreSQL Database Server"')]],
    );
  });

  it('a clean docker stack has no error or warning at all', () => {
    const text = readFileSync(path.join(__dirname, '../fixtures/stacks/docker-clean.yaml'), 'utf8');
    const problems = diagnose(text).filter((d) => d.severity === 'error' || d.severity === 'warning');
    assert.deepEqual(problems, []);
  });
});
