/**
 * Cursor markers for feature tests: `<|>` marks the cursor, `[[ … ]]` marks expected ranges, so a test reads like the
 * editor state it describes: `image: "{{ db_<|> }}"`. (`|` alone would clash with YAML block scalars and Jinja filters.)
 */
import { LineIndex } from '../../server/src/stack/text';
import type { Range } from 'vscode-languageserver-types';

export interface MarkedText {
  text: string;
  /** The offset of the cursor marker (-1 when there is none). */
  offset: number;
  /** The ranges marked with `[[ ]]`, in order. */
  ranges: Range[];
  lines: LineIndex;
}

/** Removes the markers and reports where they were. */
export function marked(source: string, marker = '<|>'): MarkedText {
  let text = '';
  let offset = -1;
  const spans: { start: number; end: number }[] = [];
  const open: number[] = [];
  for (let i = 0; i < source.length; i++) {
    if (source.startsWith('[[', i)) {
      open.push(text.length);
      i++;
    } else if (source.startsWith(']]', i) && open.length) {
      spans.push({ start: open.pop()!, end: text.length });
      i++;
    } else if (source.startsWith(marker, i) && offset < 0) {
      offset = text.length;
      i += marker.length - 1;
    } else text += source[i];
  }
  spans.sort((a, b) => a.start - b.start);
  const lines = new LineIndex(text);
  return {
    text,
    offset,
    lines,
    ranges: spans.map((span) => ({ start: lines.positionAt(span.start), end: lines.positionAt(span.end) })),
  };
}

/** A range from (line, character) pairs, for expectations written by hand. */
export function range(startLine: number, startCharacter: number, endLine: number, endCharacter: number): Range {
  return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}
