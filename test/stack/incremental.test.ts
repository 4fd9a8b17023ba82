import assert from 'node:assert/strict';
import { generateComposeStack } from '../../bench/generate';
import { generateKubernetesStack } from '../../bench/kubernetes';
import { checkStack, parseStack, StackModel } from '../../server/src/stack';
import { IncrementalStackParser } from '../../server/src/stack/incremental';
import { leafSpan } from '../../server/src/stack/model';
import { readSample } from './util';

/** Everything observable about a model that features and checks read. */
function observe(model: StackModel) {
  return {
    data: JSON.stringify(model.data),
    leaves: model.leaves.map((leaf) => `${leaf.path.join('.')}@${leaf.node.range![0]}:${leaf.node.range![1]}`),
    references: model.references.map((site) => `${site.reference.name}@${site.fullSpan.start}-${site.fullSpan.end}`),
    declarations: [...model.declarations.values()].map((decl) => `${decl.qualifiedName}@${decl.keySpan.start}`),
    spans: model.leaves.flatMap((leaf) =>
      leaf.scan.segments.map((segment) => JSON.stringify(leafSpan(leaf, segment.span))),
    ),
    diagnostics: checkStack(model, { skipRendered: true }).map(
      (d) => `${d.code}@${d.span.start}-${d.span.end} ${d.message}`,
    ),
  };
}

function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

const SNIPPETS = [
  'x',
  '{{ var_1 }}',
  '{{ nope }}',
  '\n',
  '\n      extra: 1',
  '\n    newsvc:\n      image: busybox',
  '"',
  '[',
  ': ',
  '  ',
  '#',
  '&anchor ',
  '\n  spare:\n    type: string\n    label: Spare',
  '\t',
];

describe('incremental parsing', () => {
  it('equals a full parse after every step of random edit sequences', function () {
    this.timeout(120_000);
    for (let seed = 1; seed <= 6; seed++) {
      const next = random(seed);
      const parser = new IncrementalStackParser();
      let text = generateComposeStack(40, 12);
      assert.deepEqual(observe(parser.update(text)), observe(parseStack(text)));
      for (let step = 0; step < 25; step++) {
        const at = next(text.length);
        if (next(3) === 0) text = text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + next(30)));
        else text = text.slice(0, at) + SNIPPETS[next(SNIPPETS.length)] + text.slice(at);
        assert.deepEqual(observe(parser.update(text)), observe(parseStack(text)), `seed ${seed} step ${step}`);
      }
    }
  });

  it('equals a full parse after random edits of a long sequence (a kubernetes kind: List), split per item', function () {
    this.timeout(120_000);
    const listSnippets = [
      ...SNIPPETS,
      '\n    - apiVersion: v1\n      kind: ConfigMap\n      metadata:\n        name: extra',
      '- ',
      '\n  - x',
      '\n\n',
    ];
    for (let seed = 1; seed <= 4; seed++) {
      const next = random(seed);
      const parser = new IncrementalStackParser();
      let text = generateKubernetesStack(16, 6);
      assert.deepEqual(observe(parser.update(text)), observe(parseStack(text)));
      assert.equal(parser.lastUpdate.mode, 'chunks');
      for (let step = 0; step < 25; step++) {
        const at = next(text.length);
        if (next(3) === 0) text = text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + next(30)));
        else text = text.slice(0, at) + listSnippets[next(listSnippets.length)] + text.slice(at);
        assert.deepEqual(observe(parser.update(text)), observe(parseStack(text)), `seed ${seed} step ${step}`);
      }
    }
  });

  it('re-parses only the List item an edit touched', () => {
    const parser = new IncrementalStackParser();
    const text = generateKubernetesStack(20, 6);
    parser.update(text);
    const at = text.indexOf('INDEX: "10"');
    const edited = `${text.slice(0, at)}EXTRA: "1"\n        ${text.slice(at)}`;
    const model = parser.update(edited);
    assert.equal(parser.lastUpdate.mode, 'chunks');
    assert.equal(parser.lastUpdate.parsedChunks, 1);
    assert.ok(parser.lastUpdate.reusedChunks > 60);
    assert.deepEqual(observe(model), observe(parseStack(edited)));
  });

  it('re-parses only the chunk an edit touched', () => {
    const parser = new IncrementalStackParser();
    const text = generateComposeStack(60, 12);
    parser.update(text);
    assert.equal(parser.lastUpdate.mode, 'chunks');
    const at = text.indexOf('SERVICE_INDEX: "30"');
    const edited = `${text.slice(0, at)}EXTRA: "1"\n        ${text.slice(at)}`;
    const model = parser.update(edited);
    assert.equal(parser.lastUpdate.mode, 'chunks');
    assert.equal(parser.lastUpdate.parsedChunks, 1);
    assert.ok(parser.lastUpdate.reusedChunks > 60);
    assert.deepEqual(observe(model), observe(parseStack(edited)));
  });

  it('takes over the string leaves of unchanged chunks, and makes new ones where the path changed', () => {
    const parser = new IncrementalStackParser();
    const text = generateComposeStack(60, 12);
    const before = parser.update(text);
    const leafOf = (model: StackModel, path: string) => model.leaves.find((leaf) => leaf.path.join('.') === path);
    const beforeImage = leafOf(before, 'template.services.svc50.image');
    const beforeLabel = leafOf(before, 'variables.var_3.label');
    assert.ok(beforeImage && beforeLabel);
    // Positions inside the reused leaf are computed before the edit moves it.
    assert.ok(beforeImage.source.offsets.length > 0);

    const at = text.indexOf('SERVICE_INDEX: "30"');
    const edited = `${text.slice(0, at)}EXTRA: "{{ var_2 }}"\n        ${text.slice(at)}`;
    const after = parser.update(edited);
    assert.equal(leafOf(after, 'template.services.svc50.image'), beforeImage);
    // A variable's leaves belong to its declaration, which every update rebuilds.
    assert.notEqual(leafOf(after, 'variables.var_3.label'), beforeLabel);
    assert.deepEqual(observe(after), observe(parseStack(edited)));

    const renamed = edited.replace('  services:\n', '  servicez:\n');
    const afterRename = parser.update(renamed);
    assert.equal(parser.lastUpdate.mode, 'chunks');
    assert.equal(leafOf(afterRename, 'template.services.svc50.image'), undefined);
    assert.ok(leafOf(afterRename, 'template.servicez.svc50.image'));
    assert.deepEqual(observe(afterRename), observe(parseStack(renamed)));
  });

  it('falls back to a full parse for anchors and small files', () => {
    const parser = new IncrementalStackParser();
    parser.update(readSample('upstream-postgresql.yaml'));
    assert.equal(parser.lastUpdate.mode, 'full');
    const withAnchor = generateComposeStack(60, 12).replace(
      '  services:',
      '  x-base: &base {restart: always}\n  services:',
    );
    const model = parser.update(withAnchor);
    assert.equal(parser.lastUpdate.mode, 'full');
    assert.deepEqual(observe(model), observe(parseStack(withAnchor)));
  });
});
