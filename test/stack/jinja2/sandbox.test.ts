import assert from 'node:assert/strict';
import { renderWithOurs } from './oracle';

const render = (template: string, context: Record<string, unknown> = { d: { a: 1 }, l: [1] }) =>
  renderWithOurs({ template, context });

describe('Jinja2 interpreter sandbox and limits', () => {
  it('reaches no JavaScript property, prototype or constructor', () => {
    for (const template of [
      "{{ ''.constructor }}",
      '{{ d.constructor }}',
      '{{ d.__proto__ }}',
      "{{ d['__proto__'] }}",
      '{{ l.constructor }}',
      '{{ l.map }}',
      "{{ ''.toString }}",
      '{{ range.call }}',
      '{{ namespace().attributes }}',
      '{{ (1).toFixed }}',
      '{{ d.__class__ }}',
    ]) {
      assert.deepEqual(render(template), { ok: true, text: '' }, template);
    }
    // Python's special names are not attributes either: using one further is an undefined error.
    assert.equal(render("{{ ''.__class__.__mro__ }}").ok, false);
    const call = render("{{ ''.constructor.constructor('return process')() }}");
    assert.equal(call.ok, false);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    render("{% set ns = namespace() %}{% set ns.__proto__ = 1 %}{{ d.update({'__proto__': {'polluted': 1}}) }}");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('stops runaway templates with a clear error instead of hanging or exhausting memory', () => {
    const cases: [string, RegExp][] = [
      ['{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}', /more than 50000 steps/],
      ["{{ 'x' * 1000000000 }}", /longer than 5000000 characters/],
      ['{{ range(100000000) | list }}', /larger than 10000/],
      ['{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}', /maximum recursion depth/],
      ['{{ 2 ** 10000000 }}', /more than 100000 bits/],
      [
        '{% set ns = namespace(s="ab") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}',
        /longer than 5000000/,
      ],
      ['{{ ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + ' }}', /./],
    ];
    for (const [template, message] of cases) {
      const outcome = render(template);
      assert.equal(outcome.ok, false, template.slice(0, 60));
      if (!outcome.ok) assert.match(outcome.message, message, template.slice(0, 60));
    }
  });
});
