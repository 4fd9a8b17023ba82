import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StackDiagnostic } from '../../server/src/stack';
import { diagnose, readSample, spanOf, stack } from './util';

function found(text: string, codes = ['WF042', 'WF043', 'WF044']): StackDiagnostic[] {
  return diagnose(text).filter((d) => codes.includes(d.code));
}

/** The span of the name inside a one-item flow list such as `[a]`. */
function insideBrackets(text: string, list: string): { start: number; end: number } {
  const at = spanOf(text, list).start;
  return { start: at + 1, end: at + list.length - 1 };
}

function compose(template: string, extra: { targetType?: string; variables?: string } = {}): string {
  return stack({ targetType: extra.targetType ?? 'docker_compose', template, variables: extra.variables ?? '  {}' });
}

describe('compose template checks', () => {
  it('WF042: no services (error on the template key) and no version (warning on the template key)', () => {
    const text = compose('  networks: {}');
    assert.deepEqual(
      found(text).map((d) => [d.severity, d.span]),
      [
        ['warning', spanOf(text, 'template')],
        ['error', spanOf(text, 'template')],
      ],
    );
    assert.match(found(text)[0].message, /refuses a Compose template without a top-level `version`/);
  });

  it('WF042: empty services, a service that is not a mapping, one without image or build', () => {
    const empty = compose('  version: "3"\n  services: {}');
    assert.deepEqual(
      found(empty).map((d) => [d.severity, d.span]),
      [['error', spanOf(empty, '{}')]],
    );
    const text = compose(
      '  version: "3"\n  services:\n    web:\n    worker:\n      command: run\n    ok:\n      build: .',
    );
    assert.deepEqual(
      found(text, ['WF042', 'WF102']).map((d) => [d.severity, d.code, d.span, d.message]),
      [
        ['error', 'WF102', spanOf(text, 'web'), 'web must be a mapping, not empty'],
        [
          'error',
          'WF042',
          spanOf(text, 'worker'),
          "service 'worker' has neither `image` nor `build`: WindFlow rejects the template",
        ],
      ],
    );
  });

  it('WF100: an unknown top-level key, skipping x- extensions', () => {
    const text = compose('  version: "3"\n  x-common: {}\n  servics: {}\n  services:\n    web:\n      image: busybox');
    const [d] = found(text, ['WF042', 'WF100']);
    assert.deepEqual([d.severity, d.span], ['error', spanOf(text, 'servics')]);
    assert.match(d.message, /did you mean 'services'\?/);
  });

  it('WF043: depends_on naming undeclared services (list and map form) with a suggestion', () => {
    const text = compose(
      '  version: "3"\n  services:\n    db:\n      image: postgres\n    api:\n      image: api\n      depends_on: [dbb]\n    web:\n      image: web\n      depends_on:\n        apii:\n          condition: service_started',
    );
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.span, d.data?.suggestion]),
      [
        ['error', spanOf(text, 'dbb'), 'db'],
        ['error', spanOf(text, 'apii'), 'api'],
      ],
    );
    assert.match(
      diagnostics[0].message,
      /depends on 'dbb', which is not a service of this template; did you mean 'db'\?/,
    );
  });

  it('WF043: a depends_on cycle, on the entry that closes it', () => {
    const text = compose(
      '  version: "3"\n  services:\n    a:\n      image: x\n      depends_on: [b]\n    b:\n      image: x\n      depends_on: [a]\n    c:\n      image: x\n      depends_on: [c]',
    );
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.span, d.message]),
      [
        [insideBrackets(text, '[a]'), 'depends_on cycle: a → b → a; Compose cannot start any of these services'],
        [insideBrackets(text, '[c]'), 'depends_on cycle: c → c; Compose cannot start any of these services'],
      ],
    );
  });

  it('WF043: a long depends_on cycle is shown by its ends', () => {
    const services = Array.from(
      { length: 10 },
      (_, i) => `    s${i}:\n      image: x\n      depends_on: [s${(i + 1) % 10}]`,
    );
    const text = compose(`  version: "3"\n  services:\n${services.join('\n')}`);
    assert.deepEqual(
      found(text).map((d) => [d.span, d.message]),
      [
        [
          insideBrackets(text, '[s0]'),
          'depends_on cycle: s0 → s1 → s2 → … (5 more) → s8 → s9 → s0; Compose cannot start any of these services',
        ],
      ],
    );
  });

  it('WF103: an unknown condition (error); WF043: service_healthy on a service without healthcheck (warning)', () => {
    const text = compose(
      '  version: "3"\n  services:\n    db:\n      image: postgres\n    cache:\n      image: redis\n      healthcheck:\n        test: ["CMD", "redis-cli", "ping"]\n    web:\n      image: web\n      depends_on:\n        db:\n          condition: service_healthy\n        cache:\n          condition: service_ready',
    );
    assert.deepEqual(
      found(text, ['WF043', 'WF103']).map((d) => [d.severity, d.code, d.span]),
      [
        ['warning', 'WF043', spanOf(text, 'service_healthy')],
        ['error', 'WF103', spanOf(text, 'service_ready')],
      ],
    );
  });

  it('WF043: undeclared networks and named volumes; default network allowed', () => {
    const text = compose(
      '  version: "3"\n  services:\n    web:\n      image: web\n      networks: [front, default, bakc]\n      volumes:\n        - data:/data\n        - cache:/cache\n        - type: volume\n          source: logs\n          target: /logs\n  networks:\n    back: {}\n  volumes:\n    data: {}',
    );
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.span, d.data?.suggestion]),
      [
        ['error', spanOf(text, 'front'), undefined],
        ['error', spanOf(text, 'bakc'), 'back'],
        ['error', spanOf(text, 'cache:/cache'), undefined],
        ['error', spanOf(text, 'logs'), undefined],
      ],
    );
    assert.match(diagnostics[2].message, /mounts volume 'cache', which is not declared under the top-level `volumes`/);
  });

  it('WF043: fixed container_name, relative bind mounts, port and volume strings that do not parse', () => {
    const text = compose(
      '  version: "3"\n  services:\n    web:\n      image: web\n      container_name: web_1\n      ports:\n        - "80:http"\n        - 70000\n      volumes:\n        - ./site:/srv\n        - "data:/x:rx"\n  volumes:\n    data: {}',
    );
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.span]),
      [
        ['warning', spanOf(text, 'web_1')],
        ['error', spanOf(text, '"80:http"')],
        ['error', spanOf(text, '70000')],
        ['warning', spanOf(text, './site:/srv')],
        ['error', spanOf(text, '"data:/x:rx"')],
      ],
    );
    assert.equal(
      diagnostics[1].message,
      "invalid port mapping in service 'web': container port 'http' is not a number in '80:http'",
    );
    assert.match(
      diagnostics[3].message,
      /relative bind mount '.\/site' has no directory to resolve against: upstream WindFlow writes the Compose file to \/tmp\/windflow-deployments\/<id>\//,
    );
    assert.equal(diagnostics[4].message, "invalid volume: unknown volume mode 'rx' in 'data:/x:rx'");
  });

  it('WF043: unescaped $ in values, exactly on the interpolated part; $$ and Jinja output are left alone', () => {
    const text = compose(
      '  version: "3"\n  services:\n    web:\n      image: web\n      environment:\n        A: "pa$$word"\n        B: "x${HOME}y"\n        C: "cost: 5 $"\n        D: "{{ \'$\' }}$USER"',
    );
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.span, d.data?.replacement]),
      [
        ['warning', spanOf(text, '${HOME}'), '$${HOME}'],
        ['warning', spanOf(text, '$', { after: 'cost: 5 ' }), '$$'],
        ['warning', spanOf(text, '$USER'), '$$USER'],
      ],
    );
    assert.match(diagnostics[1].message, /a lone `\$` makes docker compose reject the file/);
  });

  it('WF043: a password generated with special characters reaches the Compose file (information on the use)', () => {
    const text = compose(
      '  version: "3"\n  services:\n    db:\n      image: postgres\n      environment:\n        A: "{{ pw }}"\n        B: "{{ safe }}"\n        C: "{{ generate_password(8) }}"',
      {
        variables:
          '  pw:\n    type: password\n    label: P\n    default: "{{ generate_password(20) }}"\n  safe:\n    type: password\n    label: S\n    default: "{{ generate_password(20, include_special=False) }}"',
      },
    );
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.span]),
      [
        ['information', spanOf(text, 'pw', { after: 'A: "{{ ' })],
        ['information', spanOf(text, 'generate_password', { after: 'C: "{{ ' })],
      ],
    );
    assert.match(diagnostics[0].message, /the generated default of 'pw' may contain `\$`/);
  });

  it('WF043: a literal default with $ reaching the Compose file (warning, value not repeated)', () => {
    const text = compose(
      '  version: "3"\n  services:\n    db:\n      image: postgres\n      environment:\n        A: "{{ pw }}"\n        B: "{{ ok }}"',
      {
        variables:
          '  pw:\n    type: password\n    label: P\n    default: "se$cret"\n  ok:\n    type: string\n    label: O\n    default: "5$$"',
      },
    );
    const [d, ...rest] = found(text);
    assert.deepEqual(rest, []);
    assert.deepEqual([d.severity, d.span], ['warning', spanOf(text, 'pw', { after: 'A: "{{ ' })]);
    assert.match(d.message, /the default of 'pw' contains `\$`, which docker compose interpolates/);
    assert.ok(!d.message.includes('se$cret'));
  });

  it('WF043: configs and secrets a service uses must be declared at the top level', () => {
    const text = compose(
      '  version: "3"\n  services:\n    web:\n      image: web\n      configs:\n        - site\n        - source: caddyfil\n          target: /etc/caddy/Caddyfile\n      secrets: [token]\n  configs:\n    caddyfile:\n      content: x\n  secrets:\n    token:\n      file: ./token',
    );
    assert.deepEqual(
      found(text).map((d) => [d.severity, d.span, d.data?.suggestion]),
      [
        ['error', spanOf(text, 'site'), undefined],
        ['error', spanOf(text, 'caddyfil'), 'caddyfile'],
      ],
    );
    assert.match(found(text)[0].message, /uses config 'site', which is not declared under the top-level `configs`/);
  });

  it('WF043: conflicting mounts on one path (bind plus config)', () => {
    const text = compose(
      '  version: "3"\n  services:\n    web:\n      image: caddy\n      volumes:\n        - /etc/site:/etc/caddy/Caddyfile\n      configs:\n        - source: caddyfile\n          target: /etc/caddy/Caddyfile\n  configs:\n    caddyfile:\n      content: x',
    );
    const [d] = found(text);
    assert.deepEqual([d.severity, d.span], ['warning', spanOf(text, '/etc/caddy/Caddyfile', { nth: 1 })]);
    assert.match(
      d.message,
      /mounts '\/etc\/caddy\/Caddyfile' twice \(also as volume '\/etc\/site:\/etc\/caddy\/Caddyfile'\)/,
    );
  });

  it('merge keys are resolved: image and depends_on from an anchor count, and a fault in the anchor is reported there for each service', () => {
    const text = compose(
      '  version: "3"\n  x-base: &base\n    image: web\n    depends_on: [missing]\n  services:\n    a:\n      <<: *base\n    b:\n      <<: [*base]\n      image: other',
    );
    assert.deepEqual(
      found(text).map((d) => [d.severity, d.span, d.message.slice(0, 38)]),
      [
        ['error', spanOf(text, 'missing'), "service 'a' depends on 'missing', whic"],
        ['error', spanOf(text, 'missing'), "service 'b' depends on 'missing', whic"],
      ],
    );
  });

  it('docker_swarm: build is impossible; container_name is only WF160 (Swarm skips it), not a name-conflict warning', () => {
    const text = compose('  version: "3"\n  services:\n    web:\n      build: .\n      container_name: web', {
      targetType: 'docker_swarm',
    });
    assert.deepEqual(
      found(text, ['WF042', 'WF043']).map((d) => [d.code, d.severity, d.span, d.message]),
      [['WF042', 'error', spanOf(text, 'web'), "service 'web' needs an `image`: a Swarm stack cannot build images"]],
    );
    assert.deepEqual(
      found(text, ['WF160']).map((d) => [d.severity, d.span.start]),
      [
        ['information', text.indexOf('build')],
        ['information', text.indexOf('container_name')],
      ],
    );
  });

  it('odd shapes never throw', () => {
    const templates = [
      '  - a',
      '  services: [a]',
      '  services:\n    a: [1]\n    b:\n      <<: 5\n      image: x\n      depends_on: 5\n      networks: 5\n      volumes: [null, 3, {}]\n      ports: [null, {}, [1]]\n      healthcheck: 5\n      configs: [5, {}]',
      '  x: &a\n    image: b\n  services: *a',
    ];
    for (const targetType of ['docker', 'docker_compose', 'docker_swarm', 'kubernetes', 'vm']) {
      for (const template of templates) assert.ok(Array.isArray(diagnose(stack({ targetType, template }))));
    }
  });

  it('WF044: docker_swarm is deployed as a Swarm stack (information on target_type)', () => {
    const text = compose('  version: "3"\n  services:\n    web:\n      image: web', { targetType: 'docker_swarm' });
    const [d] = found(text);
    assert.deepEqual([d.code, d.severity, d.span], ['WF044', 'information', spanOf(text, 'docker_swarm')]);
  });
});

describe('compose samples and fixtures', () => {
  it('the Baserow sample: its real Compose faults and nothing else from these families', () => {
    const text = readSample('upstream-baserow.yaml');
    const diagnostics = found(text, ['WF042', 'WF043', 'WF044', 'WF045', 'WF046']);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.span]),
      [
        ['WF046', 'information', spanOf(text, '"Baserow - No-Code Database Platform"')],
        ['WF046', 'warning', spanOf(text, '"deployment_name"')],
        ['WF043', 'warning', spanOf(text, 'baserow_db', { after: 'container_name: ' })],
        ['WF043', 'information', spanOf(text, 'db_password', { after: 'POSTGRES_PASSWORD: "{{ ' })],
        ['WF043', 'warning', spanOf(text, 'baserow_redis', { after: 'container_name: ' })],
        ['WF043', 'information', spanOf(text, 'redis_password', { after: '--requirepass "{{ ' })],
        ['WF043', 'warning', spanOf(text, 'baserow_backend')],
        ['WF043', 'information', spanOf(text, 'db_password', { after: 'DATABASE_PASSWORD: "{{ ' })],
        ['WF043', 'information', spanOf(text, 'redis_password', { after: 'REDIS_PASSWORD: "{{ ' })],
        ['WF043', 'warning', spanOf(text, 'baserow_frontend')],
        ['WF043', 'warning', spanOf(text, 'baserow_caddy')],
        ['WF043', 'warning', spanOf(text, './Caddyfile:/etc/caddy/Caddyfile:ro')],
        ['WF043', 'warning', spanOf(text, '/etc/caddy/Caddyfile', { after: 'source: caddyfile' })],
        ['WF043', 'warning', spanOf(text, '$DOMAIN')],
      ],
    );
  });

  it('a clean Compose stack has no error or warning at all', () => {
    const text = readFileSync(path.join(__dirname, '../fixtures/stacks/compose-clean.yaml'), 'utf8');
    const problems = diagnose(text).filter((d) => d.severity === 'error' || d.severity === 'warning');
    assert.deepEqual(problems, []);
  });
});
