import { CliCommand, CliContext, parseArgs, UsageError } from './command';
import { TARGET_OPTIONS, withTarget } from './targets';

export const removeCommand: CliCommand = {
  name: 'remove',
  summary: 'stop and remove a deployment (named volumes kept unless --delete-data)',
  usage: 'windflow-stack remove DEPLOYMENT [--target NAME] [--target-file FILE] [--delete-data]',
  async run(context: CliContext): Promise<number> {
    const args = parseArgs(context.args, { options: TARGET_OPTIONS, flags: ['delete-data'] });
    if (args.positionals.length !== 1) throw new UsageError('name exactly one deployment');
    const [deploymentName] = args.positionals;
    return withTarget(context, args, async (target) => {
      const result = await target.remove(deploymentName, { deleteData: args.flags.has('delete-data') });
      context.stdout.write(`removed ${deploymentName} from ${target.name}\n`);
      for (const removed of result.removed) context.stdout.write(`  removed ${removed}\n`);
      for (const kept of result.kept) context.stdout.write(`  kept ${kept}\n`);
      return 0;
    });
  },
};
