import type { Span } from './text';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A finding on a stack file. Ranges are document offsets; the LSP layer turns them into positions. */
export interface StackDiagnostic {
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  /** Marks unused or obsolete code so editors can fade it. */
  tags?: ('unnecessary' | 'deprecated')[];
  /** Facts a quick fix needs (a suggested name, the missing variable's inferred type, …). */
  data?: Record<string, unknown>;
  /**
   * Only matters when the stack is deployed through an upstream WindFlow server (this extension deploys it fine):
   * reported only with the upstreamCompatibility setting on.
   */
  upstreamOnly?: boolean;
}

/** Collects diagnostics for one check run; every check family writes through it. */
export class DiagnosticSink {
  readonly items: StackDiagnostic[] = [];

  add(
    code: string,
    severity: Severity,
    message: string,
    span: Span,
    extra?: Pick<StackDiagnostic, 'tags' | 'data' | 'upstreamOnly'>,
  ): void {
    this.items.push({
      code,
      severity,
      message,
      span: { start: span.start, end: Math.max(span.start, span.end) },
      ...extra,
    });
  }
}
