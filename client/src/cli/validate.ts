import { pathToFileURL } from 'node:url';
import { checkStack, decodeStackBytes, parseStack, StackDiagnostic, toLspDiagnostic } from '../../../server/src/stack';
import type { CheckOptions } from '../../../server/src/stack/check';
import type { LineIndex } from '../../../server/src/stack';
import { normaliseKubernetesVersion } from '../../../server/src/stack/schemas/kubernetes';
import { InputFileError, readBoundedFile } from '../boundedRead';
import { CliCommand, CliContext, parseArgs, UsageError } from './command';
import { collectStackFiles, displayPath } from './files';
import { toSarif } from './sarif';

export interface FileReport {
  file: string;
  lines: LineIndex;
  diagnostics: StackDiagnostic[];
}

export async function validateFile(file: string, options: CheckOptions = {}, shown = file): Promise<FileReport> {
  const bytes = await readBoundedFile(file, shown);
  const decoded = decodeStackBytes(bytes);
  const model = parseStack(decoded.text, pathToFileURL(file).href);
  const diagnostics = [...decoded.diagnostics, ...checkStack(model, options)].sort(
    (a, b) => a.span.start - b.span.start,
  );
  return { file, lines: model.lines, diagnostics };
}

const FORMATS = ['text', 'json', 'sarif'] as const;

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check stack files and print diagnostics (exit 1 when any error)',
  usage:
    'windflow-stack validate <file|folder>... [--format text|json|sarif] [--quiet] [--upstream] [--kubernetes-version 1.30]',
  async run(context: CliContext): Promise<number> {
    const args = parseArgs(context.args, { options: ['format', 'kubernetes-version'], flags: ['quiet', 'upstream'] });
    const kubernetesVersion = args.options.get('kubernetes-version');
    if (kubernetesVersion !== undefined && !normaliseKubernetesVersion(kubernetesVersion))
      throw new UsageError(`--kubernetes-version must be a Kubernetes version like 1.30, not '${kubernetesVersion}'`);
    // --upstream: also what only matters when an upstream WindFlow server deploys the stack (as the editor setting).
    const checkOptions: CheckOptions = { upstreamCompatibility: args.flags.has('upstream'), kubernetesVersion };
    const format = (args.options.get('format') ?? 'text') as (typeof FORMATS)[number];
    if (!FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not '${format}'`);
    if (args.positionals.length === 0) throw new UsageError('name at least one stack file or folder');
    const files = await collectStackFiles(args.positionals, context.cwd);
    // A CI job must not pass while checking nothing.
    if (files.length === 0) throw new UsageError(`no stack files found in ${args.positionals.join(', ')}`);
    const reports: FileReport[] = [];
    for (const file of files) {
      const shown = displayPath(file, context.cwd);
      try {
        reports.push(await validateFile(file, checkOptions, shown));
      } catch (error) {
        context.stderr.write(
          error instanceof InputFileError
            ? `${error.message}\n`
            : `${shown}: cannot read: ${(error as Error).message}\n`,
        );
        return 2;
      }
    }
    const errorCount = reports.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === 'error').length, 0);
    if (format === 'json') {
      const json = reports.map((r) => ({
        file: displayPath(r.file, context.cwd),
        uri: pathToFileURL(r.file).href,
        diagnostics: r.diagnostics.map((d) => toLspDiagnostic(r.lines, d)),
      }));
      context.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else if (format === 'sarif') {
      context.stdout.write(`${JSON.stringify(toSarif(reports, context.cwd), null, 2)}\n`);
    } else {
      printText(reports, context, args.flags.has('quiet'));
    }
    return errorCount > 0 ? 1 : 0;
  },
};

function printText(reports: FileReport[], context: CliContext, quiet: boolean): void {
  const counts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const report of reports) {
    for (const diagnostic of report.diagnostics) {
      counts[diagnostic.severity]++;
      if (quiet && diagnostic.severity !== 'error') continue;
      const { line, character } = report.lines.positionAt(diagnostic.span.start);
      context.stdout.write(
        `${displayPath(report.file, context.cwd)}:${line + 1}:${character + 1}: ${diagnostic.severity} ${diagnostic.code} ${diagnostic.message}\n`,
      );
    }
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  context.stdout.write(
    `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.information + counts.hint, 'hint')} in ${plural(reports.length, 'file')}\n`,
  );
}
