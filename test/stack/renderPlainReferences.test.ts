import assert from 'node:assert/strict';
import { parseStack } from '../../server/src/stack';
import { renderStack } from '../../server/src/stack/render';
import { stack } from './util';

/**
 * Strings with only plain `{{ name }}` substitutions skip the Jinja interpreter. `{{ (name) }}` means the same to
 * Jinja but always goes through the interpreter, so both spellings must print the same thing for every value.
 */
describe('rendering plain references without the interpreter', () => {
  const variables = [
    '  text:\n    type: string\n    label: T\n    default: "a b"',
    '  flag:\n    type: boolean\n    label: F\n    default: false',
    '  count:\n    type: integer\n    label: C\n    default: 42',
    '  ratio:\n    type: number\n    label: R\n    default: 1.0',
    '  nothing:\n    type: string\n    label: N\n    default: null',
    '  listed:\n    type: string\n    label: L\n    default: [1, "x", true]',
    '  group:\n    type: group\n    label: G\n    variables:\n      member:\n        type: string\n        label: M\n        default: "m"',
  ].join('\n');
  const names = [
    'text',
    'flag',
    'count',
    'ratio',
    'nothing',
    'listed',
    'group',
    'undefined_name',
    'True',
    'none',
    'now',
    'deployment_name',
  ];

  it('prints exactly what the interpreter prints', () => {
    const environment = names.map(
      (name, index) => `    P${index}: "<{{ ${name} }}>{{${name}}}"\n    I${index}: "<{{ (${name}) }}>{{ (${name}) }}"`,
    );
    const text = stack({ template: `  image: busybox\n  environment:\n${environment.join('\n')}`, variables });
    const result = renderStack(parseStack(text), {
      deploymentName: 'demo-1',
      random: { int: (min) => min },
      now: () => new Date(Date.UTC(2025, 0, 1)),
      isPortFree: () => true,
    });
    const rendered = (result.template as { environment: Record<string, string> }).environment;
    names.forEach((name, index) => assert.equal(rendered[`P${index}`], rendered[`I${index}`], name));
    assert.equal(rendered.P1, '<False>False');
    assert.equal(rendered.P5, "<[1, 'x', True]>[1, 'x', True]");
    assert.equal(rendered.P6, "<{'member': 'm'}>{'member': 'm'}");
    assert.equal(rendered.P7, '<>');
  });

  it('leaves anything else to the interpreter, braces around an expression included', () => {
    const text = stack({
      template: '  image: busybox\n  environment:\n    A: "{{{ text }}"\n    B: "{{ text }}}"',
      variables,
    });
    const result = renderStack(parseStack(text), {
      random: { int: (min) => min },
      now: () => new Date(0),
      isPortFree: () => true,
    });
    const rendered = (result.template as { environment: Record<string, string> }).environment;
    assert.equal(rendered.B, 'a b}');
    // `{{{ text }}` is not a plain reference: the interpreter rejects it and the string stays verbatim.
    assert.equal(rendered.A, '{{{ text }}');
    assert.deepEqual(
      result.errors.map((error) => error.path.join('.')),
      ['template.environment.A'],
    );
  });
});
