import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RenderRequest } from '../../server/src/protocol';
import type { DeployHistory } from './deployHistory';
import { describeError } from './errors';

export const RENDERED_SCHEME = 'windflow-rendered';

/** Re-rendering waits for a pause in typing. */
const RERENDER_DELAY_MS = 500;

/**
 * "Show Rendered Stack": the rendered template of a stack file as a read-only YAML document
 * (windflow-rendered:/<name>.rendered.yaml?<stack uri>). Rendered with the values of the file's last deploy, or the
 * defaults, by the server in `preview` mode, so secrets arrive masked. It follows edits of the stack file.
 */
export class RenderedDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly client: LanguageClient,
    private readonly history: DeployHistory,
  ) {
    this.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(RENDERED_SCHEME, this),
      vscode.workspace.onDidChangeTextDocument(({ document }) => this.sourceChanged(document.uri)),
    );
  }

  static uriFor(stackUri: vscode.Uri): vscode.Uri {
    const name = path.basename(stackUri.path).replace(/\.(ya?ml)$/, '');
    return vscode.Uri.from({ scheme: RENDERED_SCHEME, path: `/${name}.rendered.yaml`, query: stackUri.toString() });
  }

  async show(stackUri: vscode.Uri): Promise<void> {
    const document = await vscode.workspace.openTextDocument(RenderedDocuments.uriFor(stackUri));
    await vscode.languages.setTextDocumentLanguage(document, 'yaml');
    await vscode.window.showTextDocument(document, {
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
      preserveFocus: true,
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const stackUri = uri.query;
    const lastDeploy = await this.history.forStack(stackUri);
    const origin = lastDeploy
      ? `the values of the last deploy (${lastDeploy.deploymentName} on ${lastDeploy.targetName})`
      : 'the default values';
    try {
      const rendered = await this.client.sendRequest(RenderRequest, {
        uri: stackUri,
        values: lastDeploy?.values,
        deploymentName: lastDeploy?.deploymentName,
        purpose: 'preview',
      });
      const header = [
        `# Rendered ${rendered.stackName || 'stack'} (${rendered.targetType}) as deployment ${rendered.deploymentName}`,
        `# with ${origin}; secrets are masked. Read-only: edit the stack file instead.`,
        ...rendered.errors.map((error) =>
          error.range ? `# error (line ${error.range.start.line + 1}): ${error.message}` : `# error: ${error.message}`,
        ),
      ];
      return `${header.join('\n')}\n${rendered.yaml}`;
    } catch (error) {
      return `# The stack could not be rendered: ${describeError(error)}\n`;
    }
  }

  private sourceChanged(source: vscode.Uri): void {
    const key = source.toString();
    const rendered = vscode.workspace.textDocuments.find(
      (document) => document.uri.scheme === RENDERED_SCHEME && document.uri.query === key,
    );
    if (!rendered) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => this.changed.fire(rendered.uri), RERENDER_DELAY_MS),
    );
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.changed.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
