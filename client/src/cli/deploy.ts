import { maskSecrets } from '../../../server/src/stack/render';
import { parseDuration } from '../../../server/src/stack/specs';
import { DeployError, TargetError } from '../targets/target';
import { CliCommand, CliContext, parseArgs, UsageError } from './command';
import { readStackInput } from './stackInput';
import { openTarget, TARGET_OPTIONS } from './targets';

export const deployCommand: CliCommand = {
  name: 'deploy',
  summary: 'render a stack and deploy it to a target (all or nothing)',
  usage:
    'windflow-stack deploy <file> [--target NAME] [--target-file FILE] [--name DEPLOYMENT] [--set key=value]... [--values FILE] [--timeout DURATION]',
  async run(context: CliContext): Promise<number> {
    const args = parseArgs(context.args, {
      options: [...TARGET_OPTIONS, 'name', 'values', 'timeout'],
      repeatable: ['set'],
    });
    if (args.positionals.length !== 1) throw new UsageError('name exactly one stack file');
    const timeoutText = args.options.get('timeout');
    // A bare number is seconds; otherwise a duration like 90s or 5m.
    const timeout =
      timeoutText === undefined
        ? undefined
        : parseDuration(/^\d+$/.test(timeoutText) ? `${timeoutText}s` : timeoutText);
    if (timeout && (!timeout.ok || timeout.nanoseconds === 0))
      throw new UsageError(`--timeout must be a duration like 90s or 5m, not '${timeoutText}'`);
    const input = await readStackInput({
      file: args.positionals[0],
      cwd: context.cwd,
      valuesFile: args.options.get('values'),
      sets: args.repeated.get('set') ?? [],
      deploymentName: args.options.get('name'),
    });
    if (!input.ok) {
      for (const problem of input.problems) context.stderr.write(`${problem}\n`);
      context.stderr.write('nothing was deployed\n');
      return 1;
    }
    const stack = input.rendered;
    const mask = (text: string) => maskSecrets(text, stack.secrets);
    const target = await openTarget(context, args);
    try {
      if (!target.supports(stack.targetType)) {
        context.stderr.write(
          `target '${target.name}' (${target.kind}) cannot deploy target_type '${stack.targetType}'\n`,
        );
        return 1;
      }
      context.stderr.write(
        `deploying ${stack.deploymentName} (${stack.stackName}, ${stack.targetType}) to ${target.name}\n`,
      );
      const result = await target.deploy(stack, {
        signal: context.signal,
        sourceFile: input.file,
        timeoutMs: timeout?.ok ? timeout.nanoseconds / 1e6 : undefined,
        onProgress: (progress) => context.stderr.write(mask(`[${progress.step}] ${progress.message}\n`)),
      });
      const verb = result.replaced ? 'replaced' : 'deployed';
      context.stdout.write(`${verb} ${result.deploymentName} on ${target.name}\n`);
      for (const created of result.created) context.stdout.write(`  created ${created}\n`);
      for (const updated of result.updated) context.stdout.write(`  updated ${updated}\n`);
      if (stack.deploymentNotes?.trim()) context.stdout.write(`\n${mask(stack.deploymentNotes.trim())}\n`);
      return 0;
    } catch (error) {
      if (error instanceof DeployError) {
        context.stderr.write(mask(`deploy failed at step '${error.step}': ${error.message}\n`));
        return 1;
      }
      if (error instanceof TargetError) {
        context.stderr.write(mask(`target ${error.target}: ${error.message}\n`));
        return 1;
      }
      throw error;
    } finally {
      target.dispose();
    }
  },
};
