import assert from 'node:assert/strict';
import { checkStack, parseStack } from '../../server/src/stack';
import { diagnose, readSample, spanOf, stack, withCode } from './util';

describe('reference checks', () => {
  it('WF020: undefined variable, at the name inside the braces, with a suggestion', () => {
    const text = stack({ template: '  image: "busybox:{{ tga }}"' });
    const [d] = withCode(diagnose(text), 'WF020');
    assert.deepEqual(d.span, spanOf(text, 'tga'));
    assert.equal(d.severity, 'error');
    assert.match(d.message, /undefined variable 'tga'; did you mean 'tag'\?/);
    assert.equal(d.data?.suggestion, 'tag');
  });

  it('WF020: exact inside a double-quoted scalar with escapes and inside a folded block', () => {
    const text = stack({
      template:
        '  image: busybox\n  environment:\n    A: "q\\"\\t{{ missing_one }}"\n    B: >\n      folded line\n      then {{ missing_two }}',
      variables: '  tag:\n    type: string\n    label: Tag',
    });
    const found = withCode(diagnose(text), 'WF020');
    assert.deepEqual(
      found.map((d) => d.span),
      [spanOf(text, 'missing_one'), spanOf(text, 'missing_two')],
    );
  });

  it('WF021: a group member used without its group, with the replacement', () => {
    const text = readSample('upstream-postgresql.yaml');
    const found = withCode(checkStack(parseStack(text)), 'WF021');
    assert.deepEqual(
      found.map((d) => d.span),
      [
        spanOf(text, 'shared_buffers', { after: 'Shared Buffers: {{' }),
        spanOf(text, 'max_connections', { after: 'Max Connections: {{' }),
        spanOf(text, 'work_mem', { after: 'Work Memory: {{' }),
      ],
    );
    assert.equal(found[0].data?.replacement, 'performance.shared_buffers');
    assert.match(found[0].message, /use \{\{ performance\.shared_buffers \}\}/);
    const lines = parseStack(text).lines;
    assert.deepEqual(lines.positionAt(found[0].span.start), { line: 348, character: 23 });
  });

  const groupStack = (use: string) =>
    stack({
      template: `  image: "busybox"\n  environment:\n    A: "${use}"`,
      variables:
        '  perf:\n    type: group\n    label: Perf\n    variables:\n      buffers:\n        type: string\n        label: Buffers\n        default: 1MB',
    });

  it('WF022: unknown member of a group, at the member', () => {
    const text = groupStack('{{ perf.bufers }}');
    const [d] = withCode(diagnose(text), 'WF022');
    assert.deepEqual(d.span, spanOf(text, 'bufers'));
    assert.match(d.message, /did you mean 'buffers'/);
  });

  it('WF022: unknown group, at its name', () => {
    const text = groupStack('{{ prf.buffers }}');
    const [d] = withCode(diagnose(text), 'WF022');
    assert.deepEqual(d.span, spanOf(text, 'prf'));
    assert.equal(d.severity, 'error');
  });

  it('WF022: a whole group interpolated is a warning', () => {
    const text = groupStack('{{ perf }}');
    const [d] = withCode(diagnose(text), 'WF022');
    assert.deepEqual(d.span, spanOf(text, 'perf', { after: 'A: ' }));
    assert.equal(d.severity, 'warning');
  });

  it('WF023: a default that references another variable', () => {
    const text = stack({
      variables:
        '  tag:\n    type: string\n    label: Tag\n    default: "v{{ base }}"\n  base:\n    type: string\n    label: Base\n    default: "1"',
    });
    const [d] = withCode(diagnose(text), 'WF023');
    assert.deepEqual(d.span, spanOf(text, 'base', { after: 'default: "v' }));
    assert.equal(d.severity, 'warning');
  });

  it('WF024: deployment_name where it does not exist', () => {
    const text = stack({ extraMetadata: '  deployment_name: "{{ deployment_name }}-x"' });
    const [d] = withCode(diagnose(text), 'WF024');
    assert.deepEqual(d.span, spanOf(text, 'deployment_name', { after: '"{{ ' }));
    const inTemplate = stack({
      template: '  image: busybox\n  container_name: "{{ deployment_name }}"',
      variables: '',
    });
    assert.deepEqual(withCode(diagnose(inTemplate), 'WF024'), []);
  });

  it('WF025: variable names that templates cannot use', () => {
    const text = stack({
      template: '  image: busybox',
      variables:
        '  now:\n    type: string\n    label: Now\n  my-var:\n    type: string\n    label: X\n  a.b:\n    type: string\n    label: Y',
    });
    const found = withCode(diagnose(text), 'WF025');
    assert.deepEqual(
      found.map((d) => d.span),
      [spanOf(text, 'now:').start, spanOf(text, 'my-var').start, spanOf(text, 'a.b').start].map((start, i) => ({
        start,
        end: start + [3, 6, 3][i],
      })),
    );
    assert.match(found[0].message, /hidden by the helper function/);
  });

  it('WF026: Jinja syntax errors at the offending token, and Jinja in keys', () => {
    const text = stack({ template: '  image: "busybox:{{ tag "\n  labels:\n    "{{ tag }}": x\n    b: "{{ tag | }}"' });
    const found = withCode(diagnose(text), 'WF026');
    assert.equal(found.length, 3);
    assert.deepEqual(found[0].span, spanOf(text, '{{ tag '));
    assert.equal(found[0].severity, 'error');
    assert.deepEqual(found[1].span, spanOf(text, '"{{ tag }}"'));
    assert.equal(found[1].severity, 'information');
    assert.deepEqual(found[2].span, spanOf(text, '|', { after: 'b: "' }));
  });

  it('WF140: an unknown Jinja test, at its name, with did-you-mean', () => {
    const text = stack({
      template: '  image: busybox\n  a: "{{ tag is divisable 3 }}"\n  b: "{{ tag is not nonee }}"',
    });
    const found = withCode(diagnose(text), 'WF140');
    assert.deepEqual(
      found.map((d) => d.span),
      [spanOf(text, 'divisable'), spanOf(text, 'nonee')],
    );
    assert.match(
      found[0].message,
      /unknown Jinja test 'divisable': Jinja2 refuses to render it; did you mean 'divisibleby'\?/,
    );
    assert.equal(found[0].severity, 'error');
  });

  it('accepts exactly what the renderer parses: namespaces, tests with bare arguments, raw blocks, filter blocks', () => {
    const valid = [
      '{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}',
      '{{ tag is divisibleby 4 }}{{ tag is in ["a", "b"] }}{{ tag is not gt 10 }}',
      '{% raw %}{{ not jinja }}{% endraw %}',
      '{% filter upper %}{{ tag }}{% endfilter %}{% with a = 1 %}{{ a }}{% endwith %}',
      "{{ '%05d' % 5 }}{{ 'ab' * 3 }}{{ 1e3 }}{{ 1_000 }}{{ '{}-{}'.format(tag, tag) }}",
      '{% macro m(x) %}{{ x }}{{ caller() }}{% endmacro %}{% call m(1) %}in{% endcall %}',
    ];
    for (const template of valid) {
      const text = stack({ template: `  image: busybox\n  x: ${JSON.stringify(template)}` });
      assert.deepEqual(withCode(diagnose(text), 'WF026'), [], template);
    }
  });

  it('WF026: a syntax error only the real parser sees is reported at its token', () => {
    const text = stack({ template: '  image: busybox\n  x: "{{ tag is }}"' });
    const found = withCode(diagnose(text), 'WF026');
    assert.equal(found.length, 1);
    assert.match(found[0].message, /Jinja syntax: expected token 'name', got 'end of print statement'/);
    assert.deepEqual(found[0].span, spanOf(text, '}}'));
  });

  it('WF027: unknown function, arity, bad literal argument, unknown filter, function not called', () => {
    const text = stack({
      template: [
        '  image: busybox',
        '  environment:',
        '    A: "{{ generate_pasword(8) }}"',
        '    B: "{{ generate_uuid(1) }}"',
        '    C: "{{ random_string(8, \'hexa\') }}"',
        '    D: "{{ tag | upcase }}"',
        '    E: "{{ generate_uuid }}"',
        "    F: \"{{ hash_value('x', algorithm='sha3') }}\"",
      ].join('\n'),
    });
    const found = withCode(diagnose(text), 'WF027');
    assert.deepEqual(
      found.map((d) => text.slice(d.span.start, d.span.end)),
      ['generate_pasword', '(1)', "'hexa'", 'upcase', 'generate_uuid', "algorithm='sha3'"],
    );
    assert.match(found[0].message, /did you mean 'generate_password'/);
    assert.match(found[2].message, /did you mean 'hex'/);
    assert.equal(found[3].severity, 'warning');
  });

  it('WF028: env() and secret macros written in the template', () => {
    const text = stack({
      template: '  image: busybox\n  environment:\n    A: "{{ env(\'HOME\') }}"\n    B: "{{ generate_password(12) }}"',
    });
    const found = withCode(diagnose(text), 'WF028');
    assert.deepEqual(
      found.map((d) => [text.slice(d.span.start, d.span.end), d.severity]),
      [
        ['env', 'warning'],
        ['generate_password', 'information'],
      ],
    );
  });

  it('WF033: unused variables and groups, tagged unnecessary', () => {
    const text = stack({
      variables:
        '  tag:\n    type: string\n    label: Tag\n  spare:\n    type: string\n    label: Spare\n  g:\n    type: group\n    label: G\n    variables:\n      m:\n        type: string\n        label: M',
    });
    const found = withCode(diagnose(text), 'WF033');
    assert.deepEqual(
      found.map((d) => d.span),
      [spanOf(text, 'spare'), spanOf(text, 'g:', { after: 'Spare' })].map((s, i) =>
        i === 1 ? { start: s.start, end: s.start + 1 } : s,
      ),
    );
    assert.deepEqual(found[0].tags, ['unnecessary']);
  });

  it('WF034: a boolean interpolated alone renders Python spelling', () => {
    const text = stack({
      template:
        '  image: busybox\n  environment:\n    A: "{{ flag }}"\n    B: "{{ \'1\' if flag else \'0\' }}"\n    C: "{{ flag | string | lower }}"',
      variables: '  flag:\n    type: boolean\n    label: Flag\n    default: false',
    });
    const found = withCode(diagnose(text), 'WF034');
    assert.deepEqual(
      found.map((d) => d.span),
      [spanOf(text, 'flag', { after: 'A: ' })],
    );
    assert.equal(found[0].severity, 'information');
  });

  it('resolves names bound by set and for as locals', () => {
    const text = stack({
      template: '  image: busybox\n  command: "{% set n = tag %}{{ n }}{% for p in [1,2] %}{{ p }}{% endfor %}"',
    });
    assert.deepEqual(withCode(diagnose(text), 'WF020'), []);
  });
});

describe('reading the file', () => {
  it('WF000: YAML syntax errors with their own ranges; the rest is still checked', () => {
    const text = stack({ template: '  image: "busybox:{{ nope }}"\n  bad: [unclosed' });
    const all = diagnose(text);
    assert.ok(withCode(all, 'WF000').length >= 1);
    assert.ok(withCode(all, 'WF000').every((d) => d.span.end > d.span.start));
    assert.deepEqual(withCode(all, 'WF020')[0]?.span, spanOf(text, 'nope'));
  });

  it('WF009: duplicate keys, on the key that is dropped', () => {
    const text = stack({ template: '  image: a\n  image: "busybox:{{ tag }}"' });
    const [d] = withCode(diagnose(text), 'WF009');
    assert.deepEqual(d.span, spanOf(text, 'image'));
    assert.equal(d.severity, 'warning');
  });

  it('WF012: an alias bomb is cut off', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const text = `${levels.join('\n')}\nmetadata: {}\ntemplate: {x: *i}\n`;
    const found = withCode(diagnose(text), 'WF012');
    assert.equal(found.length, 1);
    assert.match(found[0].message, /alias bomb/);
    assert.deepEqual(found[0].span, spanOf(text, '*a'));
  });

  it('WF012: nesting deeper than the limit', () => {
    const text = `metadata: {}\ntemplate:\n  x: ${'['.repeat(1000)}${']'.repeat(1000)}\n`;
    const found = withCode(diagnose(text), 'WF012');
    assert.equal(found.length, 1);
    assert.match(found[0].message, /nesting deeper than/);
  });
});

describe('samples', () => {
  it('the PostgreSQL sample: exactly its real reference faults', () => {
    const diagnostics = checkStack(parseStack(readSample('upstream-postgresql.yaml')));
    const refCodes = diagnostics.filter((d) => /^WF02[0-8]$|^WF033$/.test(d.code)).map((d) => d.code);
    assert.deepEqual(refCodes, ['WF021', 'WF021', 'WF021']);
  });

  it('the Baserow sample: the cross-variable default is flagged', () => {
    const text = readSample('upstream-baserow.yaml');
    const found = withCode(checkStack(parseStack(text)), 'WF023');
    assert.deepEqual(
      found.map((d) => d.span),
      [spanOf(text, 'domain', { after: 'noreply@{{ ' })],
    );
  });
});
