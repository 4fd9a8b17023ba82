import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { sectionLine } from './catalogue';

const DOCS_SCHEME = 'windflow-docs';

/**
 * The diagnostics catalogue (docs/diagnostics.md, shipped in the extension) as a read-only document, so the link on a
 * diagnostic code opens the code's own section instead of an editable copy of the file at line 1.
 */
export class DiagnosticDocs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private text?: string;
  private readonly registration: vscode.Disposable;

  constructor(private readonly catalogue: vscode.Uri) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(DOCS_SCHEME, this);
  }

  provideTextDocumentContent(): string {
    this.text ??= readFileSync(this.catalogue.fsPath, 'utf8');
    return this.text;
  }

  /** The read-only catalogue at a code's section (`#L<line>` selects the heading), or undefined for an unknown code. */
  linkFor(code: string): vscode.Uri | undefined {
    const line = sectionLine(this.provideTextDocumentContent(), code);
    if (line === undefined) return undefined;
    return vscode.Uri.from({ scheme: DOCS_SCHEME, path: '/diagnostics.md', fragment: `L${line}` });
  }

  dispose(): void {
    this.registration.dispose();
  }
}
