import assert from 'node:assert/strict';
import {
  CodeActionRequest,
  CompletionRequest,
  CompletionTriggerKind,
  HoverRequest,
} from 'vscode-languageserver-protocol';
import type {
  CompletionItem,
  CompletionList,
  Diagnostic,
  MarkupContent,
  TextEdit,
} from 'vscode-languageserver-protocol';
import { marked } from '../helpers/cursor';
import { startInProcessServer, TestClient } from './testClient';

const itemsOf = (result: CompletionItem[] | CompletionList | null) =>
  Array.isArray(result) ? result : (result?.items ?? []);

/** `[[ ]]` marks the expected ranges, in document order. */
const STACK = marked(`metadata:
  name: app
  version: "1.0.0"
  category: Demo
  author: me
  license: MIT
  description: Schema checks over LSP.
  target_type: docker_swarm
template:
  version: "3.9"
  services:
    web:
      image: "nginx:{{ tag }}"
      [[shm_sze]]: 64m
      deploy:
        replicas: [[{{ settings.replicas }}]]
        mode: [[globl]]
      healthcheck:
        retries: [[two]]
        test: ["CMD", "true"]
variables:
  tag:
    type: string
    label: Tag
    default: latest
  settings:
    type: group
    label: Settings
    variables:
      replicas:
        type: integer
        label: Replicas
        default: 2
`);
const URI = 'file:///work/stacks/schema.stack.yaml';

describe('template schema over LSP', () => {
  let client: TestClient;
  let published: Diagnostic[] = [];
  before(async () => {
    client = await startInProcessServer();
    client.open(URI, STACK.text, 1);
  });
  after(async () => {
    await client.close();
  });

  it('publishes the schema findings with their codes and exact ranges', async () => {
    published = (await client.diagnostics(URI, 1)).diagnostics;
    const schema = published.filter((diagnostic) => /^WF1[01]\d$/.test(String(diagnostic.code)));
    assert.deepEqual(
      schema.map((diagnostic) => [diagnostic.code, diagnostic.severity, diagnostic.range]),
      [
        ['WF100', 1, STACK.ranges[0]],
        ['WF107', 1, STACK.ranges[1]],
        ['WF103', 1, STACK.ranges[2]],
        ['WF102', 1, STACK.ranges[3]],
      ],
    );
    assert.equal(schema[0].message, "'shm_sze' is not a Compose key in services.web; did you mean 'shm_size'?");
  });

  it('offers quick fixes: the did-you-mean key and the quotes around an unquoted {{ }}', async () => {
    const actions = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: URI },
      range: STACK.ranges[1],
      context: { diagnostics: published.filter((d) => d.code === 'WF100' || d.code === 'WF107') },
    });
    const edits = (actions ?? []).map((action) => {
      const changes = 'edit' in action ? action.edit?.changes?.[URI] : undefined;
      return [action.title, changes?.[0]?.newText];
    });
    assert.deepEqual(edits, [
      ["Change to 'shm_size'", 'shm_size'],
      ['Quote as "{{ settings.replicas }}"', '"{{ settings.replicas }}"'],
    ]);
  });

  it('completes service keys and, on the `.` trigger, the members of a group', async () => {
    const keys = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: URI },
      position: { line: 15, character: 8 },
    });
    assert.ok(itemsOf(keys).some((item) => item.label === 'replicas'));
    const edited = STACK.text.replace('"nginx:{{ tag }}"', '"nginx:{{ settings. }}"');
    client.open('file:///work/stacks/dot.stack.yaml', edited, 1);
    const members = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: 'file:///work/stacks/dot.stack.yaml' },
      position: { line: 12, character: '      image: "nginx:{{ settings.'.length },
      context: { triggerKind: CompletionTriggerKind.TriggerCharacter, triggerCharacter: '.' },
    });
    assert.deepEqual(
      itemsOf(members).map((item) => [item.label, (item.textEdit as TextEdit).newText]),
      [['replicas', 'replicas']],
    );
  });

  it('hovers a Compose key with its documentation and a link to the specification', async () => {
    const result = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: URI },
      position: { line: 16, character: 9 },
    });
    const value = (result?.contents as MarkupContent).value;
    assert.match(value, /^\*\*mode\*\*: `replicated`/);
    assert.match(value, /One of: `replicated`, `global`, `replicated-job`, `global-job`/);
    assert.match(value, /https:\/\/docs\.docker\.com\/reference\/compose-file\/deploy\/#mode/);
  });
});
