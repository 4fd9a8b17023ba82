import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspProcess } from './lspProcess';

export interface Position {
  line: number;
  character: number;
}

export interface ServerSpec {
  name: string;
  command: string;
  args: string[];
  languageId: string;
  settings: Record<string, unknown>;
}

export interface ServerMeasurements {
  coldStartMs: number;
  editToDiagnosticsMs: number[];
  completionMs: number[];
  hoverMs: number[];
  definitionMs: number[];
  /** Round trips of a request the server does not know: what the transport alone costs. */
  noopMs: number[];
  residentMb: number;
}

/** Line/character of the first occurrence of `needle` (after `after`), plus `shift` characters. */
export function positionOf(text: string, needle: string, shift = 0, after?: string): Position {
  const from = after ? text.indexOf(after) : 0;
  const offset = text.indexOf(needle, Math.max(0, from)) + shift;
  if (offset < shift) throw new Error(`'${needle}' not found`);
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - before.lastIndexOf('\n') - 1 };
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** Drives one server as an editor would: open, type in the middle of a service and in `variables`, ask for help. */
export async function measureServer(
  spec: ServerSpec,
  file: string,
  text: string,
  rounds: { edits: number; requests: number },
): Promise<ServerMeasurements> {
  const uri = pathToFileURL(file).href;
  const start = process.hrtime.bigint();
  const server = new LspProcess(spec.command, spec.args, spec.settings);
  try {
    await server.initialize(pathToFileURL(path.dirname(file)).href);
    const firstDiagnostics = server.nextDiagnostics(uri);
    await server.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: spec.languageId, version: 1, text },
    });
    await firstDiagnostics;
    const coldStartMs = since(start);

    const middle = Math.floor((text.match(/^ {4}svc\d+:$/gm)?.length ?? 2) / 2);
    const serviceEdit = positionOf(text, '"', 3, `    svc${middle}:\n`);
    const variableEdit = positionOf(text, '"', 0, 'label: "Variable 25');
    const editToDiagnosticsMs = await timeEdits(server, uri, [serviceEdit, variableEdit], rounds.edits);

    // Positions in text after the edits above (they add characters inside quoted values on other lines).
    const keyPosition = positionOf(text, 'restart:', 0, `    svc${middle + 1}:\n`);
    const referencePosition = positionOf(text, '{{ var_', 5, `    svc${middle + 1}:\n`);
    const time = async (method: string, position: { line: number; character: number }) => {
      const requestStart = process.hrtime.bigint();
      await server.connection.sendRequest(method, { textDocument: { uri }, position });
      return since(requestStart);
    };
    const completionMs: number[] = [];
    const hoverMs: number[] = [];
    const definitionMs: number[] = [];
    for (let i = 0; i < rounds.requests; i++) {
      const position = i % 2 === 0 ? keyPosition : referencePosition;
      completionMs.push(await time('textDocument/completion', position));
      hoverMs.push(await time('textDocument/hover', position));
      definitionMs.push(await time('textDocument/definition', referencePosition));
    }
    const noopMs: number[] = [];
    for (let i = 0; i < rounds.requests; i++) {
      const requestStart = process.hrtime.bigint();
      // Answered with MethodNotFound by both servers, after the same reading and dispatching as any request.
      await server.connection.sendRequest('bench/noop', {}).catch(() => undefined);
      noopMs.push(since(requestStart));
    }
    const residentMb = server.residentMegabytes();
    return { coldStartMs, editToDiagnosticsMs, completionMs, hoverMs, definitionMs, noopMs, residentMb };
  } finally {
    await server.stop();
  }
}

/**
 * Types one character per edit inside two quoted values in turn (the document starts at version 1) and returns how
 * long each edit took until the server published its diagnostics.
 */
export async function timeEdits(
  server: LspProcess,
  uri: string,
  positions: [Position, Position],
  edits: number,
): Promise<number[]> {
  const timings: number[] = [];
  for (let i = 0; i < edits; i++) {
    const at = positions[i % 2];
    const typed = { line: at.line, character: at.character + 1 + Math.floor(i / 2) };
    const published = server.nextDiagnostics(uri);
    const editStart = process.hrtime.bigint();
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: i + 2 },
      contentChanges: [{ range: { start: typed, end: typed }, text: 'x' }],
    });
    await published;
    timings.push(since(editStart));
  }
  return timings;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
