import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

describe('language server Node flags', () => {
  it('are the same for the npm bin (shebang) and the server the VS Code client starts', () => {
    const client = readFileSync(path.join(ROOT, 'client/src/languageClient.ts'), 'utf8');
    const clientFlags = /const SERVER_NODE_FLAGS = \[([^\]]*)\]/.exec(client)?.[1].match(/'[^']*'/g);
    const banner = /#!\/usr\/bin\/env -S node ([^']*)'/.exec(readFileSync(path.join(ROOT, 'esbuild.mjs'), 'utf8'))?.[1];
    assert.ok(clientFlags && banner);
    assert.deepEqual(
      clientFlags.map((flag) => flag.slice(1, -1)),
      banner.split(' '),
    );
    assert.equal(
      readFileSync(path.join(ROOT, 'dist/server.js'), 'utf8').split('\n')[0],
      `#!/usr/bin/env -S node ${banner}`,
    );
  });
});
