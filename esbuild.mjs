// Bundles the extension client, the language server and the CLI into dist/.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  logLevel: 'warning',
  loader: { '.node': 'empty' },
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' },
  { entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['client/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // Webview page scripts: run in the panel's browser sandbox, one self-contained file each.
  ...['deployForm', 'logs', 'status'].map((page) => ({
    entryPoints: [`client/src/webview/${page}.ts`],
    outfile: `dist/webview-${page === 'deployForm' ? 'deploy' : page}.js`,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    external: [],
  })),
];

const contexts = await Promise.all(entries.map((entry) => esbuild.context({ ...shared, ...entry })));
if (watch) {
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(contexts.map((context) => context.rebuild()));
  await Promise.all(contexts.map((context) => context.dispose()));
}
