import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { FileReport } from './validate';

const LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;
const DOCS = 'docs/diagnostics.md';

/** SARIF 2.1.0, the format GitHub code scanning and other CI tools read. Columns are 1-based UTF-16 units. */
export function toSarif(reports: FileReport[], cwd: string): object {
  const ruleIds = [...new Set(reports.flatMap((r) => r.diagnostics.map((d) => d.code)))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'windflow-stack',
            informationUri: 'https://github.com/stefapi/windflow',
            rules: ruleIds.map((id) => ({ id, helpUri: `${DOCS}#${id.toLowerCase()}` })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(cwd + path.sep).href } },
        results: reports.flatMap((report) =>
          report.diagnostics.map((d) => {
            const start = report.lines.positionAt(d.span.start);
            const end = report.lines.positionAt(d.span.end);
            const relative = path.relative(cwd, report.file);
            const inside = relative && !relative.startsWith('..') && !path.isAbsolute(relative);
            return {
              ruleId: d.code,
              ruleIndex: ruleIds.indexOf(d.code),
              level: LEVEL[d.severity],
              message: { text: d.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: inside
                      ? { uri: relative.split(path.sep).join('/'), uriBaseId: 'SRCROOT' }
                      : { uri: pathToFileURL(report.file).href },
                    region: {
                      startLine: start.line + 1,
                      startColumn: start.character + 1,
                      endLine: end.line + 1,
                      endColumn: end.character + 1,
                    },
                  },
                },
              ],
            };
          }),
        ),
      },
    ],
  };
}
