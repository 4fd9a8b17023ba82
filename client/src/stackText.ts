/** Small facts read straight from a stack file's text, for UI placement only (never for validation). Pure. */

/** The zero-based line of a top-level (column 0) mapping key such as `metadata:`, or undefined. */
export function topLevelKeyLine(text: string, key: string): number | undefined {
  const keyPattern = new RegExp(`^(?:${escapeRegExp(key)}|"${escapeRegExp(key)}"|'${escapeRegExp(key)}')\\s*:(\\s|$)`);
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((line) => keyPattern.test(line));
  return index === -1 ? undefined : index;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
