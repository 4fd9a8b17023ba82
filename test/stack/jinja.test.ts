import assert from 'node:assert/strict';
import { scanJinja } from '../../server/src/stack/jinja';

const text = (value: string, span: { start: number; end: number }) => value.slice(span.start, span.end);

describe('Jinja scanner', () => {
  it('finds expressions, their references and attribute chains with value positions', () => {
    const value = 'x={{ performance.shared_buffers }} y={{ name | upper }}';
    const { segments, errors } = scanJinja(value);
    assert.deepEqual(errors, []);
    assert.equal(segments.length, 2);
    const [first, second] = segments;
    assert.equal(text(value, first.span), '{{ performance.shared_buffers }}');
    assert.equal(first.references[0].name, 'performance');
    assert.equal(text(value, first.references[0].attributes[0].span), 'shared_buffers');
    assert.equal(second.references.length, 1);
    assert.equal(second.filters[0].name, 'upper');
    assert.equal(text(value, second.filters[0].span), 'upper');
  });

  it('reads calls with literal and keyword arguments', () => {
    const value = "{{ random_string(8, 'hexa') }} {{ generate_animalname('pg', style='docker') }}";
    const { segments } = scanJinja(value);
    const call = segments[0].references[0].call!;
    assert.deepEqual(
      call.args.map((a) => a.literal),
      [8, 'hexa'],
    );
    assert.equal(text(value, call.args[1].span), "'hexa'");
    const second = segments[1].references[0].call!;
    assert.equal(second.args[1].keyword, 'style');
    assert.equal(second.args[1].literal, 'docker');
    assert.equal(segments[1].references.length, 1, 'keyword names are not references');
  });

  it('does not treat keywords, tests, string contents or loop variables as references', () => {
    const value = "{% for item in items %}{{ item if item is defined else 'none' }}{% endfor %}";
    const { segments, errors } = scanJinja(value);
    assert.deepEqual(errors, []);
    assert.deepEqual(segments[0].binds, ['item']);
    const names = segments.flatMap((s) => s.references.map((r) => r.name));
    assert.deepEqual(names, ['items', 'item', 'item']);
  });

  it('finds a closing delimiter hidden in a string literal correctly', () => {
    const value = "{{ '}}' ~ name }}";
    const { segments, errors } = scanJinja(value);
    assert.deepEqual(errors, []);
    assert.equal(text(value, segments[0].span), value);
  });

  it('reports syntax errors at their position', () => {
    const cases: [string, string, string][] = [
      ['a {{ name ', '{{ name ', 'unterminated'],
      ['{{ }}', '{{ }}', 'empty expression'],
      ['{{ f(1 }}', '(', 'never closed'],
      ['{{ a b }}', 'b', 'operator'],
      ['{% if x %}yes', '{% if x %}', 'never closed'],
      ['{% endif %}', '{% endif %}', 'without an opening'],
      ['{% for x %}{% endfor %}', '{% for x %}', "needs 'in'"],
      ['{{ x | }}', '|', 'right'],
      ['{{ a ? b }}', '?', 'unexpected character'],
      ['{% frobnicate %}', 'frobnicate', 'unknown statement'],
    ];
    for (const [value, where, message] of cases) {
      const { errors } = scanJinja(value);
      assert.ok(errors.length > 0, value);
      assert.equal(text(value, errors[0].span), where, value);
      assert.match(errors[0].message, new RegExp(message), value);
    }
  });

  it('skips raw blocks and comments', () => {
    const value = '{# {{ nope }} #}{% raw %}{{ also_not }}{% endraw %}{{ yes }}';
    const { segments, errors } = scanJinja(value);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      segments.flatMap((s) => s.references.map((r) => r.name)),
      ['yes'],
    );
  });
});
