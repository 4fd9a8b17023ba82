import assert from 'node:assert/strict';
import type { RenderedStack } from '../../client/src/targets/target';
import { parseStack } from '../../server/src/stack';
import { RandomSource } from '../../server/src/stack/helpers';
import {
  maskSecrets,
  RenderOptions,
  RenderResult,
  renderedTemplateYaml,
  renderStack,
  resolveValues,
} from '../../server/src/stack/render';
import { readSample, spanOf, stack } from './util';

/** Always the lowest value, so every random helper gives its first character or word. */
const lowest: RandomSource = { int: (min) => min };
const fixedNow = () => new Date(Date.UTC(2024, 2, 5, 7, 8, 9));
const deterministic: RenderOptions = { random: lowest, now: fixedNow, isPortFree: (port) => port >= 5433 };

function render(text: string, options: RenderOptions = {}): RenderResult {
  return renderStack(parseStack(text), { ...deterministic, ...options });
}

/** Renders one template value `x` with the given variables. */
function renderOne(
  expression: string,
  variables: string,
  options: RenderOptions = {},
): { value: unknown; result: RenderResult } {
  const result = render(stack({ template: `  x: ${JSON.stringify(expression)}`, variables }), options);
  return { value: (result.template as Record<string, unknown>).x, result };
}

const VARIABLES = [
  '  flag: {type: boolean, label: Flag, default: false}',
  '  enabled: {type: boolean, label: Enabled, default: true}',
  '  count: {type: integer, label: Count, default: 3}',
  '  ratio: {type: number, label: Ratio, default: 0.5}',
  '  tag: {type: string, label: Tag, default: "alpine"}',
  '  unset: {type: string, label: Unset}',
  '  empty: {type: string, label: Empty, default: null}',
  '  performance:',
  '    type: group',
  '    label: Performance',
  '    variables:',
  '      shared_buffers: {type: string, label: Buffers, default: "256MB"}',
  '      max_connections: {type: integer, label: Connections, default: 100}',
  '      verbose: {type: boolean, label: Verbose, default: true}',
].join('\n');

describe('renderStack', () => {
  describe('Python spelling', () => {
    const cases: [string, string][] = [
      ['{{ flag }}', 'False'],
      ['{{ enabled }}', 'True'],
      ['{{ none }}', 'None'],
      ['{{ count }}/{{ ratio }}', '3/0.5'],
      ['{{ 1 == 1 }}', 'True'],
      ['{{ 2.0 }}', '2.0'],
      ['{{ performance }}', "{'shared_buffers': '256MB', 'max_connections': 100, 'verbose': True}"],
      ["{{ [1, flag, none, \"it's\", 'a\\\\b'] }}", `[1, False, None, "it's", 'a\\\\b']`],
      ["{{ 'enabled=' ~ enabled }}", 'enabled=True'],
      ['{{ flag | string }}', 'False'],
      ['{{ dict(a=flag) }}', "{'a': False}"],
      ['{{ env }}', '<function env>'],
    ];
    for (const [expression, expected] of cases) {
      it(`${expression} → ${expected}`, () => {
        const { value, result } = renderOne(expression, VARIABLES);
        assert.deepEqual(result.errors, []);
        assert.equal(value, expected);
      });
    }
  });

  describe('Jinja2 behaviour', () => {
    const cases: [string, string][] = [
      ['a-{{ nope }}-b', 'a--b'],
      ['{{ unset }}|{{ empty }}', '|'],
      ['{{ performance.nope }}', ''],
      ["{{ nope | default('x') }}", 'x'],
      ['{{ nope | upper }}', ''],
      ['{{ tag.upper() }}-{{ tag | upper }}-{{ tag.replace("al", "AL") }}', 'ALPINE-ALPINE-ALpine'],
      ["{{ performance['shared_buffers'] }}", '256MB'],
      ['{% for i in range(3) %}{{ i }},{% endfor %}', '0,1,2,'],
      ['{% if flag %}yes{% else %}no{% endif %}', 'no'],
      ['{% set local = count * 2 %}{{ local }}', '6'],
      ['{# a comment #}{{ tag }}', 'alpine'],
      ['{{ random_choice(1, 2) + 1 }}', '2'],
      ["{{ generate_animalname('pg', style='docker') }}", 'pg-ably-aardvark-aaaa'],
      ['{{ now() }} {{ now(format="%Y") }}', '2024-03-05 07:08:09 2024'],
    ];
    for (const [expression, expected] of cases) {
      it(`${expression} → ${JSON.stringify(expected)}`, () => {
        const { value, result } = renderOne(expression, VARIABLES);
        assert.deepEqual(result.errors, []);
        assert.equal(value, expected);
      });
    }

    it('a {% set %} does not leak into the next string', () => {
      const text = stack({ template: '  a: "{% set t = 1 %}{{ t }}"\n  b: "[{{ t }}]"', variables: VARIABLES });
      assert.deepEqual(render(text).template, { a: '1', b: '[]' });
    });

    it('keeps the string verbatim and records where, for an undefined name with an attribute, an unknown function and a syntax error', () => {
      const text = stack({
        template:
          '  a: "x={{ perf.shared }}"\n  b: "{{ tag }} {{ foo(1) }}"\n  c: "{{ oops "\n  d: "{{ performance.nope.deeper }}"',
        variables: VARIABLES,
      });
      const result = render(text);
      assert.deepEqual(result.template, {
        a: 'x={{ perf.shared }}',
        b: '{{ tag }} {{ foo(1) }}',
        c: '{{ oops ',
        d: '{{ performance.nope.deeper }}',
      });
      assert.equal(result.ok, false);
      assert.deepEqual(result.errors, [
        {
          message: "'perf' is undefined, so 'shared' of it cannot be read",
          path: ['template', 'a'],
          span: spanOf(text, '{{ perf.shared }}'),
        },
        { message: "no function named 'foo'", path: ['template', 'b'], span: spanOf(text, '{{ foo(1) }}') },
        {
          message: 'Jinja syntax error: Unexpected end of input',
          path: ['template', 'c'],
          span: spanOf(text, '{{ oops '),
        },
        {
          message: "'performance.nope' is undefined, so 'deeper' of it cannot be read",
          path: ['template', 'd'],
          span: spanOf(text, '{{ performance.nope.deeper }}'),
        },
      ]);
    });

    it('renders each string leaf on its own: keys stay, numbers, booleans and null pass through', () => {
      const text = stack({
        template:
          '  "{{ tag }}": "{{ tag }}"\n  replicas: 3\n  enabled: true\n  nothing: null\n  list: ["{{ count }}", 4]',
        variables: VARIABLES,
      });
      assert.deepEqual(render(text).template, {
        '{{ tag }}': 'alpine',
        replicas: 3,
        enabled: true,
        nothing: null,
        list: ['3', 4],
      });
    });

    it('removes one trailing newline from every string, with or without Jinja', () => {
      const text = stack({
        template:
          '  plain: |\n    line\n  kept: |+\n    two\n\n  templated: |\n    {{ tag }}\n  crlf: "a\\r\\nb\\r\\n"',
        variables: VARIABLES,
      });
      assert.deepEqual(render(text).template, { plain: 'line', kept: 'two\n', templated: 'alpine', crlf: 'a\nb' });
    });

    it('fails a runaway loop with an error instead of hanging', () => {
      const { value, result } = renderOne(
        '{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}',
        VARIABLES,
      );
      assert.equal(value, '{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}');
      assert.deepEqual(
        result.errors.map((error) => error.message),
        ['rendering takes more than 50000 steps (a loop that is too large?)'],
      );
      const doubling = renderOne(
        "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        VARIABLES,
      );
      assert.deepEqual(
        doubling.result.errors.map((error) => error.message),
        ['the rendered text is longer than 5000000 characters'],
      );
      const huge = renderOne('{{ range(10000000) | length }}', VARIABLES);
      assert.deepEqual(
        huge.result.errors.map((error) => error.message),
        ['range() of 10000000 numbers is larger than 10000'],
      );
    });
  });

  describe('values', () => {
    it('user values are literals, dotted keys set one member, an object replaces a group', () => {
      const text = stack({ template: '  a: "{{ tag }}"\n  b: "{{ performance }}"', variables: VARIABLES });
      const dotted = render(text, { values: { tag: '{{ 7*7 }}', 'performance.shared_buffers': '1GB' } });
      assert.deepEqual(dotted.template, {
        a: '{{ 7*7 }}',
        b: "{'shared_buffers': '1GB', 'max_connections': 100, 'verbose': True}",
      });
      const replaced = render(text, { values: { performance: { work_mem: '8MB' } } });
      assert.equal((replaced.template as Record<string, string>).b, "{'work_mem': '8MB'}");
      assert.deepEqual(replaced.values.performance, { work_mem: '8MB' });
    });

    it('a user key cannot reach Object.prototype', () => {
      const text = stack({ template: '  a: "{{ tag }}"', variables: VARIABLES });
      const result = render(text, { values: { '__proto__.polluted': 'yes', 'constructor.prototype.polluted': 'yes' } });
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.deepEqual(Object.keys(result.values).slice(-2), ['__proto__', 'constructor']);
    });

    it('an absent or null default leaves the variable out unless the user gives one', () => {
      const text = stack({ template: '  a: "[{{ unset }}]"', variables: VARIABLES });
      const result = render(text);
      assert.equal('unset' in result.values, false);
      assert.equal('empty' in result.values, false);
      assert.deepEqual(render(text, { values: { unset: 'given' } }).template, { a: '[given]' });
    });

    it('defaults may reference other variables, in dependency order whatever the declaration order', () => {
      const variables = [
        '  url: {type: string, label: URL, default: "https://{{ host }}:{{ port }}/"}',
        '  host: {type: string, label: Host, default: "{{ name }}.example.org"}',
        '  port: {type: integer, label: Port, default: 8080}',
        '  name: {type: string, label: Name, default: "{{ generate_animalname(\'app\') }}"}',
      ].join('\n');
      const { values, errors } = resolveValues(parseStack(stack({ variables })), deterministic);
      assert.deepEqual(errors, []);
      assert.deepEqual(values, {
        url: 'https://app-able-aardvark.example.org:8080/',
        host: 'app-able-aardvark.example.org',
        port: 8080,
        name: 'app-able-aardvark',
      });
    });

    it('a user value replaces a default before anything depends on it', () => {
      const variables =
        '  a: {type: string, label: A, default: "{{ b }}!"}\n  b: {type: string, label: B, default: "{{ 1 + 1 }}"}';
      assert.deepEqual(resolveValues(parseStack(stack({ variables })), { values: { b: '{{ x }}' } }).values, {
        a: '{{ x }}!',
        b: '{{ x }}',
      });
    });

    it('a cycle between defaults is an error naming the cycle, placed on the reference', () => {
      const variables = [
        '  a: {type: string, label: A, default: "{{ b }}-a"}',
        '  b: {type: string, label: B, default: "{{ a }}-b"}',
        '  c: {type: string, label: C, default: "{{ c }}"}',
      ].join('\n');
      const text = stack({ variables });
      const { values, errors } = resolveValues(parseStack(text), deterministic);
      assert.deepEqual(errors, [
        {
          message: 'variable defaults depend on each other in a cycle: a → b → a',
          path: ['variables', 'a', 'default'],
          span: spanOf(text, '{{ b }}'),
        },
        {
          message: 'variable defaults depend on each other in a cycle: c → c',
          path: ['variables', 'c', 'default'],
          span: spanOf(text, '{{ c }}'),
        },
      ]);
      assert.deepEqual(values, { a: '{{ b }}-a', b: '{{ a }}-b', c: '{{ c }}' });
    });

    it('group members see other variables and members of their group', () => {
      const variables = [
        '  domain: {type: string, label: Domain, default: "example.org"}',
        '  mail:',
        '    type: group',
        '    label: Mail',
        '    variables:',
        '      from: {type: string, label: From, default: "{{ mail.user }}@{{ domain }}"}',
        '      user: {type: string, label: User, default: "noreply"}',
      ].join('\n');
      assert.deepEqual(resolveValues(parseStack(stack({ variables }))).values, {
        domain: 'example.org',
        mail: { from: 'noreply@example.org', user: 'noreply' },
      });
    });

    it('env() is refused unless allowed, then reads the given environment', () => {
      const variables = "  home: {type: string, label: Home, default: \"{{ env('APP_HOME', '/srv') }}\"}";
      const text = stack({ template: '  x: "{{ home }}"', variables });
      const refused = render(text);
      assert.deepEqual(
        refused.errors.map((error) => [error.message, error.path]),
        [['env() is disabled in untrusted workspaces', ['variables', 'home', 'default']]],
      );
      assert.deepEqual(render(text, { allowEnv: true, env: { APP_HOME: '/opt/app' } }).template, { x: '/opt/app' });
      assert.deepEqual(render(text, { allowEnv: true, env: {} }).template, { x: '/srv' });
    });
  });

  describe('deployment_name', () => {
    const variables = [
      '  name: {type: string, label: Name, default: "{{ generate_animalname(\'web\') }}"}',
      '  g:',
      '    type: group',
      '    label: G',
      '    variables:',
      '      m: {type: string, label: M, default: "member"}',
      '  early: {type: string, label: Early, default: "[{{ deployment_name }}]"}',
    ].join('\n');
    const template = '  container_name: "{{ deployment_name }}"\n  early: "{{ early }}"';

    it('is the name given, injected for the template but not for values', () => {
      const result = render(stack({ template, variables }), { deploymentName: 'mine' });
      assert.equal(result.deploymentName, 'mine');
      assert.deepEqual(result.template, { container_name: 'mine', early: '[]' });
    });

    it('else metadata.deployment_name rendered with helpers and top-level values (not groups)', () => {
      const text = stack({
        template,
        variables,
        extraMetadata: '  deployment_name: "{{ name }}-{{ g.m | default(\'x\') }}"',
      });
      const result = render(text);
      assert.equal(result.deploymentName, "{{ name }}-{{ g.m | default('x') }}");
      assert.deepEqual(
        result.errors.map((error) => [error.message, error.path, error.span]),
        [
          [
            "'g' is undefined, so 'm' of it cannot be read",
            ['metadata', 'deployment_name'],
            spanOf(text, "{{ g.m | default('x') }}"),
          ],
        ],
      );
      const plain = render(stack({ template, variables, extraMetadata: '  deployment_name: "{{ name }}-db"' }));
      assert.equal(plain.deploymentName, 'web-able-aardvark-db');
      assert.equal((plain.template as Record<string, string>).container_name, 'web-able-aardvark-db');
    });

    it('else <metadata.name>-<UTC YYYYmmdd-HHMMSS>, also when deployment_name renders empty', () => {
      assert.equal(render(stack({ template, variables })).deploymentName, 'demo-20240305-070809');
      const empty = render(stack({ template, variables, extraMetadata: '  deployment_name: "{{ nothing }}"' }));
      assert.equal(empty.deploymentName, 'demo-20240305-070809');
    });
  });

  describe('secrets', () => {
    const variables = [
      '  db_password: {type: password, label: Password, default: "{{ generate_password(8) }}"}',
      '  user: {type: string, label: User, default: "admin"}',
    ].join('\n');
    const template = '  password: "{{ db_password }}"\n  key: "{{ generate_secret(6) }}"\n  user: "{{ user }}"';

    it('collects password values and secret helper results, and masks them in the YAML view', () => {
      const result = render(stack({ template, variables }), { values: {} });
      assert.deepEqual(result.secrets.sort(), ['000000', 'aaaaaaaa']);
      assert.equal(
        renderedTemplateYaml(result, { showSecrets: false }),
        'password: ••••••\nkey: ••••••\nuser: admin\n',
      );
      assert.equal(
        renderedTemplateYaml(result, { showSecrets: true }),
        'password: aaaaaaaa\nkey: "000000"\nuser: admin\n',
      );
    });

    it('a password the user types is a secret too', () => {
      const result = render(stack({ template, variables }), { values: { db_password: 's3cret-value' } });
      assert.ok(result.secrets.includes('s3cret-value'));
      assert.equal(renderedTemplateYaml(result, { showSecrets: false }).includes('s3cret-value'), false);
    });

    it('maskSecrets replaces the longest secret first', () => {
      assert.equal(maskSecrets('abc abcdef x', ['abc', 'abcdef', '']), '•••••• •••••• x');
    });
  });

  describe('the upstream samples', () => {
    it('PostgreSQL: container name from the generator, performance as a group, notes with the bare member empty', () => {
      const result = render(readSample('upstream-postgresql.yaml'));
      assert.deepEqual(result.errors, []);
      assert.equal(result.stackName, 'PostgreSQL Database Server');
      assert.equal(result.targetType, 'docker');
      assert.equal(result.deploymentName, 'postgres-able-aardvark');
      const template = result.template as Record<string, Record<string, unknown>>;
      assert.equal(template.container_name, 'postgres-able-aardvark');
      assert.deepEqual(template.environment, {
        POSTGRES_USER: 'postgres',
        POSTGRES_PASSWORD: 'aaaaaaaaaaaaaaaaaaaaaaaa',
        POSTGRES_DB: 'mydb',
        POSTGRES_INITDB_ARGS: '--encoding=UTF8 --locale=en_US.UTF-8',
        PGDATA: '/var/lib/postgresql/data/pgdata',
        POSTGRES_SHARED_BUFFERS: '256MB',
        POSTGRES_MAX_CONNECTIONS: '100',
        POSTGRES_WORK_MEM: '4MB',
      });
      assert.deepEqual(template.ports, ['5433:5432']);
      assert.deepEqual(result.targetParameters, { volumes: ['postgres-data-astral-andromeda'] });
      assert.deepEqual(result.values.performance, { shared_buffers: '256MB', max_connections: 100, work_mem: '4MB' });
      assert.match(result.deploymentNotes ?? '', /- Shared Buffers: \n- Max Connections: \n- Work Memory: \n/);
      assert.match(result.deploymentNotes ?? '', /docker logs -f postgres-able-aardvark\n/);
      assert.equal(
        result.deploymentNotes?.endsWith('**WindFlow** - Déploiement intelligent de containers Docker'),
        true,
      );
      assert.deepEqual(result.secrets, ['aaaaaaaaaaaaaaaaaaaaaaaa']);
      const shown: RenderedStack = result;
      assert.equal(shown.deploymentName, 'postgres-able-aardvark');
    });

    it('Baserow: from_email sees the domain, booleans print the Python way', () => {
      const result = render(readSample('upstream-baserow.yaml'));
      assert.deepEqual(result.errors, []);
      assert.equal(result.deploymentName, 'deployment_name');
      assert.equal(result.values.from_email, 'noreply@baserow.localhost');
      const services = (result.template as { services: Record<string, { environment: Record<string, unknown> }> })
        .services;
      assert.equal(services.backend.environment.EMAIL_SMTP, 'False');
      assert.equal(services.backend.environment.FROM_EMAIL, 'noreply@baserow.localhost');
      assert.equal(services.backend.environment.DATABASE_PORT, 5432);
      assert.equal(services.backend.environment.SECRET_KEY, '0'.repeat(50));
      // The generated secrets, and the Redis command line built from one (secret-derived, masked whole).
      assert.deepEqual(result.secrets.sort(), [
        '0'.repeat(50),
        'a'.repeat(20),
        `redis-server --requirepass "${'a'.repeat(20)}"`,
      ]);
      assert.equal(renderedTemplateYaml(result, { showSecrets: false }).includes('a'.repeat(20)), false);
    });
  });

  it('notes that fail to render stay verbatim with a warning, and do not stop a deploy', () => {
    const text = stack({
      template: '  a: "{{ tag }}"',
      variables: VARIABLES,
      notes: "  Run `docker inspect --format '{{ .State }}' {{ tag }}`",
    });
    const result = render(text);
    assert.equal(result.ok, true);
    assert.equal(result.deploymentNotes, "Run `docker inspect --format '{{ .State }}' {{ tag }}`\n");
    assert.deepEqual(result.warnings, [
      {
        message: 'Jinja syntax error: Unexpected token: Dot',
        path: ['deployment_notes'],
        span: spanOf(text, '{{ .State }}'),
      },
    ]);
  });

  it('reports a file that is not YAML data instead of rendering it', () => {
    const result = renderStack(parseStack('- just\n- a list\n'));
    assert.equal(result.ok, false);
    assert.deepEqual(result.errors, [
      { message: 'the stack file could not be read as YAML data; fix the YAML errors first', path: [] },
    ]);
  });
});
