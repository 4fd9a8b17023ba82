// Bundles the extension client, the language server and the CLI into dist/.
import { chmodSync, cpSync, rmSync } from 'node:fs';
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

/**
 * @kubernetes/client-node is ~15 MB of JavaScript: bundled into its own file, loaded only when a Kubernetes target
 * connects, so the CLI and the extension start without parsing it.
 */
const kubernetesClientFile = './kubernetes-client.js';
const loadKubernetesClientLazily = {
  name: 'kubernetes-client-on-demand',
  setup(build) {
    build.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: kubernetesClientFile, external: true }));
  },
};

const entries = [
  { entryPoints: ['@kubernetes/client-node'], outfile: 'dist/kubernetes-client.js' },
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', plugins: [loadKubernetesClientLazily] },
  {
    entryPoints: ['server/src/main.ts'],
    outfile: 'dist/server.js',
    // Run as the `windflow-language-server` bin, with the Node flags the VS Code client also gives the server
    // (SERVER_NODE_FLAGS in client/src/languageClient.ts says why).
    banner: {
      js: '#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=100 --initial-old-space-size=64 --v8-pool-size=1',
    },
  },
  {
    entryPoints: ['client/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [loadKubernetesClientLazily],
  },
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

/** The generated Kubernetes schemas, read by the server and the CLI on demand (server/src/stack/schemas/kubernetes.ts). */
function copyKubernetesSchemas() {
  rmSync('dist/kubernetes', { recursive: true, force: true });
  cpSync('server/src/stack/generated/kubernetes', 'dist/kubernetes', { recursive: true });
}

const contexts = await Promise.all(entries.map((entry) => esbuild.context({ ...shared, ...entry })));
copyKubernetesSchemas();
if (watch) {
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(contexts.map((context) => context.rebuild()));
  await Promise.all(contexts.map((context) => context.dispose()));
  // The npm bins run through their shebangs.
  for (const bin of ['dist/server.js', 'dist/cli.js']) chmodSync(bin, 0o755);
}
