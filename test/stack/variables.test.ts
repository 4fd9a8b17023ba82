import assert from 'node:assert/strict';
import { diagnose, spanOf, stack, withCode } from './util';

function variable(name: string, lines: string[]): string {
  return [`  ${name}:`, ...lines.map((line) => `    ${line}`)].join('\n');
}

describe('variable checks (WF029–WF032)', () => {
  it('WF029: a cycle between defaults is reported on each reference in it', () => {
    const text = stack({
      template: '  image: "busybox:{{ a }}{{ b }}"',
      variables: [
        variable('a', ['type: string', 'label: A', 'default: "x-{{ b }}"']),
        variable('b', ['type: string', 'label: B', 'default: "{{ a }}-y"']),
      ].join('\n'),
    });
    const found = withCode(diagnose(text), 'WF029');
    assert.deepEqual(
      found.map((d) => [d.severity, d.message, d.span]),
      [
        [
          'error',
          'the defaults form a cycle (a → b → a): none of them can be resolved',
          spanOf(text, 'b', { after: 'x-{{ ' }),
        ],
        [
          'error',
          'the defaults form a cycle (b → a → b): none of them can be resolved',
          spanOf(text, 'a', { after: '{{ a }}-y' }),
        ],
      ],
    );
  });

  it('WF029: every reference on a cycle is reported, with the shortest cycle through it', () => {
    const text = stack({
      template: '  image: "busybox:{{ a }}{{ b }}{{ c }}{{ d }}{{ e }}"',
      variables: [
        variable('a', ['type: string', 'label: A', 'default: "{{ b }}{{ c }}"']),
        variable('b', ['type: string', 'label: B', 'default: "{{ c }}"']),
        variable('c', ['type: string', 'label: C', 'default: "{{ a }}"']),
        variable('d', ['type: string', 'label: D', 'default: "{{ d }}"']),
        variable('e', ['type: string', 'label: E', 'default: "{{ a }}"']),
      ].join('\n'),
    });
    // The span of `name` inside the default of `owner`.
    const nameAt = (owner: string, name: string) => {
      const prefix = `${owner}:\n    type: string\n    label: ${owner.toUpperCase()}\n    default: "`;
      const start = text.indexOf(name, text.indexOf(prefix) + prefix.length);
      return { start, end: start + name.length };
    };
    const found = withCode(diagnose(text), 'WF029');
    assert.deepEqual(
      found.map((d) => [d.message, d.span]),
      [
        ['the defaults form a cycle (a → b → c → a): none of them can be resolved', nameAt('a', 'b')],
        ['the defaults form a cycle (a → c → a): none of them can be resolved', nameAt('a', 'c')],
        ['the defaults form a cycle (b → c → a → b): none of them can be resolved', nameAt('b', 'c')],
        ['the defaults form a cycle (c → a → c): none of them can be resolved', nameAt('c', 'a')],
        ['the defaults form a cycle (d → d): none of them can be resolved', nameAt('d', 'd')],
      ],
    );
  });

  it('WF030: default against type, enum, pattern, bounds and lengths; enum items against type', () => {
    const text = stack({
      template: '  image: "busybox:{{ p }}{{ e }}{{ num }}{{ s }}{{ t }}"',
      variables: [
        variable('p', ['type: integer', 'label: P', 'default: abc']),
        variable('e', ['type: integer', 'label: E', 'enum: [1, two]', 'default: 3']),
        variable('num', ['type: number', 'label: Num', 'minimum: 1', 'maximum: 10', 'default: 11']),
        variable('s', ['type: string', 'label: S', 'pattern: "^[a-z]+$"', 'min_length: 3', 'default: AB']),
        variable('t', ['type: string', 'label: T', 'max_length: 2', 'default: "{{ generate_password(24) }}"']),
      ].join('\n'),
    });
    const found = withCode(diagnose(text), 'WF030');
    assert.deepEqual(
      found.map((d) => [d.message, d.span]),
      [
        ['the default "abc" of integer variable \'p\' is not a whole number', spanOf(text, 'abc')],
        ['the enum value "two" of integer variable \'e\' is not a whole number', spanOf(text, 'two')],
        [
          'the default 3 of variable \'e\' is not one of its enum values (1, "two")',
          spanOf(text, '3', { after: 'two]' }),
        ],
        ["the default 11 of variable 'num' is above its maximum 10", spanOf(text, '11')],
        [
          'the default "AB" of variable \'s\' does not match its pattern "^[a-z]+$": the form refuses it',
          spanOf(text, 'AB'),
        ],
        ["the default of variable 's' has 2 characters, fewer than its min_length 3", spanOf(text, 'AB')],
      ],
    );
    assert.ok(found.every((d) => d.severity === 'warning'));
  });

  it('WF030: an enum default close to a choice gets a suggestion', () => {
    const text = stack({
      variables: variable('tag', ['type: string', 'label: Tag', 'enum: [small, large]', 'default: smal']),
    });
    const [found] = withCode(diagnose(text), 'WF030');
    assert.equal(
      found.message,
      'the default "smal" of variable \'tag\' is not one of its enum values ("small", "large"); did you mean "small"?',
    );
    assert.deepEqual(found.span, spanOf(text, 'smal', { after: 'default' }));
    assert.deepEqual(found.data, { suggestion: 'small' });
  });

  it('WF031: depends_on on an undeclared name; hidden required variable without default', () => {
    const text = stack({
      template: '  image: "busybox:{{ tag }}{{ hidden }}"',
      variables: [
        variable('tag', ['type: string', 'label: Tag', 'default: "1"', 'depends_on: {tga: "1"}']),
        variable('hidden', ['type: string', 'label: Hidden', 'visible: false', 'required: true']),
      ].join('\n'),
    });
    const found = withCode(diagnose(text), 'WF031');
    assert.deepEqual(
      found.map((d) => [d.severity, d.message, d.span, d.data]),
      [
        [
          'information',
          "depends_on of variable 'tag' names 'tga', which is not a declared variable; did you mean 'tag'?",
          spanOf(text, 'tga'),
          { suggestion: 'tag' },
        ],
        [
          'information',
          "variable 'hidden' is hidden (visible: false) and required but has no default: the form can never be submitted",
          spanOf(text, 'hidden', { after: 'variables:' }),
          undefined,
        ],
      ],
    );
  });

  it('WF031: a sibling inside the same group is a valid depends_on target', () => {
    const text = stack({
      template: '  image: "busybox:{{ g.a }}{{ g.b }}"',
      variables: variable('g', [
        'type: group',
        'label: G',
        'variables:',
        '  a: {type: boolean, label: A, default: true}',
        '  b: {type: string, label: B, default: x, depends_on: {a: true}}',
      ]),
    });
    assert.deepEqual(withCode(diagnose(text), 'WF031'), []);
  });

  it('WF032: a pattern that does not compile (error) or may backtrack exponentially (warning)', () => {
    const text = stack({
      template: '  image: "busybox:{{ a }}{{ b }}"',
      variables: [
        variable('a', ['type: string', 'label: A', 'pattern: "(unclosed"', 'default: x']),
        variable('b', [
          'type: string',
          'label: B',
          'pattern: "^(a+)+$"',
          'default: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!',
        ]),
      ].join('\n'),
    });
    const found = withCode(diagnose(text), 'WF032');
    assert.deepEqual(
      found.map((d) => [d.severity, d.message, d.span]),
      [
        [
          'error',
          "the pattern of variable 'a' does not compile: invalid regular expression: /(unclosed/: Unterminated group",
          spanOf(text, '"(unclosed"'),
        ],
        [
          'warning',
          "the pattern of variable 'b' nests repetitions ambiguously and may take exponential time on some input; make the repeated parts unambiguous",
          spanOf(text, '"^(a+)+$"'),
        ],
      ],
    );
    // The catastrophic default is not claimed to mismatch: the match was cut off, not decided.
    assert.deepEqual(withCode(diagnose(text), 'WF030'), []);
  });
});
