import { StackDiagnostic } from './diagnostics';

/**
 * Turns a file's bytes into text the way an editor would, but reports invalid UTF-8 instead of hiding it: the
 * bytes are decoded with replacement characters and a diagnostic points at the first bad sequence.
 */
export function decodeStackBytes(bytes: Uint8Array): { text: string; diagnostics: StackDiagnostic[] } {
  const withoutBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(withoutBom), diagnostics: [] };
  } catch {
    const text = new TextDecoder('utf-8').decode(withoutBom);
    const at = Math.max(0, text.indexOf('\uFFFD'));
    const byteOffset = firstInvalidByte(withoutBom);
    return {
      text,
      diagnostics: [
        {
          code: 'WF013',
          severity: 'error',
          message: `invalid UTF-8 at byte ${byteOffset}: WindFlow reads stack files as UTF-8; the bad bytes are shown as \uFFFD`,
          span: { start: at, end: at + 1 },
        },
      ],
    };
  }
}

function firstInvalidByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const byte = bytes[i];
    const length = byte < 0x80 ? 1 : byte >> 5 === 0b110 ? 2 : byte >> 4 === 0b1110 ? 3 : byte >> 3 === 0b11110 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) if (i + k >= bytes.length || bytes[i + k] >> 6 !== 0b10) return i;
    i += length;
  }
  return bytes.length;
}
