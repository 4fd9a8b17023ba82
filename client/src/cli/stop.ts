import { Target } from '../targets/target';
import { CliCommand, CliContext, parseArgs, UsageError } from './command';
import { TARGET_OPTIONS, withTarget } from './targets';

/** `stop` and `start` differ only in the target call and the words they print. */
function lifecycleCommand(
  name: 'stop' | 'start',
  summary: string,
  change: (target: Target, deploymentName: string) => Promise<void>,
  done: string,
): CliCommand {
  return {
    name,
    summary,
    usage: `windflow-stack ${name} DEPLOYMENT [--target NAME] [--target-file FILE]`,
    async run(context: CliContext): Promise<number> {
      const args = parseArgs(context.args, { options: TARGET_OPTIONS });
      if (args.positionals.length !== 1) throw new UsageError('name exactly one deployment');
      const [deploymentName] = args.positionals;
      return withTarget(context, args, async (target) => {
        await change(target, deploymentName);
        context.stdout.write(`${done} ${deploymentName} on ${target.name}\n`);
        return 0;
      });
    },
  };
}

export const stopCommand = lifecycleCommand(
  'stop',
  'stop a deployment without removing it (start or deploy again to resume)',
  (target, deploymentName) => target.stop(deploymentName),
  'stopped',
);

export const startCommand = lifecycleCommand(
  'start',
  'start a stopped deployment again',
  (target, deploymentName) => target.start(deploymentName),
  'started',
);
