import assert from 'node:assert/strict';
import { createLanguageService } from '../../server/src/languageService';
import { LIMITS } from '../../server/src/stack/model';
import { range } from '../helpers/cursor';
import { DOCKER_STACK } from './fixtures';

describe('language service facade', () => {
  it('parses each version of a document once', () => {
    const service = createLanguageService();
    const first = service.modelOf(DOCKER_STACK, 'file:///a.yaml');
    assert.equal(service.modelOf(DOCKER_STACK, 'file:///a.yaml'), first);
    const edited = service.modelOf(`${DOCKER_STACK}# edited\n`, 'file:///a.yaml');
    assert.notEqual(edited, first);
    assert.equal(edited.text.endsWith('# edited\n'), true);
  });

  it('links each diagnostic to its anchor in the diagnostics reference and tags unused variables', () => {
    const service = createLanguageService({ diagnosticsDocsUrl: 'https://example.test/diagnostics.md' });
    const [unused] = service
      .getDiagnostics(DOCKER_STACK.replace('"{{ db_password }}"', 'literal'))
      .filter((diagnostic) => diagnostic.code === 'WF033');
    assert.deepEqual(unused, {
      range: range(28, 2, 28, 13),
      severity: 3,
      code: 'WF033',
      source: 'windflow',
      message: "variable 'db_password' is never used",
      codeDescription: { href: 'https://example.test/diagnostics.md#wf033' },
      tags: [1],
      data: { name: 'db_password' },
    });
  });

  it('reports text that was not valid UTF-8 and lone surrogates (WF013) at their first occurrence', () => {
    const service = createLanguageService();
    const found = service
      .getDiagnostics(DOCKER_STACK.replace('name: demo', 'name: d\uFFFDmo\uD800'))
      .filter((diagnostic) => diagnostic.code === 'WF013')
      .map((diagnostic) => diagnostic.range);
    assert.deepEqual(found, [range(1, 9, 1, 10), range(1, 12, 1, 13)]);
  });

  it('does not parse a file over the size limit and says why', () => {
    const service = createLanguageService();
    const text = `deployment_notes: "${'x'.repeat(20 * 1024 * 1024)}"\n`;
    const diagnostics = service.getDiagnostics(text);
    const firstLineLength = text.indexOf('\n');
    assert.deepEqual(
      diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.message, diagnostic.range]),
      [
        [
          'WF012',
          `the file is 20.0 MiB: files over ${(LIMITS.maxLength / (1024 * 1024)).toFixed(1)} MiB are not checked`,
          range(0, 0, 0, firstLineLength),
        ],
      ],
    );
    assert.equal(service.hover(text, 3), null);
  });
});
