import assert from 'node:assert/strict';
import { hover } from '../../server/src/features/hover';
import { parseStack } from '../../server/src/stack/model';
import { marked, range } from '../helpers/cursor';
import { DOCKER_STACK } from './fixtures';

function hoverAt(source: string) {
  const { text, offset } = marked(source);
  return hover(parseStack(text), offset);
}

const value = (result: ReturnType<typeof hoverAt>) => (result?.contents as { value: string }).value;

describe('hover', () => {
  it('shows a variable reference with label, type, default, enum and help', () => {
    const result = hoverAt(DOCKER_STACK.replace('"postgres:{{ version }}"', '"postgres:{{ ver<|>sion }}"'));
    assert.equal(
      value(result),
      '**Version** `version`: string\n\nDefault: `16`\n\nOne of: `16`, `15`\n\nMajor version',
    );
    assert.deepEqual(result?.range, range(10, 22, 10, 29));
  });

  it('documents a Jinja filter and a Jinja test with their signatures', () => {
    const filter = hoverAt(DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_password | trun<|>cate(5) }}"'));
    assert.match(value(filter), /^Jinja filter `value \| truncate\(length=255, .*\)`\n\nShortens text/);
    assert.deepEqual(filter?.range, range(13, 41, 13, 49));
    const test = hoverAt(DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_password is divisi<|>bleby 3 }}"'));
    assert.match(value(test), /^Jinja test `value is divisibleby\(num\)`\n\nThe value is a multiple/);
    assert.deepEqual(test?.range, range(13, 42, 13, 53));
  });

  it('masks the default of a password', () => {
    const result = hoverAt(DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_pass<|>word }}"'));
    assert.equal(value(result), '**Password** `db_password`: password\n\nDefault: `********`');
    assert.ok(!value(result).includes('generate_password'));
  });

  it('shows a group member by its qualified name, with its range on the member', () => {
    const result = hoverAt(
      DOCKER_STACK.replace('"{{ performance.shared_buffers }}"', '"{{ performance.shared<|>_buffers }}"'),
    );
    assert.equal(
      value(result),
      '**Shared buffers** `performance.shared_buffers`: string (member of group `performance`)\n\nDefault: `256MB`',
    );
    assert.deepEqual(result?.range, range(14, 28, 14, 42));
  });

  it('marks a default rendered from a helper function', () => {
    const result = hoverAt(
      DOCKER_STACK.replace('deployment_name: "{{ container_name }}"', 'deployment_name: "{{ contai<|>ner_name }}"'),
    );
    assert.equal(
      value(result),
      "**Container** `container_name`: string\n\nDefault: `{{ generate_animalname('pg') }}` (rendered at deploy time)",
    );
  });

  it('shows a helper function with its signature and documentation', () => {
    const result = hoverAt(DOCKER_STACK.replace("generate_animalname('pg')", "generate_<|>animalname('pg')"));
    assert.match(
      value(result),
      /^```python\ngenerate_animalname\(name='', style=None\) -> string\n```\n\n`name` \+ `-` \+ an adjective-animal codename/,
    );
    assert.deepEqual(result?.range, range(27, 17, 27, 36));
  });

  it('explains deployment_name', () => {
    assert.match(
      value(hoverAt(DOCKER_STACK.replace('"{{ deployment_name }}"', '"{{ deploy<|>ment_name }}"'))),
      /^\*\*deployment_name\*\*: the name of this deployment/,
    );
  });

  it('shows the schema documentation of a key', () => {
    const result = hoverAt(DOCKER_STACK.replace('  image:', '  ima<|>ge:'));
    assert.match(value(result), /^\*\*image\*\*: Image to run/);
    assert.match(value(result), /Type: `string`$/);
    assert.deepEqual(result?.range, range(10, 2, 10, 7));
  });

  it('shows a declaration when hovering its key', () => {
    const result = hoverAt(DOCKER_STACK.replace('  host_port:\n', '  host_p<|>ort:\n'));
    assert.equal(value(result), '**Host port** `host_port`: integer\n\nDefault: `5432`');
  });

  it('has nothing to say about plain text', () => {
    assert.equal(hoverAt(DOCKER_STACK.replace('Connect on port', 'Con<|>nect on port')), null);
  });
});
