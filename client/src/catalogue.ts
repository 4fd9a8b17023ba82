/** Where things are in docs/diagnostics.md. Pure. */

/** The 1-based line of the `### WF041 — …` heading of a code in the catalogue. */
export function sectionLine(catalogue: string, code: string): number | undefined {
  const lines = catalogue.split(/\r?\n/);
  const index = lines.findIndex((line) => new RegExp(`^#{2,4}\\s+${code}\\b`).test(line));
  return index < 0 ? undefined : index + 1;
}
