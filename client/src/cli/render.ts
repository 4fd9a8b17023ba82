import { maskSecrets, renderedTemplateYaml, renderStack } from '../../../server/src/stack/render';
import { coerceAndValidateValues, unsuppliedValueProblems } from '../../../server/src/stack/values';
import { CliCommand, CliContext, parseArgs, UsageError } from './command';
import { readStackModel, suppliedValues } from './stackInput';

export const renderCommand: CliCommand = {
  name: 'render',
  summary: 'print the rendered template as YAML (passwords masked unless --show-secrets)',
  usage:
    'windflow-stack render <file> [--set key=value]... [--values FILE] [--name DEPLOYMENT] [--show-secrets] [--notes]',
  async run(context: CliContext): Promise<number> {
    const args = parseArgs(context.args, {
      options: ['values', 'name'],
      repeatable: ['set'],
      flags: ['show-secrets', 'notes'],
    });
    if (args.positionals.length !== 1) throw new UsageError('name exactly one stack file');
    const model = await readStackModel({ cwd: context.cwd, file: args.positionals[0] });
    // A file that could not be read into data (YAML errors, WF012 limits, WF150 self-referencing aliases) says why.
    const unreadable = model.readDiagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (unreadable.length > 0) {
      for (const diagnostic of unreadable) {
        const { line, character } = model.lines.positionAt(diagnostic.span.start);
        context.stderr.write(
          `${args.positionals[0]}:${line + 1}:${character + 1}: error ${diagnostic.code} ${diagnostic.message}\n`,
        );
      }
      return 1;
    }
    const supplied = await suppliedValues({
      cwd: context.cwd,
      valuesFile: args.options.get('values'),
      sets: args.repeated.get('set') ?? [],
    });
    const checked = coerceAndValidateValues(model, supplied);
    if (checked.problems.length > 0) {
      for (const problem of checked.problems)
        context.stderr.write(`error: value '${problem.name}': ${problem.message}\n`);
      return 1;
    }
    const result = renderStack(model, {
      values: checked.values,
      deploymentName: args.options.get('name'),
      allowEnv: true,
    });
    const showSecrets = args.flags.has('show-secrets');
    for (const error of result.errors) {
      const where = error.span ? `${args.positionals[0]}:${model.lines.positionAt(error.span.start).line + 1}: ` : '';
      context.stderr.write(
        `${where}error: ${showSecrets ? error.message : maskSecrets(error.message, result.secrets)}\n`,
      );
    }
    // Defaults obey their own rules too: a default that violates its pattern fails the render (exit 1).
    const defaultProblems = unsuppliedValueProblems(model, result.values, Object.keys(supplied));
    for (const problem of defaultProblems) context.stderr.write(`error: value '${problem.name}': ${problem.message}\n`);
    context.stdout.write(renderedTemplateYaml(result, { showSecrets }));
    if (args.flags.has('notes') && result.deploymentNotes) {
      const notes = showSecrets ? result.deploymentNotes : maskSecrets(result.deploymentNotes, result.secrets);
      context.stdout.write(`\n# deployment notes\n${notes}\n`);
    }
    return result.ok && defaultProblems.length === 0 ? 0 : 1;
  },
};
