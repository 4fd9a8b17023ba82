import assert from 'node:assert/strict';
import type { CompletionItem, Hover, MarkupContent, TextEdit } from 'vscode-languageserver-types';
import { complete } from '../../server/src/features/completion';
import { hover } from '../../server/src/features/hover';
import { parseStack } from '../../server/src/stack/model';
import { marked } from '../helpers/cursor';
import { COMPOSE_STACK } from './fixtures';

function completeAt(source: string): CompletionItem[] {
  const { text, offset } = marked(source);
  return complete(parseStack(text), offset);
}

function hoverAt(source: string): Hover | null {
  const { text, offset } = marked(source);
  return hover(parseStack(text), offset);
}

const labels = (items: CompletionItem[]) => items.map((item) => item.label);
const markdownOf = (value: unknown) => (value as MarkupContent).value;

describe('completion and hover from the template schema', () => {
  it('service keys from the current Compose specification, with documentation, without the keys already written', () => {
    const items = completeAt(COMPOSE_STACK.replace('      image: redis\n', '      image: redis\n      <|>\n'));
    const names = labels(items);
    for (const key of ['healthcheck', 'deploy', 'develop', 'post_start', 'gpus', 'use_api_socket', 'shm_size'])
      assert.ok(names.includes(key), key);
    assert.ok(!names.includes('image'));
    const restart = items.find((item) => item.label === 'restart');
    assert.equal((restart?.textEdit as TextEdit).newText, 'restart: ');
    assert.match(markdownOf(restart?.documentation), /One of: `no`, `always`, `on-failure`, `unless-stopped`/);
    assert.match(
      markdownOf(restart?.documentation),
      /\[Reference\]\(https:\/\/docs\.docker\.com\/reference\/compose-file\/services\/#restart\)/,
    );
  });

  it('required keys first', () => {
    const items = completeAt(
      COMPOSE_STACK.replace(
        '      image: redis\n',
        '      image: redis\n      develop:\n        watch:\n          - <|>\n',
      ),
    );
    const sorted = [...items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
    assert.deepEqual(labels(sorted).slice(0, 2), ['action', 'path']);
    assert.match(String(sorted[0].detail), /^required/);
  });

  it('keys of the Swarm deploy section', () => {
    const items = completeAt(
      COMPOSE_STACK.replace('      image: redis\n', '      image: redis\n      deploy:\n        <|>\n'),
    );
    assert.deepEqual(
      labels(items).filter((label) => ['replicas', 'mode', 'placement', 'resources', 'update_config'].includes(label)),
      ['mode', 'placement', 'replicas', 'resources', 'update_config'],
    );
  });

  it('enum values and booleans', () => {
    const mode = completeAt(
      COMPOSE_STACK.replace('      image: redis\n', '      image: redis\n      deploy:\n        mode: <|>\n'),
    );
    assert.deepEqual(labels(mode), ['replicated', 'global', 'replicated-job', 'global-job']);
    const tty = completeAt(COMPOSE_STACK.replace('      image: redis\n', '      image: redis\n      tty: <|>\n'));
    assert.deepEqual(labels(tty), ['true', 'false']);
  });

  it('a skeleton of a new service under services', () => {
    const items = completeAt(COMPOSE_STACK.replace('    cache:\n', '    <|>\n    cache:\n'));
    const skeleton = items.find((item) => item.label === 'new service');
    assert.equal(skeleton?.insertTextFormat, 2);
    assert.match((skeleton?.textEdit as TextEdit).newText, /^\$\{1:name\}:\n {2}image: /);
  });

  it('Compose names: configs and secrets in a service, and their long-syntax source', () => {
    const text = COMPOSE_STACK.replace(
      '  networks:\n    front: {}\n',
      '  networks:\n    front: {}\n  configs:\n    app_config:\n      content: x\n  secrets:\n    db_password:\n      file: ./pw\n',
    );
    const list = completeAt(
      text.replace('      image: redis\n', '      image: redis\n      secrets:\n        - <|>\n'),
    );
    assert.deepEqual(labels(list), ['db_password']);
    const source = completeAt(
      text.replace('      image: redis\n', '      image: redis\n      configs:\n        - source: <|>\n'),
    );
    assert.deepEqual(labels(source), ['app_config']);
    const extended = completeAt(
      text.replace('      image: redis\n', '      image: redis\n      extends:\n        service: <|>\n'),
    );
    assert.deepEqual(labels(extended), ['db', 'web']);
  });

  it('hover on a service key: description, type, allowed values and the link to the specification', () => {
    const result = hoverAt(
      COMPOSE_STACK.replace('      image: redis\n', '      image: redis\n      pull_<|>policy: always\n'),
    );
    const value = markdownOf(result?.contents);
    assert.match(value, /^\*\*pull_policy\*\*: When to pull the image/);
    assert.match(value, /Type: `string`/);
    assert.match(value, /One of: `always`, `never`, `missing`/);
    assert.match(value, /https:\/\/docs\.docker\.com\/reference\/compose-file\/services\/#pull_policy/);
  });

  it('hover on a deploy key links to the deploy page', () => {
    const result = hoverAt(
      COMPOSE_STACK.replace('      image: redis\n', '      image: redis\n      deploy:\n        repl<|>icas: 2\n'),
    );
    const value = markdownOf(result?.contents);
    assert.match(value, /Number of tasks/);
    assert.match(value, /Type: `integer`/);
    assert.match(value, /compose-file\/deploy\/#replicas/);
  });
});
