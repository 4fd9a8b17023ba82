import assert from 'node:assert/strict';
import type { Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { codeActions } from '../../server/src/features/codeActions';
import { toLspDiagnostics } from '../../server/src/features/diagnostics';
import { checkStack } from '../../server/src/stack/check';
import { parseStack } from '../../server/src/stack/model';
import { range } from '../helpers/cursor';
import { DOCKER_STACK } from './fixtures';

const URI = 'file:///stack.yaml';

/** The quick fixes offered for the diagnostics with `code`, as [title, edits]. */
function fixesFor(text: string, code: string, extra: Diagnostic[] = []): [string, TextEdit[]][] {
  const model = parseStack(text);
  const diagnostics = [...toLspDiagnostics(model, checkStack(model)), ...extra].filter(
    (diagnostic) => diagnostic.code === code,
  );
  return codeActions(model, URI, diagnostics).map((action) => [action.title, action.edit?.changes?.[URI] ?? []]);
}

/** Applies edits (non-overlapping) to a text. */
function apply(text: string, edits: TextEdit[]): string {
  const model = parseStack(text);
  const offsets = edits.map((edit) => ({
    start: model.lines.offsetAt(edit.range.start),
    end: model.lines.offsetAt(edit.range.end),
    text: edit.newText,
  }));
  return offsets
    .sort((a, b) => b.start - a.start)
    .reduce((result, edit) => result.slice(0, edit.start) + edit.text + result.slice(edit.end), text);
}

describe('code actions', () => {
  it('declares a missing variable, typed from its use, at the end of variables:', () => {
    const text = DOCKER_STACK.replace('Connect on port {{ host_port }}', 'Connect with {{ api_token }}');
    const fixes = fixesFor(text, 'WF020');
    assert.deepEqual(fixes, [
      [
        "Declare variable 'api_token' (password)",
        [{ range: range(46, 0, 46, 0), newText: '  api_token:\n    type: password\n    label: "Api token"\n' }],
      ],
    ]);
    const fixed = apply(text, fixes[0][1]);
    assert.deepEqual(
      checkStack(parseStack(fixed)).filter((diagnostic) => diagnostic.code === 'WF020'),
      [],
    );
  });

  it('creates the variables section when there is none', () => {
    const text = 'metadata:\n  name: x\ntemplate:\n  image: "{{ image_tag }}"';
    const fixes = fixesFor(text, 'WF020');
    assert.deepEqual(fixes[0][1], [
      { range: range(3, 26, 3, 26), newText: '\nvariables:\n  image_tag:\n    type: string\n    label: "Image tag"\n' },
    ]);
  });

  it('offers did-you-mean for a misspelt reference and function', () => {
    const text = DOCKER_STACK.replace('"{{ db_password }}"', '"{{ db_pasword }}"').replace(
      "generate_animalname('pg')",
      "generate_animalnam('pg')",
    );
    assert.deepEqual(fixesFor(text, 'WF020')[0], [
      "Change to 'db_password'",
      [{ range: range(13, 27, 13, 37), newText: 'db_password' }],
    ]);
    assert.deepEqual(fixesFor(text, 'WF027'), [
      ["Change to 'generate_animalname'", [{ range: range(27, 17, 27, 35), newText: 'generate_animalname' }]],
    ]);
  });

  it('uses group.member for a member used without its group', () => {
    const text = DOCKER_STACK.replace('Buffers: {{ performance.shared_buffers }}', 'Buffers: {{ shared_buffers }}');
    assert.deepEqual(fixesFor(text, 'WF021'), [
      ["Use 'performance.shared_buffers'", [{ range: range(48, 14, 48, 28), newText: 'performance.shared_buffers' }]],
    ]);
  });

  it('removes an unused variable, whole lines', () => {
    const text = DOCKER_STACK.replace('"{{ db_password }}"', 'literal');
    const fixes = fixesFor(text, 'WF033');
    assert.deepEqual(fixes, [["Remove unused variable 'db_password'", [{ range: range(28, 0, 32, 0), newText: '' }]]]);
    assert.ok(!apply(text, fixes[0][1]).includes('db_password'));
  });

  it('leaves `{}` when the last variable of a mapping is removed', () => {
    const text = 'template:\n  image: x\nvariables:\n  only:\n    type: string\n    label: Only\n';
    const fixes = fixesFor(text, 'WF033');
    assert.equal(apply(text, fixes[0][1]), 'template:\n  image: x\nvariables: {}\n');
  });

  it('replaces a target_type with the suggestion, keeping quotes', () => {
    const text = DOCKER_STACK.replace('target_type: docker', 'target_type: "dockr"');
    assert.deepEqual(fixesFor(text, 'WF003'), [
      ["Change to 'docker'", [{ range: range(7, 16, 7, 21), newText: 'docker' }]],
    ]);
  });

  it('replaces an unknown key with the suggestion', () => {
    const text = DOCKER_STACK.replace('  ports:', '  prots:');
    const diagnostic: Diagnostic = {
      range: range(15, 2, 15, 7),
      message: 'x',
      code: 'WF010',
      source: 'windflow',
      data: { suggestion: 'ports' },
    };
    assert.deepEqual(fixesFor(text, 'WF010', [diagnostic]), [
      ["Change to 'ports'", [{ range: range(15, 2, 15, 7), newText: 'ports' }]],
    ]);
  });

  it('quotes a value YAML 1.1 misreads, with the quoted text the check proposes', () => {
    const text = DOCKER_STACK.replace('version: "1.0.0"', 'version: 1.0');
    assert.deepEqual(fixesFor(text, 'WF004'), [['Quote as "1.0"', [{ range: range(2, 11, 2, 14), newText: '"1.0"' }]]]);
    const trap: Diagnostic = {
      range: range(2, 11, 2, 14),
      message: 'x',
      code: 'WF047',
      source: 'windflow',
      data: { quoted: '"1.0"' },
    };
    assert.deepEqual(fixesFor(text, 'WF047', [trap]), [
      ['Quote as "1.0"', [{ range: range(2, 11, 2, 14), newText: '"1.0"' }]],
    ]);
  });

  it('converts type: enum to type: string with an enum list', () => {
    const text = 'template:\n  image: x\nvariables:\n  mode:\n    type: enum\n    label: Mode\n    default: fast\n';
    const [[title, edits]] = fixesFor(text, 'WF005');
    assert.equal(title, "Use 'type: string' with 'enum'");
    assert.equal(
      apply(text, edits),
      'template:\n  image: x\nvariables:\n  mode:\n    type: string\n    enum: ["fast"]\n    label: Mode\n    default: fast\n',
    );
  });

  it('ignores diagnostics from other sources', () => {
    const model = parseStack(DOCKER_STACK);
    const foreign: Diagnostic = { range: range(0, 0, 0, 1), message: 'x', source: 'yaml', data: { suggestion: 'y' } };
    assert.deepEqual(codeActions(model, URI, [foreign]), []);
  });
});
