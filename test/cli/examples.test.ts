/**
 * The bundled examples are what a newcomer opens first: with the default settings (upstreamCompatibility off) they
 * show no problem at all, in the editor and in `windflow-stack validate`. With --upstream the checks that only
 * matter for an upstream WindFlow server come back.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLanguageService } from '../../server/src/languageService';
import { runInProcess } from './inProcess';

const EXAMPLES = path.resolve(__dirname, '../../examples');
const exampleFiles = readdirSync(EXAMPLES)
  .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
  .map((name) => path.join(EXAMPLES, name));

describe('bundled examples', () => {
  it('exist', () => assert.ok(exampleFiles.length >= 4, `examples found: ${exampleFiles.join(', ')}`));

  for (const file of exampleFiles) {
    it(`${path.basename(file)} opens in the editor with zero problems`, () => {
      const service = createLanguageService({});
      const diagnostics = service.getDiagnostics(readFileSync(file, 'utf8'), pathToFileURL(file).href);
      assert.deepEqual(
        diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.message}`),
        [],
      );
    });
  }

  it('validate with the CLI defaults reports nothing', async () => {
    const result = await runInProcess(['validate', 'examples']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `0 errors, 0 warnings, 0 hints in ${exampleFiles.length} files\n`);
  });

  it('validate --upstream adds the checks for an upstream WindFlow server', async () => {
    const result = await runInProcess(['validate', 'examples', '--upstream']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /WF041 `command` is applied by this extension but ignored by upstream WindFlow/);
    assert.match(result.stdout, /WF044 upstream WindFlow cannot deploy kubernetes stacks/);
  });

  it('the editor reports the upstream checks only when upstreamCompatibility is on', () => {
    const file = exampleFiles.find((name) => name.endsWith('hello-busybox.stack.yaml'))!;
    const service = createLanguageService({});
    const text = readFileSync(file, 'utf8');
    const codes = (on: boolean) =>
      service.getDiagnostics(text, undefined, { upstreamCompatibility: on }).map((diagnostic) => diagnostic.code);
    assert.deepEqual(codes(false), []);
    assert.deepEqual(codes(true), ['WF041', 'WF041']);
  });
});
