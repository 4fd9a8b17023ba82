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
 * Packages imported dynamically, each bundled into its own file and loaded only when first imported, so the CLI, the
 * extension and the server start without parsing them: @kubernetes/client-node (~15 MB, when a Kubernetes target
 * connects) and openai (when an AI command runs).
 */
const separateBundles = [
  { module: '@kubernetes/client-node', file: 'kubernetes-client.js' },
  { module: 'openai', file: 'openai.js' },
];
const loadSeparateBundlesLazily = {
  name: 'separate-bundles-on-demand',
  setup(build) {
    for (const { module, file } of separateBundles) {
      const filter = new RegExp(`^${module.replace(/[/]/g, '\\/')}$`);
      build.onResolve({ filter }, () => ({ path: `./${file}`, external: true }));
    }
  },
};

/**
 * Parts of the Docker client that only some users need, each in its own file and loaded on first call: ssh2 (for
 * ssh:// engines, through docker-modem's ssh agent) and gRPC with protobufjs (BuildKit sessions and progress, which
 * we never use). The module is replaced by a stand-in with the same exports — a function, or an object of functions —
 * that requires the real file when called, so the CLI starts without parsing about 1.5 MB it rarely needs.
 */
const onDemandModules = [
  { source: 'node_modules/docker-modem/lib/ssh.js', file: 'docker-ssh.js', exports: 'function' },
  { source: 'node_modules/dockerode/lib/session.js', file: 'docker-session.js', exports: 'function' },
  { source: 'node_modules/dockerode/lib/buildkit.js', file: 'docker-buildkit.js', exports: ['followProgress'] },
];
const loadDockerExtrasLazily = {
  name: 'docker-extras-on-demand',
  setup(build) {
    const files = onDemandModules.map(({ file }) => file);
    build.onResolve({ filter: /^\.\/docker-[a-z]+\.js$/ }, ({ path }) =>
      files.includes(path.slice(2)) ? { path, external: true } : undefined,
    );
    for (const { source, file, exports } of onDemandModules) {
      const forward = (member) => `function () { return require('./${file}')${member}.apply(this, arguments); }`;
      const contents =
        exports === 'function'
          ? `module.exports = ${forward('')};`
          : `module.exports = { ${exports.map((name) => `${name}: ${forward(`.${name}`)}`).join(', ')} };`;
      const filter = new RegExp(`${source.replace(/^node_modules/, '').replace(/[/.]/g, (c) => `\\${c}`)}$`);
      build.onLoad({ filter }, () => ({ contents, loader: 'js' }));
    }
  },
};

const entries = [
  ...separateBundles.map(({ module, file }) => ({ entryPoints: [module], outfile: `dist/${file}` })),
  ...onDemandModules.map(({ source, file }) => ({ entryPoints: [source], outfile: `dist/${file}` })),
  {
    entryPoints: ['client/src/extension.ts'],
    outfile: 'dist/client.js',
    plugins: [loadSeparateBundlesLazily, loadDockerExtrasLazily],
  },
  {
    entryPoints: ['server/src/main.ts'],
    outfile: 'dist/server.js',
    plugins: [loadSeparateBundlesLazily],
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
    plugins: [loadSeparateBundlesLazily, loadDockerExtrasLazily],
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
