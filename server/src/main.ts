/**
 * Entry point of the language server bundle (dist/server.js, npm bin `windflow-language-server`).
 * `--stdio` or `--node-ipc` selects the transport, as every LSP client expects.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const TRANSPORTS = ['--stdio', '--node-ipc'];

if (!process.argv.some((argument) => TRANSPORTS.includes(argument))) {
  process.stderr.write('usage: windflow-language-server --stdio | --node-ipc\n');
  process.exit(2);
}

const connection = createConnection(ProposedFeatures.all);
// dist/server.js sits next to docs/ in the package.
const diagnosticsDocs = pathToFileURL(path.resolve(__dirname, '..', 'docs', 'diagnostics.md')).href;
startServer(connection, { diagnosticsDocsUrl: diagnosticsDocs });
