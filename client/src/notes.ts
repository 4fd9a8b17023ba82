import * as vscode from 'vscode';

const NOTES_SCHEME = 'windflow-notes';

/**
 * The rendered deployment_notes of each deploy of this session, served as read-only Markdown documents
 * (windflow-notes:/<deployment>.md) and opened in the Markdown preview. Secrets are masked before they get here.
 */
export class DeploymentNotes implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly notesByPath = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(NOTES_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.notesByPath.get(uri.path) ?? '';
  }

  /** The notes shown for a deployment in this session. */
  markdownFor(deploymentName: string): string | undefined {
    return this.notesByPath.get(`/${deploymentName}.md`);
  }

  async show(deploymentName: string, markdown: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: NOTES_SCHEME, path: `/${deploymentName}.md` });
    this.notesByPath.set(uri.path, markdown);
    this.changed.fire(uri);
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
