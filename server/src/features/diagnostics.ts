import { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver-types';
import { StackDiagnostic } from '../stack/diagnostics';
import { StackModel } from '../stack/model';
import { toRange } from './locate';

const SEVERITY: Record<StackDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};
const TAG = { unnecessary: DiagnosticTag.Unnecessary, deprecated: DiagnosticTag.Deprecated } as const;

/** Stack diagnostics as LSP diagnostics, each linking to its row in the diagnostics reference (`#wf020`). */
export function toLspDiagnostics(model: StackModel, diagnostics: StackDiagnostic[], docsUrl?: string): Diagnostic[] {
  return diagnostics.map((diagnostic) => {
    const lsp: Diagnostic = {
      range: toRange(model.lines, diagnostic.span),
      severity: SEVERITY[diagnostic.severity],
      code: diagnostic.code,
      source: 'windflow',
      message: diagnostic.message,
    };
    if (docsUrl) lsp.codeDescription = { href: `${docsUrl}#${diagnostic.code.toLowerCase()}` };
    if (diagnostic.tags?.length) lsp.tags = diagnostic.tags.map((tag) => TAG[tag]);
    if (diagnostic.data) lsp.data = diagnostic.data;
    return lsp;
  });
}

/**
 * Text that reached the server already decoded: U+FFFD marks bytes that were not UTF-8, and a lone surrogate cannot
 * be written back as UTF-8 at all. Reported once each, at the first occurrence.
 */
export function encodingDiagnostics(text: string): StackDiagnostic[] {
  const found: StackDiagnostic[] = [];
  const replacement = text.indexOf('\uFFFD');
  if (replacement >= 0) {
    found.push({
      code: 'WF013',
      severity: 'error',
      message:
        'the file contains U+FFFD replacement characters: it was probably not valid UTF-8, which WindFlow requires',
      span: { start: replacement, end: replacement + 1 },
    });
  }
  const surrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
  if (surrogate) {
    found.push({
      code: 'WF013',
      severity: 'error',
      message: 'the file contains a lone UTF-16 surrogate, which cannot be saved as UTF-8',
      span: { start: surrogate.index, end: surrogate.index + 1 },
    });
  }
  return found;
}
