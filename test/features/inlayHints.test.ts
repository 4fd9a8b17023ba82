import assert from 'node:assert/strict';
import { inlayHints } from '../../server/src/features/inlayHints';
import { parseStack } from '../../server/src/stack/model';
import { DOCKER_STACK } from './fixtures';

const everything = { start: 0, end: Number.MAX_SAFE_INTEGER };

describe('inlay hints', () => {
  it('shows the default after each bare reference, masked for passwords', () => {
    const hints = inlayHints(parseStack(DOCKER_STACK), everything).map((hint) => [
      hint.position.line,
      hint.position.character,
      hint.label,
    ]);
    assert.deepEqual(hints, [
      [8, 40, "= {{ generate_animalname('pg') }}"],
      [10, 32, '= 16'],
      [13, 41, '= ********'],
      [14, 45, '= 256MB'],
      [16, 22, '= 5432'],
      [47, 33, '= 5432'],
      [48, 43, '= 256MB'],
    ]);
  });

  it('skips expressions with filters or calls, and positions outside the range', () => {
    const text = DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_password | upper }}"');
    const model = parseStack(text);
    const lineOf = (line: number) => ({ start: model.lines.lineStart(line), end: model.lines.lineStart(line + 1) });
    assert.deepEqual(inlayHints(model, lineOf(13)), []);
    assert.deepEqual(
      inlayHints(model, lineOf(16)).map((hint) => hint.label),
      ['= 5432'],
    );
  });
});
