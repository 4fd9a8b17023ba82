import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkStack } from '../../server/src/stack/check';
import { parseStack } from '../../server/src/stack/model';

interface Snippet {
  prefix: string[];
  body: string[];
  description: string;
}

const SNIPPETS = JSON.parse(
  readFileSync(path.resolve(__dirname, '..', '..', 'snippets', 'windflow-stack.json'), 'utf8'),
) as Record<string, Snippet>;

/** The text VS Code inserts when every placeholder keeps its default (the first choice of a choice list). */
function expand(snippet: Snippet, indent = ''): string {
  return snippet.body
    .map(
      (line) =>
        indent +
        line
          .replace(/\$\{\d+:([^}]*)\}/g, '$1')
          .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1')
          .replace(/\$\d+/g, ''),
    )
    .join('\n');
}

function problems(text: string): string[] {
  return checkStack(parseStack(text))
    .filter((diagnostic) => diagnostic.severity === 'error' || diagnostic.severity === 'warning')
    .map((diagnostic) => `${diagnostic.code} ${diagnostic.message}`);
}

describe('snippets', () => {
  const stacks = Object.entries(SNIPPETS).filter(([, snippet]) => snippet.body[0] === 'metadata:');

  it('has a new-stack snippet for each deployable target type', () => {
    assert.deepEqual(
      stacks.map(([, snippet]) => /target_type: (\w+)/.exec(snippet.body.join('\n'))?.[1]),
      ['docker', 'docker_compose', 'kubernetes'],
    );
  });

  for (const [name, snippet] of stacks) {
    it(`${name} expands to a stack without errors or warnings`, () => {
      assert.deepEqual(problems(expand(snippet) + '\n'), []);
    });
  }

  it('has a variable snippet of each type and a group, each valid inside variables:', () => {
    const variables = Object.entries(SNIPPETS).filter(([, snippet]) => snippet.body[0] !== 'metadata:');
    const types = variables.map(([, snippet]) => /type: (\w+)/.exec(snippet.body.join('\n'))?.[1]);
    assert.deepEqual([...new Set(types)].sort(), [
      'boolean',
      'group',
      'integer',
      'number',
      'password',
      'string',
      'textarea',
    ]);
    const base = expand(stacks[0][1]).replace(/\n {2}image_tag:/, (match) => `\n${'{{HERE}}'}${match}`);
    for (const [name, snippet] of variables) {
      const body = expand(snippet, '  ').replace(
        /^ {2}(name|settings):/,
        `  extra_${types[variables.findIndex(([other]) => other === name)]}:`,
      );
      const text = base.replace('{{HERE}}', `${body}\n`) + '\n';
      const found = problems(text).filter((problem) => !problem.startsWith('WF033'));
      assert.deepEqual(found, [], name);
    }
  });
});
