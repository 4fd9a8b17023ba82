import assert from 'node:assert/strict';
import type { CompletionItem, TextEdit } from 'vscode-languageserver-types';
import { complete } from '../../server/src/features/completion';
import { FILTERS, TESTS } from '../../server/src/stack/jinja2';
import { parseStack } from '../../server/src/stack/model';
import { marked, range } from '../helpers/cursor';
import { COMPOSE_STACK, DOCKER_STACK } from './fixtures';

function completeAt(source: string): CompletionItem[] {
  const { text, offset } = marked(source);
  return complete(parseStack(text), offset);
}

const labels = (items: CompletionItem[]) => items.map((item) => item.label);
const edit = (item: CompletionItem | undefined) => item?.textEdit as TextEdit;

describe('completion', () => {
  describe('inside {{ }}', () => {
    it('offers variables, groups, deployment_name and the helper functions, replacing the word typed so far', () => {
      const items = completeAt(DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_<|> }}"'));
      assert.deepEqual(labels(items).slice(0, 6), [
        'version',
        'container_name',
        'db_password',
        'host_port',
        'performance',
        'deployment_name',
      ]);
      assert.equal(items.length, 6 + 16);
      const password = items.find((item) => item.label === 'db_password');
      assert.equal(password?.detail, 'password · Password');
      assert.deepEqual(edit(password), { range: range(13, 27, 13, 30), newText: 'db_password' });
      assert.match((password?.documentation as { value: string }).value, /Default: `\*\*\*\*\*\*\*\*`/);
    });

    it('offers the helper functions as snippets with their required parameters', () => {
      const items = completeAt(DOCKER_STACK.replace('"{{ db_password }}"', '"{{ <|> }}"'));
      const randomString = items.find((item) => item.label === 'random_string');
      assert.equal(randomString?.detail, "random_string(length, charset='alphanumeric') -> string");
      assert.equal(randomString?.insertTextFormat, 2);
      assert.equal(edit(randomString).newText, 'random_string(${1:length})');
      assert.equal(edit(items.find((item) => item.label === 'generate_uuid')).newText, 'generate_uuid()');
      assert.equal(edit(items.find((item) => item.label === 'random_choice')).newText, 'random_choice(${1:*choices})');
    });

    it('still works while the YAML is mid-edit (an unterminated {{ in a plain scalar)', () => {
      const items = completeAt(DOCKER_STACK.replace('"{{ db_password }}"', '{{ db_<|>'));
      assert.ok(labels(items).includes('db_password'));
      assert.deepEqual(edit(items[0]).range, range(13, 26, 13, 29));
    });

    it('offers the members of a group after `group.`', () => {
      const items = completeAt(DOCKER_STACK.replace('"{{ performance.shared_buffers }}"', '"{{ performance.sh<|> }}"'));
      assert.deepEqual(labels(items), ['shared_buffers']);
      assert.deepEqual(edit(items[0]), { range: range(14, 28, 14, 30), newText: 'shared_buffers' });
    });

    it('offers Jinja filters after |', () => {
      const items = completeAt(DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_password | up<|> }}"'));
      assert.ok(labels(items).includes('upper'));
      assert.ok(!labels(items).includes('db_password'));
      assert.deepEqual(edit(items.find((item) => item.label === 'upper'))?.range, range(13, 41, 13, 43));
    });

    it('offers exactly the Jinja2 filters after | and tests after is, with their signatures', () => {
      const filters = completeAt(DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_password | <|> }}"'));
      assert.deepEqual(labels(filters).sort(), [...FILTERS.keys()].sort());
      assert.equal(filters.find((item) => item.label === 'truncate')?.detail, "value | truncate(length=255, killwords=False, end='...', leeway=None)"); // prettier-ignore
      const tests = completeAt(DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_password is not div<|> }}"'));
      assert.deepEqual(labels(tests).sort(), [...TESTS.keys()].filter((name) => /^\w+$/.test(name)).sort());
      assert.equal(tests.find((item) => item.label === 'divisibleby')?.detail, 'value is divisibleby(num)');
      assert.deepEqual(edit(tests.find((item) => item.label === 'divisibleby'))?.range, range(13, 46, 13, 49));
    });

    it('offers the values a helper parameter accepts inside its string argument', () => {
      const items = completeAt(DOCKER_STACK.replace("generate_animalname('pg')", "random_string(8, '<|>')"));
      assert.deepEqual(labels(items), ['alphanumeric', 'alpha', 'numeric', 'hex']);
    });

    it('does not offer deployment_name where WindFlow does not set it (variable defaults, metadata.deployment_name)', () => {
      const inDefault = completeAt(DOCKER_STACK.replace("generate_animalname('pg')", '<|>'));
      assert.ok(!labels(inDefault).includes('deployment_name'));
      assert.ok(!labels(inDefault).includes('container_name'), 'a default cannot use its own variable');
      const inName = completeAt(
        DOCKER_STACK.replace('deployment_name: "{{ container_name }}"', 'deployment_name: "{{ <|> }}"'),
      );
      assert.ok(!labels(inName).includes('deployment_name'));
      assert.ok(!labels(inName).includes('performance'), 'metadata.deployment_name does not see groups');
      const inNotes = completeAt(DOCKER_STACK.replace('Connect on port {{ host_port }}', 'Connect on port {{ <|> }}'));
      assert.ok(labels(inNotes).includes('deployment_name'));
    });
  });

  describe('keys and values', () => {
    it('offers the schema keys of a docker template that are not written yet, with documentation', () => {
      const items = completeAt(DOCKER_STACK.replace('  ports:\n', '  res<|>\n  ports:\n'));
      assert.deepEqual(labels(items), [
        'volumes',
        'restart_policy',
        'healthcheck',
        'labels',
        'command',
        'entrypoint',
        'user',
        'working_dir',
        'networks',
        'network_mode',
      ]);
      assert.deepEqual(edit(items[1]), { range: range(15, 2, 15, 5), newText: 'restart_policy: ' });
      assert.ok(typeof items[1].documentation === 'object' && items[1].documentation.value.length > 0);
    });

    it('offers the variable properties not yet present', () => {
      const items = completeAt(
        DOCKER_STACK.replace('  version:\n    type: string\n', '  version:\n    type: string\n    <|>\n'),
      );
      assert.ok(labels(items).includes('description'));
      assert.ok(labels(items).includes('pattern'));
      for (const present of ['type', 'label', 'default', 'enum', 'help'])
        assert.ok(!labels(items).includes(present), present);
    });

    it('offers the top-level sections not yet present', () => {
      assert.deepEqual(labels(completeAt(COMPOSE_STACK.replace('metadata:\n', '<|>\nmetadata:\n'))), [
        'target_parameters',
        'deployment_notes',
      ]);
    });

    it('offers target_type and variable type values', () => {
      assert.deepEqual(labels(completeAt(DOCKER_STACK.replace('target_type: docker', 'target_type: <|>'))), [
        'docker', 'docker_compose', 'docker_swarm', 'kubernetes', 'vm', 'physical',
      ]); // prettier-ignore
      assert.deepEqual(labels(completeAt(DOCKER_STACK.replace('    type: integer', '    type: int<|>'))), [
        'string', 'number', 'integer', 'boolean', 'password', 'textarea', 'group',
      ]); // prettier-ignore
    });

    it("offers a variable's enum values for its default", () => {
      const items = completeAt(DOCKER_STACK.replace('    default: "16"', '    default: <|>'));
      assert.deepEqual(labels(items), ['16', '15']);
    });

    it('offers other variables as depends_on keys', () => {
      const items = completeAt(DOCKER_STACK.replace('      version: "16"\n', '      version: "16"\n      <|>\n'));
      assert.deepEqual(labels(items), ['container_name', 'db_password', 'performance', 'performance.shared_buffers']);
    });
  });

  describe('compose references', () => {
    it('offers the other services in depends_on, not the service itself or those listed', () => {
      const items = completeAt(COMPOSE_STACK.replace('        - db\n', '        - db\n        - <|>\n'));
      assert.deepEqual(labels(items), ['cache']);
      assert.deepEqual(edit(items[0]), { range: range(16, 10, 16, 10), newText: 'cache' });
      const mapped = completeAt(
        COMPOSE_STACK.replace('      image: redis\n', '      image: redis\n      depends_on:\n        <|>\n'),
      );
      assert.deepEqual(
        mapped.map((item) => edit(item).newText),
        ['db:', 'web:'],
      );
    });

    it('offers named volumes in a service volumes list and networks in its networks list', () => {
      const volumes = completeAt(
        COMPOSE_STACK.replace(
          '        - db_data:/var/lib/postgresql/data\n',
          '        - db_data:/var/lib/postgresql/data\n        - <|>\n',
        ),
      );
      assert.deepEqual(
        volumes.map((item) => edit(item).newText),
        ['db_data:', 'static:'],
      );
      assert.deepEqual(labels(completeAt(COMPOSE_STACK.replace('        - front\n', '        - <|>\n'))), ['front']);
    });

    it('offers Compose service keys', () => {
      const items = completeAt(COMPOSE_STACK.replace('      image: redis\n', '      image: redis\n      <|>\n'));
      for (const key of ['depends_on', 'environment', 'ports', 'healthcheck', 'restart'])
        assert.ok(labels(items).includes(key), key);
      assert.ok(!labels(items).includes('image'));
    });
  });

  it('offers nothing inside a block scalar outside {{ }}', () => {
    assert.deepEqual(completeAt(DOCKER_STACK.replace('Connect on port', 'Connect <|>on port')), []);
  });
});
