import assert from 'node:assert/strict';
import { definition } from '../../server/src/features/definition';
import { highlights, references } from '../../server/src/features/references';
import { parseStack } from '../../server/src/stack/model';
import { marked, range } from '../helpers/cursor';
import { DOCKER_STACK } from './fixtures';

const URI = 'file:///stack.yaml';

describe('definition, references, highlights', () => {
  it('goes from a reference to the declaration, with the origin on the name', () => {
    const { text, offset } = marked(DOCKER_STACK.replace('"{{ host_port }}:5432"', '"{{ host_<|>port }}:5432"'));
    assert.deepEqual(definition(parseStack(text), URI, offset), [
      {
        originSelectionRange: range(16, 10, 16, 19),
        targetUri: URI,
        targetRange: range(32, 2, 37, 19),
        targetSelectionRange: range(32, 2, 32, 11),
      },
    ]);
  });

  it('goes from a group member reference to the member', () => {
    const { text, offset } = marked(
      DOCKER_STACK.replace('Buffers: {{ performance.shared_buffers }}', 'Buffers: {{ performance.shared_<|>buffers }}'),
    );
    const [link] = definition(parseStack(text), URI, offset);
    assert.deepEqual(link.originSelectionRange, range(48, 26, 48, 40));
    assert.deepEqual(link.targetSelectionRange, range(42, 6, 42, 20));
  });

  it('finds every use: template, notes, defaults, deployment_name and depends_on keys', () => {
    const { text, offset } = marked(
      DOCKER_STACK.replace('  version:\n    type: string', '  vers<|>ion:\n    type: string'),
    );
    const model = parseStack(text);
    assert.deepEqual(
      references(model, URI, offset, true).map((location) => location.range),
      [range(18, 2, 18, 9), range(10, 22, 10, 29), range(37, 6, 37, 13)],
    );
    assert.deepEqual(
      references(model, URI, offset, false).map((location) => location.range),
      [range(10, 22, 10, 29), range(37, 6, 37, 13)],
    );
  });

  it('finds the uses of container_name in metadata.deployment_name', () => {
    const { text, offset } = marked(
      DOCKER_STACK.replace('  container_name:\n    type', '  container_<|>name:\n    type'),
    );
    assert.deepEqual(
      references(parseStack(text), URI, offset, false).map((location) => location.range),
      [range(8, 23, 8, 37)],
    );
  });

  it('highlights the declaration as written and the uses as read', () => {
    const { text, offset } = marked(
      DOCKER_STACK.replace('Connect on port {{ host_port }}', 'Connect on port {{ <|>host_port }}'),
    );
    assert.deepEqual(highlights(parseStack(text), offset), [
      { range: range(32, 2, 32, 11), kind: 3 },
      { range: range(16, 10, 16, 19), kind: 2 },
      { range: range(47, 21, 47, 30), kind: 2 },
    ]);
  });

  it('finds nothing on an undeclared name', () => {
    const { text, offset } = marked(DOCKER_STACK.replace('"{{ db_password }}"', '"{{ nope<|> }}"'));
    assert.deepEqual(definition(parseStack(text), URI, offset), []);
    assert.deepEqual(references(parseStack(text), URI, offset, true), []);
  });
});
