import { strict as assert } from 'node:assert';
import {
  isValidComposeProjectName,
  isValidContainerName,
  isValidDns1123Label,
  isValidDns1123Subdomain,
  parseDuration,
  parsePortSpec,
  parseVolumeSpec,
} from '../../server/src/stack/specs';

describe('parsePortSpec', () => {
  it('reads a bare container port, as string or number', () => {
    assert.deepEqual(parsePortSpec('80'), { ok: true, ports: [{ containerPort: 80, protocol: 'tcp' }] });
    assert.deepEqual(parsePortSpec(5432), { ok: true, ports: [{ containerPort: 5432, protocol: 'tcp' }] });
  });

  it('reads host:container, ip:host:container and the protocol', () => {
    assert.deepEqual(parsePortSpec('8080:80'), {
      ok: true,
      ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    });
    assert.deepEqual(parsePortSpec('127.0.0.1:8080:80'), {
      ok: true,
      ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    });
    assert.deepEqual(parsePortSpec('8080:80/udp'), {
      ok: true,
      ports: [{ hostPort: 8080, containerPort: 80, protocol: 'udp' }],
    });
    assert.deepEqual(parsePortSpec('127.0.0.1::80'), {
      ok: true,
      ports: [{ hostIp: '127.0.0.1', containerPort: 80, protocol: 'tcp' }],
    });
  });

  it('reads bracketed IPv6 host addresses', () => {
    assert.deepEqual(parsePortSpec('[::1]:8080:80/sctp'), {
      ok: true,
      ports: [{ hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'sctp' }],
    });
  });

  it('expands ranges into one spec per port', () => {
    assert.deepEqual(parsePortSpec('8000-8002:9000-9002'), {
      ok: true,
      ports: [
        { hostPort: 8000, containerPort: 9000, protocol: 'tcp' },
        { hostPort: 8001, containerPort: 9001, protocol: 'tcp' },
        { hostPort: 8002, containerPort: 9002, protocol: 'tcp' },
      ],
    });
    assert.deepEqual(parsePortSpec('7000-7001'), {
      ok: true,
      ports: [
        { containerPort: 7000, protocol: 'tcp' },
        { containerPort: 7001, protocol: 'tcp' },
      ],
    });
  });

  it('rejects malformed mappings with a message naming the fault', () => {
    assert.deepEqual(parsePortSpec('8000-8002:80-81'), {
      ok: false,
      error: "host range has 3 port(s) but container range has 2 in '8000-8002:80-81'",
    });
    assert.deepEqual(parsePortSpec('70000:80'), {
      ok: false,
      error: "host port 70000 is outside 1-65535 in '70000:80'",
    });
    assert.deepEqual(parsePortSpec('0'), { ok: false, error: "container port 0 is outside 1-65535 in '0'" });
    assert.deepEqual(parsePortSpec('http:80'), { ok: false, error: "host port 'http' is not a number in 'http:80'" });
    assert.deepEqual(parsePortSpec('80/icmp'), {
      ok: false,
      error: "unknown protocol 'icmp' in '80/icmp' (use tcp, udp or sctp)",
    });
    assert.deepEqual(parsePortSpec('1:2:3:4'), {
      ok: false,
      error: "too many ':' in '1:2:3:4' (expected [ip:]host:container[/protocol])",
    });
    assert.deepEqual(parsePortSpec('host:80:80'), {
      ok: false,
      error: "invalid host IP 'host' in 'host:80:80' (write IPv6 addresses in brackets)",
    });
    assert.deepEqual(parsePortSpec('9-3'), {
      ok: false,
      error: "container port range '9-3' ends before it starts in '9-3'",
    });
    assert.deepEqual(parsePortSpec(''), { ok: false, error: 'empty port mapping' });
    assert.deepEqual(parsePortSpec(80.5), { ok: false, error: 'port 80.5 is not a whole number between 1 and 65535' });
    assert.deepEqual(parsePortSpec('[::1:80'), { ok: false, error: "malformed IPv6 address in '[::1:80'" });
  });
});

describe('parseVolumeSpec', () => {
  it('classifies named volumes, bind mounts and anonymous volumes', () => {
    assert.deepEqual(parseVolumeSpec('pgdata:/var/lib/postgresql/data'), {
      ok: true,
      volume: { type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data', readOnly: false },
    });
    assert.deepEqual(parseVolumeSpec('./Caddyfile:/etc/caddy/Caddyfile:ro'), {
      ok: true,
      volume: { type: 'bind', source: './Caddyfile', target: '/etc/caddy/Caddyfile', readOnly: true, mode: 'ro' },
    });
    assert.deepEqual(parseVolumeSpec('~/data:/data:rw,z'), {
      ok: true,
      volume: { type: 'bind', source: '~/data', target: '/data', readOnly: false, mode: 'rw,z' },
    });
    assert.deepEqual(parseVolumeSpec('/cache'), {
      ok: true,
      volume: { type: 'anonymous', target: '/cache', readOnly: false },
    });
  });

  it('rejects relative targets, unknown modes and bad names', () => {
    assert.deepEqual(parseVolumeSpec('data:var/lib'), {
      ok: false,
      error: "volume target 'var/lib' must be an absolute path in 'data:var/lib'",
    });
    assert.deepEqual(parseVolumeSpec('cache'), { ok: false, error: "volume target 'cache' must be an absolute path" });
    assert.deepEqual(parseVolumeSpec('data:/x:rx'), { ok: false, error: "unknown volume mode 'rx' in 'data:/x:rx'" });
    assert.deepEqual(parseVolumeSpec('data:/x:ro,rw'), {
      ok: false,
      error: "volume mode 'ro,rw' is both read-only and read-write",
    });
    assert.deepEqual(parseVolumeSpec('my data:/x'), {
      ok: false,
      error: "'my data' is neither a volume name (letters, digits, '_', '.', '-') nor a path in 'my data:/x'",
    });
    assert.deepEqual(parseVolumeSpec('a:/b:ro:z'), {
      ok: false,
      error: "too many ':' in 'a:/b:ro:z' (expected [source:]target[:mode])",
    });
    assert.deepEqual(parseVolumeSpec('data::ro'), { ok: false, error: "empty part in 'data::ro'" });
    assert.deepEqual(parseVolumeSpec(' '), { ok: false, error: 'empty volume mapping' });
  });
});

describe('parseDuration', () => {
  it('reads Go durations and bare numbers as seconds', () => {
    assert.deepEqual(parseDuration('10s'), { ok: true, nanoseconds: 10e9 });
    assert.deepEqual(parseDuration('1m30s'), { ok: true, nanoseconds: 90e9 });
    assert.deepEqual(parseDuration('500ms'), { ok: true, nanoseconds: 500e6 });
    assert.deepEqual(parseDuration('1h'), { ok: true, nanoseconds: 3600e9 });
    assert.deepEqual(parseDuration('1.5s'), { ok: true, nanoseconds: 1.5e9 });
    assert.deepEqual(parseDuration('250us'), { ok: true, nanoseconds: 250e3 });
    assert.deepEqual(parseDuration('0'), { ok: true, nanoseconds: 0 });
    assert.deepEqual(parseDuration(10), { ok: true, nanoseconds: 10e9 });
  });

  it('rejects missing units, unknown units and negative numbers', () => {
    assert.deepEqual(parseDuration('10'), { ok: false, error: "duration '10' has no unit (write e.g. '10s')" });
    assert.deepEqual(parseDuration('10sec'), {
      ok: false,
      error: "invalid duration '10sec' at 'ec' (expected e.g. '10s', '1m30s', '500ms'; units ns, us, ms, s, m, h)",
    });
    assert.deepEqual(parseDuration('ten seconds').ok, false);
    assert.deepEqual(parseDuration(''), { ok: false, error: 'empty duration' });
    assert.deepEqual(parseDuration(-1), { ok: false, error: 'duration -1 is not a positive number' });
  });
});

describe('name rules', () => {
  it('container names', () => {
    assert.equal(isValidContainerName('postgres-1.db_x'), true);
    assert.equal(isValidContainerName('PostgreSQL Database Server-1700000000'), false);
    assert.equal(isValidContainerName('-x'), false);
  });

  it('compose project names', () => {
    assert.equal(isValidComposeProjectName('baserow_1-a'), true);
    assert.equal(isValidComposeProjectName('Baserow'), false);
    assert.equal(isValidComposeProjectName('_x'), false);
    assert.equal(isValidComposeProjectName('a.b'), false);
  });

  it('DNS-1123 subdomains and labels', () => {
    assert.equal(isValidDns1123Subdomain('web.example-1'), true);
    assert.equal(isValidDns1123Subdomain('web_1'), false);
    assert.equal(isValidDns1123Subdomain('Web'), false);
    assert.equal(isValidDns1123Subdomain('web-'), false);
    assert.equal(isValidDns1123Subdomain('a'.repeat(254)), false);
    assert.equal(isValidDns1123Label('web-1'), true);
    assert.equal(isValidDns1123Label('web.1'), false);
    assert.equal(isValidDns1123Label('a'.repeat(64)), false);
    assert.equal(isValidDns1123Label('a'.repeat(63)), true);
  });
});
