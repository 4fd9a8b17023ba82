import { StackDiagnostic } from './diagnostics';
import { LineIndex } from './text';

/** A diagnostic shaped like LSP's (numbers for severity and tags), without depending on the LSP packages. */
export interface LspShapedDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: 1 | 2 | 3 | 4;
  code: string;
  source: 'windflow';
  message: string;
  tags?: (1 | 2)[];
  data?: Record<string, unknown>;
}

const SEVERITY_NUMBER = { error: 1, warning: 2, information: 3, hint: 4 } as const;
const TAG_NUMBER = { unnecessary: 1, deprecated: 2 } as const;

export function toLspDiagnostic(lines: LineIndex, diagnostic: StackDiagnostic): LspShapedDiagnostic {
  const shaped: LspShapedDiagnostic = {
    range: { start: lines.positionAt(diagnostic.span.start), end: lines.positionAt(diagnostic.span.end) },
    severity: SEVERITY_NUMBER[diagnostic.severity],
    code: diagnostic.code,
    source: 'windflow',
    message: diagnostic.message,
  };
  if (diagnostic.tags?.length) shaped.tags = diagnostic.tags.map((tag) => TAG_NUMBER[tag]);
  if (diagnostic.data) shaped.data = diagnostic.data;
  return shaped;
}
