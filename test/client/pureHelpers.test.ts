import assert from 'node:assert/strict';
import { describeDeployFailure, describeError } from '../../client/src/errors';
import { LogResumePoint, nanosecondsOf } from '../../client/src/panels/logResume';
import { redactSecrets, SECRET_MASK } from '../../client/src/redact';
import { topLevelKeyLine } from '../../client/src/stackText';
import { DeployError } from '../../client/src/targets/target';
import { formatAge, portLink } from '../../client/src/webview/format';

describe('redactSecrets', () => {
  it('masks every occurrence, the longest secret first; a short one only where it stands on its own', () => {
    const text = 'password=s3cretValue user=ab token=s3cretValue2 about tab';
    assert.equal(
      redactSecrets(text, ['s3cretValue', 's3cretValue2', 'ab']),
      `password=${SECRET_MASK} user=${SECRET_MASK} token=${SECRET_MASK} about tab`,
    );
    assert.equal(redactSecrets('connecting', ['n']), 'connecting');
    assert.equal(redactSecrets('nothing secret', []), 'nothing secret');
  });
});

describe('describeError / describeDeployFailure', () => {
  it('joins an error with its causes and names the failed deploy step', () => {
    const cause = new Error('connect ENOENT /var/run/docker.sock');
    assert.equal(
      describeError(new Error('engine unreachable', { cause })),
      'engine unreachable: connect ENOENT /var/run/docker.sock',
    );
    assert.equal(
      describeDeployFailure('pg-1', new DeployError('pull image', 'image local/nope:1 is missing', cause)),
      'Deploying pg-1 failed at step "pull image": image local/nope:1 is missing: connect ENOENT /var/run/docker.sock',
    );
    assert.equal(describeDeployFailure('pg-1', 'boom'), 'Deploying pg-1 failed: boom');
  });
});

describe('topLevelKeyLine', () => {
  it('finds a column-0 key, quoted or not, and ignores nested keys and comments', () => {
    const text = '# metadata: not this\nvariables:\n  metadata: nested\n"metadata":\n  name: x\n';
    assert.equal(topLevelKeyLine(text, 'metadata'), 3);
    assert.equal(topLevelKeyLine('metadata:\r\n  name: x', 'metadata'), 0);
    assert.equal(topLevelKeyLine('metadatax: 1\n', 'metadata'), undefined);
  });
});

describe('LogResumePoint', () => {
  const line = (unit: string, timestamp: string | undefined, text: string) => ({
    unit,
    source: unit,
    stream: 'stdout' as const,
    text,
    timestamp,
  });

  it('keeps every line of one stream, even two written in the same millisecond', () => {
    const resume = new LogResumePoint();
    assert.equal(resume.resumeSince(), undefined);
    assert.equal(resume.accept(line('web', '2026-01-01T10:00:00.100000001Z', 'a')), true);
    assert.equal(resume.accept(line('web', '2026-01-01T10:00:00.100000002Z', 'b')), true);
    assert.equal(resume.accept(line('web', undefined, 'no time')), true);
    assert.equal(resume.resumeSince(), '2026-01-01T10:00:00.100000002Z');
  });

  it('after a re-attach, drops what each unit had already shown and keeps what is newer', () => {
    const resume = new LogResumePoint();
    resume.accept(line('web', '2026-01-01T10:00:01.5Z', 'web 1'));
    resume.accept(line('db', '2026-01-01T10:00:00.25Z', 'db 1'));
    resume.reattach();
    assert.equal(resume.resumeSince(), '2026-01-01T10:00:01.5Z');
    assert.equal(resume.accept(line('web', '2026-01-01T10:00:01.5Z', 'web 1 again')), false);
    assert.equal(resume.accept(line('db', '2026-01-01T10:00:00.900Z', 'db 2')), true);
    assert.equal(resume.accept(line('web', '2026-01-01T11:00:01.600+01:00', 'web 2')), true);
    assert.equal(resume.accept(line('web', '2026-01-01T10:00:01.500000001Z', 'web 3')), true);
  });

  it('reads RFC 3339 times with nanoseconds and offsets', () => {
    assert.equal(nanosecondsOf('1970-01-01T00:00:01.000000002Z'), 1_000_000_002n);
    assert.equal(nanosecondsOf('1970-01-01T01:00:01.5+01:00'), 1_500_000_000n);
    assert.equal(nanosecondsOf('yesterday'), undefined);
  });
});

describe('portLink / formatAge', () => {
  it('links published TCP ports to localhost or their bound address', () => {
    assert.deepEqual(portLink('0.0.0.0:8080->80/tcp'), { label: '0.0.0.0:8080->80/tcp', url: 'http://localhost:8080' });
    assert.deepEqual(portLink('127.0.0.1:5432->5432'), { label: '127.0.0.1:5432->5432', url: 'http://127.0.0.1:5432' });
    assert.deepEqual(portLink('[::]:9000->9000/tcp'), { label: '[::]:9000->9000/tcp', url: 'http://localhost:9000' });
    assert.deepEqual(portLink('53->53/udp'), { label: '53->53/udp' });
    assert.deepEqual(portLink('80/tcp'), { label: '80/tcp' });
  });

  it('prints ages the way docker ps does', () => {
    assert.equal(formatAge(-5), '0s');
    assert.equal(formatAge(59_999), '59s');
    assert.equal(formatAge(60_000), '1m');
    assert.equal(formatAge(3 * 3600_000 + 1), '3h');
    assert.equal(formatAge(49 * 3600_000), '2d');
  });
});
