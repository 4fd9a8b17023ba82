import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkStack, IncrementalStackParser, parseStack, StackDiagnostic } from '../../server/src/stack';
import { generateComposeStack } from '../../bench/generate';
import { diagnose, spanOf, stack } from './util';

const FIXTURES = path.resolve(__dirname, '../fixtures/compose');

function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** The codes of the schema checks (WF109, Compose files, is a compose-family warning). */
const SCHEMA_CODES = /^WF10[0-8]$/;

function schemaFindings(text: string): StackDiagnostic[] {
  return diagnose(text).filter((d) => SCHEMA_CODES.test(d.code));
}

/** Replaces the first occurrence of `from` (after `after`, when given) and says where the new text is. */
function inject(text: string, from: string, to: string, after?: string): string {
  const at = text.indexOf(from, after ? text.indexOf(after) : 0);
  assert.ok(at >= 0, `'${from}' not found`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** The diagnostics a fault added to a file (compared by code and message: the fault may move later ranges). */
function added(clean: string, faulty: string): StackDiagnostic[] {
  const before = new Set(diagnose(clean).map((d) => `${d.code} ${d.message}`));
  return diagnose(faulty).filter((d) => !before.has(`${d.code} ${d.message}`));
}

function compose(template: string, variables = '  {}', targetType = 'docker_compose'): string {
  return stack({ targetType, template: `  version: "3.9"\n${template}`, variables });
}

describe('template schema: real Compose files stay clean', () => {
  for (const name of readdirSync(FIXTURES).filter((file) => file.endsWith('.yaml'))) {
    it(`${name}: no error, no schema finding`, () => {
      const diagnostics = diagnose(fixture(name));
      assert.deepEqual(
        diagnostics.filter((d) => d.severity === 'error' || SCHEMA_CODES.test(d.code)),
        [],
      );
    });
  }

  it('the only warnings are where a WindFlow deploy behaves differently', () => {
    const warnings = readdirSync(FIXTURES)
      .filter((file) => file.endsWith('.yaml'))
      .flatMap((file) =>
        diagnose(fixture(file))
          .filter((d) => d.severity === 'warning')
          .map((d) => `${file} ${d.code}`),
      );
    // Upstream needs `version`; label_file and env_file have no files beside a WindFlow deployment; ${MEDIA_PATH}
    // without a default is empty where WindFlow runs docker compose.
    assert.deepEqual(warnings, [
      'modern-compose.stack.yaml WF042',
      'modern-compose.stack.yaml WF109',
      'modern-compose.stack.yaml WF109',
      'nextcloud.stack.yaml WF043',
    ]);
  });
});

describe('template schema: one injected fault, one diagnostic on its exact range', () => {
  const cases: {
    fault: string;
    file: string;
    from: string;
    to: string;
    after?: string;
    code: string;
    severity: string;
    range: string;
    message: RegExp;
  }[] = [
    {
      fault: 'misspelled key',
      file: 'gitea.stack.yaml',
      from: 'shm_size: 128mb',
      to: 'shm_sze: 128mb',
      code: 'WF100',
      severity: 'error',
      range: 'shm_sze',
      message: /^'shm_sze' is not a Compose key in services\.db; did you mean 'shm_size'\?$/,
    },
    {
      fault: 'key at the wrong level',
      file: 'swarm-voting.stack.yaml',
      from: 'mode: replicated\n',
      to: 'mode: replicated\n        image: nginx\n',
      code: 'WF101',
      severity: 'error',
      range: 'image',
      message:
        /^'image' is not allowed here in services\.vote\.deploy: it belongs to a service \(`services\.<name>\.image`\)$/,
    },
    {
      fault: 'wrong type',
      file: 'swarm-voting.stack.yaml',
      from: 'replicas: 1',
      to: 'replicas: two',
      code: 'WF102',
      severity: 'error',
      range: 'two',
      message: /^replicas must be an integer, not 'two' \(a string\)$/,
    },
    {
      fault: 'value not allowed',
      file: 'nextcloud.stack.yaml',
      from: 'condition: service_healthy\n          restart',
      to: 'condition: service_healty\n          restart',
      code: 'WF103',
      severity: 'error',
      range: 'service_healty',
      message:
        /^condition must be one of service_started, service_healthy, service_completed_successfully, not 'service_healty'; did you mean 'service_healthy'\?$/,
    },
    {
      fault: 'value not allowed (Swarm)',
      file: 'swarm-voting.stack.yaml',
      from: 'order: start-first',
      to: 'order: start_first',
      code: 'WF103',
      severity: 'error',
      range: 'start_first',
      message: /^order must be one of start-first, stop-first, not 'start_first'; did you mean 'start-first'\?$/,
    },
    {
      fault: 'missing required field',
      file: 'nextcloud.stack.yaml',
      from: '        - type: volume\n          source: db',
      to: '        - source: db',
      code: 'WF104',
      severity: 'error',
      range: 'source',
      message: /is missing the required field `type`$/,
    },
    {
      fault: 'number out of range',
      file: 'swarm-voting.stack.yaml',
      from: 'replicas: 1',
      to: 'replicas: -1',
      code: 'WF105',
      severity: 'error',
      range: '-1',
      message: /^replicas must be at least 0, not -1$/,
    },
    {
      fault: 'a variable that renders to the wrong type',
      file: 'swarm-voting.stack.yaml',
      from: 'replicas: 1',
      to: 'replicas: "{{ title }}"',
      code: 'WF106',
      severity: 'warning',
      range: '"{{ title }}"',
      message: /^replicas must be an integer, but 'title' defaults to 'Cats vs Dogs'$/,
    },
  ];
  for (const testCase of cases) {
    it(`${testCase.fault} → ${testCase.code}`, () => {
      const clean = fixture(testCase.file);
      const faulty = inject(clean, testCase.from, testCase.to, testCase.after);
      const diagnostics = added(clean, faulty);
      assert.equal(diagnostics.length, 1, diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
      const [d] = diagnostics;
      const at = faulty.indexOf(testCase.to) + testCase.to.indexOf(testCase.range);
      assert.deepEqual(
        [d.code, d.severity, d.span],
        [testCase.code, testCase.severity, { start: at, end: at + testCase.range.length }],
      );
      assert.match(d.message, testCase.message);
    });
  }

  it('an unquoted {{ x }} is one error on the value, with the quoted text for the quick fix', () => {
    const clean = fixture('swarm-voting.stack.yaml');
    const faulty = inject(clean, 'replicas: "{{ replicas }}"', 'replicas: {{ replicas }}');
    const diagnostics = added(clean, faulty).filter((d) => d.severity !== 'information');
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.span, d.data?.quoted]),
      [['WF107', 'error', spanOf(faulty, '{{ replicas }}'), '"{{ replicas }}"']],
    );
  });
});

describe('template schema: Jinja and interpolation', () => {
  const variables = [
    '  replicas:\n    type: integer\n    label: Replicas\n    default: 2',
    '  name:\n    type: string\n    label: Name\n    default: web',
    '  count:\n    type: string\n    label: Count\n    default: "3"',
    '  verbose:\n    type: boolean\n    label: Verbose\n    default: true',
    '  policy:\n    type: string\n    label: Policy\n    default: sometimes',
  ].join('\n');

  it('a {{ variable }} is judged by its type and default; {% %} logic never', () => {
    const text = compose(
      [
        '  services:',
        '    web:',
        '      image: nginx',
        '      tty: "{{ verbose }}"',
        '      scale: "{{ count }}"',
        '      oom_score_adj: "{% if verbose %}10{% else %}oops{% endif %}"',
        '      deploy:',
        '        replicas: "{{ replicas }}"',
        '      healthcheck:',
        '        retries: "{{ name }}"',
        '      pull_policy: "{{ policy }}"',
        '      cpu_count: "{{ name | int }}"',
      ].join('\n'),
      variables,
    );
    assert.deepEqual(
      schemaFindings(text).map((d) => [d.code, d.severity, d.span, d.data?.variable]),
      [
        ['WF106', 'warning', spanOf(text, '"{{ name }}"'), 'name'],
        ['WF106', 'warning', spanOf(text, '"{{ policy }}"'), 'policy'],
      ],
    );
    assert.match(schemaFindings(text)[1].message, /pull_policy must be a string \(one of always, never/);
  });

  it('a variable with an enum: each value the deploy form offers must fit', () => {
    const text = compose(
      '  services:\n    web:\n      image: nginx\n      restart: "{{ policy }}"\n      tty: "{{ mode }}"',
      [
        '  policy:\n    type: string\n    label: Restart\n    default: always\n    enum: [always, unless-stopped, sometimes]',
        '  mode:\n    type: string\n    label: Mode\n    default: "true"\n    enum: ["true", "false"]',
      ].join('\n'),
    );
    assert.deepEqual(
      schemaFindings(text).map((d) => [d.code, d.span, d.message]),
      [
        [
          'WF106',
          spanOf(text, '"{{ policy }}"'),
          "restart must be a string (one of no, always, on-failure, unless-stopped), but 'policy' may be 'sometimes' (one of its enum values)",
        ],
      ],
    );
  });

  it('Compose converts strings after interpolation: "3", "true" and ${VAR} are accepted, "maybe" is not', () => {
    const text = compose(
      [
        '  services:',
        '    web:',
        '      image: nginx',
        '      tty: "true"',
        '      privileged: ${PRIVILEGED:-false}',
        '      scale: "3"',
        '      init: maybe',
        '      volumes:',
        '        - ${MEDIA_PATH}:/media',
        '        - ${DATA:-/srv/data}:/data',
        '      ports:',
        '        - "${PORT:-8080}:80"',
      ].join('\n'),
    );
    assert.deepEqual(
      diagnose(text)
        .filter((d) => d.severity === 'error')
        .map((d) => [d.code, d.span]),
      [['WF102', spanOf(text, 'maybe')]],
    );
  });

  it('a Jinja string where a mapping is needed is a warning; in a key it is left alone', () => {
    const text = compose(
      '  services:\n    web:\n      image: nginx\n      environment: "{{ name }}"\n      labels:\n        "{{ name }}.enabled": "true"',
      variables,
    );
    assert.deepEqual(
      schemaFindings(text).map((d) => [d.code, d.span]),
      [['WF106', spanOf(text, '"{{ name }}"')]],
    );
  });

  it('a service name Compose refuses, and a service key written in the service instead of deploy', () => {
    const text = compose('  services:\n    my web:\n      image: nginx\n    api:\n      image: api\n      replicas: 2');
    assert.deepEqual(
      schemaFindings(text).map((d) => [d.code, d.span, d.message]),
      [
        [
          'WF100',
          spanOf(text, 'my web'),
          "'my web' is not a valid name in services: names must match ^[a-zA-Z0-9._-]+$",
        ],
        [
          'WF101',
          spanOf(text, 'replicas'),
          "'replicas' is not allowed here in services.api: it belongs to a service's deploy section (`services.<name>.deploy.replicas`)",
        ],
      ],
    );
  });

  it('durations (healthcheck, stop_grace_period, Swarm update and restart settings) must parse', () => {
    const text = compose(
      [
        '  services:',
        '    web:',
        '      image: nginx',
        '      stop_grace_period: 1m30s',
        '      healthcheck:',
        '        test: ["CMD", "true"]',
        '        timeout: 5sec',
        '        start_period: ${START:-30s}',
        '      deploy:',
        '        restart_policy:',
        '          window: 2 minutes',
      ].join('\n'),
    );
    assert.deepEqual(
      schemaFindings(text).map((d) => [d.code, d.span]),
      [
        ['WF103', spanOf(text, '5sec')],
        ['WF103', spanOf(text, '2 minutes')],
      ],
    );
  });

  it('WF109: include, env_file and label_file name files a WindFlow deployment does not have', () => {
    const text = compose(
      '  include:\n    - other.yaml\n  services:\n    web:\n      image: nginx\n      env_file: .env\n      label_file: ./labels',
    );
    assert.deepEqual(
      diagnose(text)
        .filter((d) => d.code === 'WF109')
        .map((d) => [d.severity, d.span]),
      [
        ['warning', spanOf(text, 'include')],
        ['warning', spanOf(text, 'env_file')],
        ['warning', spanOf(text, 'label_file')],
      ],
    );
  });

  it('x- extension keys and merge keys: the merged keys are checked where they are written', () => {
    const text = compose(
      '  x-base: &base\n    restart: always\n    shm_sze: 1g\n  services:\n    a:\n      <<: *base\n      image: x\n      x-note: anything\n    b:\n      <<: *base\n      image: y',
    );
    assert.deepEqual(
      schemaFindings(text).map((d) => [d.code, d.span]),
      [['WF100', spanOf(text, 'shm_sze')]],
    );
  });

  it('a docker template: the keys the deployer shares with Compose are typed like Compose', () => {
    const text = stack({ template: '  image: busybox\n  command:\n    run: now\n  user: 1000' });
    assert.deepEqual(
      schemaFindings(text).map((d) => [d.code, d.span]),
      [
        ['WF102', spanOf(text, 'command')],
        ['WF102', spanOf(text, '1000')],
      ],
    );
  });

  it('an unquoted {{ x }} in target_parameters and in a variable default: one error each, nothing else said about it', () => {
    const text = stack({
      template: '  image: busybox\n  command: {{ cmd }}',
      variables: [
        '  tag:\n    type: string\n    label: Tag\n    default: {{ generate_password(8) }}',
        '  cmd:\n    type: string\n    label: Command\n    default: run',
      ].join('\n'),
    }).replace('variables:', 'target_parameters:\n  volumes: {{ volume }}\nvariables:');
    const unquoted = ['{{ cmd }}', '{{ volume }}', '{{ generate_password(8) }}'].map((value) => spanOf(text, value));
    const diagnostics = diagnose(text);
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'WF107').map((d) => d.span),
      unquoted,
    );
    // Not "not a list" (WF007, WF045), "not text" (WF030), nor "cmd is never used" (WF033).
    assert.deepEqual(
      diagnostics
        .filter((d) => d.code !== 'WF107' && unquoted.some((span) => span.start === d.span.start))
        .map((d) => d.code),
      [],
    );
    assert.ok(!diagnostics.some((d) => d.code === 'WF033' && d.data?.name === 'cmd'));
  });
});

describe('template schema: findings reused between edits equal a fresh check', () => {
  it('edits in services, in variable defaults and ones that move everything below', () => {
    let text = generateComposeStack(60, 5);
    const parser = new IncrementalStackParser();
    const schemaOf = (diagnostics: StackDiagnostic[]) =>
      diagnostics
        .filter((d) => SCHEMA_CODES.test(d.code))
        .map((d) => `${d.code} ${d.span.start}-${d.span.end} ${d.message}`);
    const edits: [string, string][] = [
      ['    svc10:\n      image:', '    svc10:\n      shm_sze: 1g\n      image:'],
      ['    svc40:\n      image:', '    svc40:\n      deploy:\n        replicas: "{{ var_1 }}"\n      image:'],
      ['  var_1:\n    type: string', '  var_1:\n    type: integer'],
      ['    default: "v1"', '    default: 3'],
      ['    svc2:\n', '    svc2:\n      tty: maybe\n'],
      ['      shm_sze: 1g\n', ''],
    ];
    parser.update(text);
    for (const [from, to] of edits) {
      assert.ok(text.includes(from), from);
      text = text.replace(from, to);
      const incremental = checkStack(parser.update(text));
      assert.equal(parser.lastUpdate.mode, 'chunks');
      assert.deepEqual(schemaOf(incremental), schemaOf(checkStack(parseStack(text))), to);
    }
    assert.deepEqual(
      schemaOf(checkStack(parseStack(text))).map((line) => line.split(' ')[0]),
      ['WF102'],
    );
  });
});
