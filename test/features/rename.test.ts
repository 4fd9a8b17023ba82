import assert from 'node:assert/strict';
import { prepareRename, RenameRefusal, rename } from '../../server/src/features/rename';
import { parseStack } from '../../server/src/stack/model';
import { marked, range } from '../helpers/cursor';
import { DOCKER_STACK } from './fixtures';

const URI = 'file:///stack.yaml';

function renameAt(source: string, newName: string) {
  const { text, offset } = marked(source);
  return rename(parseStack(text), URI, offset, newName).changes?.[URI];
}

describe('rename', () => {
  it('renames a variable at its declaration and every use, depends_on keys included', () => {
    assert.deepEqual(
      renameAt(DOCKER_STACK.replace('"postgres:{{ version }}"', '"postgres:{{ vers<|>ion }}"'), 'pg_version'),
      [
        { range: range(18, 2, 18, 9), newText: 'pg_version' },
        { range: range(10, 22, 10, 29), newText: 'pg_version' },
        { range: range(37, 6, 37, 13), newText: 'pg_version' },
      ],
    );
  });

  it('renames a group member only where it is used through its group', () => {
    assert.deepEqual(renameAt(DOCKER_STACK.replace('      shared_buffers:', '      shared_<|>buffers:'), 'buffers'), [
      { range: range(42, 6, 42, 20), newText: 'buffers' },
      { range: range(14, 28, 14, 42), newText: 'buffers' },
      { range: range(48, 26, 48, 40), newText: 'buffers' },
    ]);
  });

  it('prepares a rename on a use with the name as placeholder', () => {
    const { text, offset } = marked(DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_<|>password }}"'));
    assert.deepEqual(prepareRename(parseStack(text), offset), {
      range: range(13, 27, 13, 38),
      placeholder: 'db_password',
    });
  });

  it('refuses invalid names, keywords, function names and names already taken', () => {
    const source = DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_<|>password }}"');
    const refusals: [string, RegExp][] = [
      ['2fast', /^'2fast' is not a valid variable name/],
      ['db-password', /not a valid variable name/],
      ['if', /^'if' is a Jinja keyword/],
      ['generate_secret', /^'generate_secret' is a helper function/],
      ['deployment_name', /^'deployment_name' is set by WindFlow/],
      ['host_port', /^'host_port' is already a variable of this stack\.$/],
    ];
    for (const [newName, message] of refusals) {
      assert.throws(
        () => renameAt(source, newName),
        (error: unknown) => error instanceof RenameRefusal && message.test(error.message),
        newName,
      );
    }
  });

  it('refuses a member name taken in the same group, but not one used elsewhere', () => {
    const source = DOCKER_STACK.replace(
      'default: 256MB',
      'default: 256MB\n      work_mem:\n        type: string\n        label: W',
    ).replace('      shared_buffers:', '      shared_<|>buffers:');
    assert.throws(() => renameAt(source, 'work_mem'), /'work_mem' is already a variable of group 'performance'\./);
    assert.equal(renameAt(source, 'host_port')?.length, 3);
  });

  it('refuses to rename what is not a declared variable', () => {
    const { text, offset } = marked(DOCKER_STACK.replace('  image:', '  ima<|>ge:'));
    assert.throws(() => prepareRename(parseStack(text), offset), RenameRefusal);
  });
});
