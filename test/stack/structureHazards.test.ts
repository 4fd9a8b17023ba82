/**
 * Self-referencing aliases and extreme nesting are diagnostics of the stack model (with their range), and nothing
 * downstream (checks, render) ever walks such data: no "Maximum call stack size exceeded" anywhere.
 */
import assert from 'node:assert/strict';
import { parseStack } from '../../server/src/stack';
import { renderStack } from '../../server/src/stack/render';
import { diagnose, spanOf, stack, withCode } from './util';

function deepFlow(depth: number): string {
  return `${'['.repeat(depth)}x${']'.repeat(depth)}`;
}

function deepBlock(depth: number): string {
  return Array.from({ length: depth }, (_, i) => `${'  '.repeat(i + 2)}k${i}:`).join('\n') + ' v';
}

describe('structure hazards (WF150, WF012 depth)', () => {
  it('reports an alias inside its own anchor on the alias, and renders nothing from it', () => {
    const text = stack({ template: '  image: busybox\n  command: &a ["sh", *a]' });
    const found = withCode(diagnose(text), 'WF150');
    assert.equal(found.length, 1);
    assert.equal(found[0].severity, 'error');
    assert.deepEqual(found[0].span, spanOf(text, '*a'));
    assert.match(found[0].message, /^\*a is inside the node &a names, so its value would contain itself/);
    const rendered = renderStack(parseStack(text));
    assert.equal(rendered.ok, false);
  });

  it('finds the cycle through a nested anchor, in a variable default, and in a mapping key', () => {
    const nested = stack({ template: '  image: busybox\n  labels: &outer\n    inner: &inner\n      back: *outer' });
    assert.deepEqual(
      withCode(diagnose(nested), 'WF150').map((d) => d.span),
      [spanOf(nested, '*outer')],
    );
    const inDefault = stack({ variables: '  tag:\n    type: string\n    label: Tag\n    default: &d ["1", *d]' });
    assert.deepEqual(
      withCode(diagnose(inDefault), 'WF150').map((d) => d.span),
      [spanOf(inDefault, '*d')],
    );
    const inKey = stack({ template: '  image: busybox\n  labels: &m\n    ? *m\n    : x' });
    assert.deepEqual(
      withCode(diagnose(inKey), 'WF150').map((d) => d.span),
      [spanOf(inKey, '*m')],
    );
  });

  it('accepts aliases to earlier, closed nodes (ordinary reuse)', () => {
    const text = stack({ template: '  image: busybox\n  command: &c ["sh", "-c", "true"]\n  entrypoint: *c' });
    assert.deepEqual(withCode(diagnose(text), 'WF150'), []);
    const rendered = renderStack(parseStack(text));
    assert.deepEqual((rendered.template as { entrypoint: unknown }).entrypoint, ['sh', '-c', 'true']);
  });

  for (const [shape, value] of [
    ['flow', `  image: busybox\n  labels:\n    x: ${deepFlow(1000)}`],
    ['block', `  image: busybox\n  environment:\n${deepBlock(1000)}`],
  ] as const) {
    it(`reports 1,000-deep ${shape} nesting as WF012 and does not render it`, () => {
      const text = stack({ template: value });
      const diagnostics = diagnose(text);
      const depth = withCode(diagnostics, 'WF012');
      assert.equal(depth.length, 1, JSON.stringify(diagnostics));
      assert.match(depth[0].message, /^nesting deeper than 200 levels/);
      assert.ok(diagnostics.every((d) => !/Maximum call stack/.test(d.message)));
      const rendered = renderStack(parseStack(text));
      assert.equal(rendered.ok, false);
      assert.ok(rendered.errors.every((e) => !/Maximum call stack/.test(e.message)));
    });
  }
});
