import assert from 'node:assert/strict';
import { isScalar, parseDocument, Scalar, visit } from 'yaml';
import { mapByPieces, mapScalarSource } from '../../server/src/stack/scalarSource';

/** Every string scalar of a document with its source map. */
function scalars(text: string): { node: Scalar; offsets: number[]; exact: boolean }[] {
  const doc = parseDocument(text, { version: '1.1' });
  const found: { node: Scalar; offsets: number[]; exact: boolean }[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.value) && typeof pair.value.value === 'string') {
        const map = mapScalarSource(text, pair.value)!;
        const base = pair.value.range![0];
        found.push({ node: pair.value, offsets: map.offsets.map((offset) => base + offset), exact: map.exact });
      }
    },
  });
  return found;
}

/** Where the value's `{{` lands in the source. */
function braceOffset(text: string): number {
  const [scalar] = scalars(text);
  const index = (scalar.node.value as string).indexOf('{{');
  return scalar.offsets[index];
}

describe('scalar source map', () => {
  it('maps one-line scalars written as their value like the general reading does', () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pieces = ['a', ' ', '  ', '{{ x }}', "'", '"', '\\', 'é', '😀', ':', '-', '#'];
    let verbatim = 0;
    for (let round = 0; round < 2000; round++) {
      const value = Array.from({ length: random(6) }, () => pieces[random(pieces.length)]).join('');
      const style = random(3);
      const written =
        style === 0
          ? value
          : style === 1
            ? `'${value.replace(/'/g, "''")}'`
            : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
      const text = `k: ${written}${random(2) ? '  ' : ''}\n`;
      const document = parseDocument(text, { version: '1.1' });
      const node = (document.contents as { items: { value: unknown }[] } | null)?.items?.[0]?.value;
      if (document.errors.length > 0 || !isScalar(node) || typeof node.value !== 'string') continue;
      const fast = mapScalarSource(text, node);
      assert.deepEqual(fast, mapByPieces(text, node), JSON.stringify(text));
      if (fast !== mapScalarSource(text, node)) verbatim++;
    }
    // Fresh maps on every call are the shortcut's (the general reading is cached): both paths were exercised.
    assert.ok(verbatim > 300 && verbatim < 1900, `${verbatim} verbatim scalars`);
  });

  it('maps plain, single- and double-quoted scalars exactly', () => {
    for (const text of [
      'k: a {{ x }}\n',
      "k: 'it''s {{ x }}'\n",
      'k: "tab\\t\\"q\\" {{ x }}"\n',
      'k: "\\u00e9\\U0001F600 {{ x }}"\n',
    ]) {
      const [scalar] = scalars(text);
      assert.equal(scalar.exact, true, text);
      assert.equal(braceOffset(text), text.indexOf('{{'), text);
    }
  });

  it('maps folded lines of flow scalars onto their own source lines', () => {
    const text = 'k: "first\n  second {{ x }}\n\n  third"\n';
    const [scalar] = scalars(text);
    assert.equal(scalar.node.value, 'first second {{ x }}\nthird');
    assert.equal(scalar.exact, true);
    assert.equal(braceOffset(text), text.indexOf('{{'));
    const third = (scalar.node.value as string).indexOf('third');
    assert.equal(scalar.offsets[third], text.indexOf('third'));
  });

  it('handles escaped line breaks in double-quoted scalars', () => {
    const text = 'k: "abc\\\n   def {{ x }}"\n';
    const [scalar] = scalars(text);
    assert.equal(scalar.node.value, 'abcdef {{ x }}');
    assert.equal(scalar.exact, true);
    assert.equal(braceOffset(text), text.indexOf('{{'));
  });

  it('maps literal and folded block scalars with every chomping indicator', () => {
    const cases = [
      'k: |\n  one\n  {{ x }}\n\n  three\n',
      'k: |-\n    one\n    {{ x }}\n',
      'k: |+\n  one\n  {{ x }}\n\n\nn: 1\n',
      'k: >\n  one\n  {{ x }}\n\n  three\n    more indented\n  back\n',
      'k: >-\n  one {{ x }}\n  two\n',
      'k: |2\n    indented {{ x }}\n',
      'top:\n  nested: |\n    ## title\n    port {{ x }} here\n',
    ];
    for (const text of cases) {
      const [scalar] = scalars(text);
      assert.equal(scalar.exact, true, JSON.stringify(text));
      assert.equal(braceOffset(text), text.indexOf('{{'), JSON.stringify(text));
    }
  });

  it('reproduces the parser on random scalars and never loses a position', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const words = ['a', '{{ x }}', 'b c', "it's", 'q"q', '\\', '#x', ': y', 'é', '😀'];
    for (let round = 0; round < 300; round++) {
      const lineCount = 1 + random(4);
      const lines = Array.from({ length: lineCount }, () =>
        Array.from({ length: 1 + random(3) }, () => words[random(words.length)]).join(' '),
      );
      const style = random(4);
      let text: string;
      if (style === 0) text = `k: |${['', '-', '+'][random(3)]}\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
      else if (style === 1)
        text = `k: >${['', '-', '+'][random(3)]}\n${lines.map((l) => `  ${random(4) === 0 ? '  ' : ''}${l}`).join('\n')}\n`;
      else if (style === 2) text = `k: '${lines.map((l) => l.replace(/'/g, "''")).join('\n  ')}'\n`;
      else text = `k: "${lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\n  ')}"\n`;
      const doc = parseDocument(text, { version: '1.1' });
      if (doc.errors.length) continue;
      const found = scalars(text);
      if (found.length === 0) continue;
      const [scalar] = found;
      assert.equal(scalar.exact, true, `not exact for ${JSON.stringify(text)}`);
      assert.equal(scalar.offsets.length, (scalar.node.value as string).length + 1);
      const value = scalar.node.value as string;
      for (let i = 0; i < value.length; i++) {
        if (value[i] === '{') assert.equal(text[scalar.offsets[i]], '{', JSON.stringify(text));
      }
    }
  });
});
