import assert from 'node:assert/strict';
import { SEMANTIC_TOKENS_LEGEND, semanticTokens } from '../../server/src/features/semanticTokens';
import { parseStack } from '../../server/src/stack/model';

/** Decodes LSP's relative encoding into [line, character, length, type, modifiers]. */
function decode(text: string): [number, number, number, string, string[]][] {
  const data = semanticTokens(parseStack(text)).data;
  const tokens: [number, number, number, string, string[]][] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < data.length; i += 5) {
    line += data[i];
    character = data[i] === 0 ? character + data[i + 1] : data[i + 1];
    const modifiers = SEMANTIC_TOKENS_LEGEND.tokenModifiers.filter((_, bit) => data[i + 4] & (1 << bit));
    tokens.push([line, character, data[i + 2], SEMANTIC_TOKENS_LEGEND.tokenTypes[data[i + 3]], modifiers]);
  }
  return tokens;
}

describe('semantic tokens', () => {
  it('colours delimiters, variables, members, functions, filters, strings, numbers and operators', () => {
    const text = `template:\n  a: "{{ g.m | upper }}-{{ generate_password(24, 'x') }}"\n`;
    assert.deepEqual(decode(text), [
      [1, 6, 2, 'macro', []],
      [1, 9, 1, 'variable', []],
      [1, 10, 1, 'operator', []],
      [1, 11, 1, 'property', []],
      [1, 13, 1, 'operator', []],
      [1, 15, 5, 'method', ['defaultLibrary']],
      [1, 21, 2, 'macro', []],
      [1, 24, 2, 'macro', []],
      [1, 27, 17, 'function', ['defaultLibrary']],
      [1, 45, 2, 'number', []],
      [1, 49, 3, 'string', []],
      [1, 54, 2, 'macro', []],
    ]);
  });

  it('keeps ranges exact in double-quoted scalars with escapes', () => {
    const text = 'template:\n  a: "\\"{{ x ~ \\"y\\" }}"\n';
    assert.deepEqual(decode(text), [
      [1, 8, 2, 'macro', []],
      [1, 11, 1, 'variable', []],
      [1, 13, 1, 'operator', []],
      [1, 15, 5, 'string', []],
      [1, 21, 2, 'macro', []],
    ]);
  });

  it('colours statements and keywords in block scalars, splitting a multi-line comment per line', () => {
    const text = 'deployment_notes: |\n  {% if tls and not x %}on{% endif %}\n  {# a\n  b #}\n';
    assert.deepEqual(decode(text), [
      [1, 2, 2, 'macro', []],
      [1, 5, 2, 'keyword', []],
      [1, 8, 3, 'variable', []],
      [1, 12, 3, 'keyword', []],
      [1, 16, 3, 'keyword', []],
      [1, 20, 1, 'variable', []],
      [1, 22, 2, 'macro', []],
      [1, 26, 2, 'macro', []],
      [1, 29, 5, 'keyword', []],
      [1, 35, 2, 'macro', []],
      [2, 2, 4, 'comment', []],
      [3, 2, 4, 'comment', []],
    ]);
  });
});
