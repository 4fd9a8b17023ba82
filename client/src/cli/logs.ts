import { sinceSeconds } from '../targets/docker/logs';
import { LogLine } from '../targets/target';
import { CliCommand, CliContext, parseArgs, UsageError } from './command';
import { TARGET_OPTIONS, withTarget } from './targets';

export const logsCommand: CliCommand = {
  name: 'logs',
  summary: "print a deployment's logs (all containers or one service; --follow streams until Ctrl-C)",
  usage:
    'windflow-stack logs DEPLOYMENT [--service S] [--tail N] [--since T] [--timestamps] [--follow] [--target NAME] [--target-file FILE]',
  async run(context: CliContext): Promise<number> {
    const args = parseArgs(context.args, {
      options: [...TARGET_OPTIONS, 'service', 'tail', 'since'],
      flags: ['timestamps', 'follow'],
    });
    if (args.positionals.length !== 1) throw new UsageError('name exactly one deployment');
    const tailText = args.options.get('tail');
    const tail = tailText === undefined ? undefined : Number(tailText);
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 0))
      throw new UsageError(`--tail must be a whole number, not '${tailText}'`);
    const since = args.options.get('since');
    // A bad --since is the user's input, like any other bad argument (exit 2), found before any target is touched.
    if (since !== undefined) {
      try {
        sinceSeconds(since);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const [deploymentName] = args.positionals;
    const service = args.options.get('service');
    return withTarget(context, args, async (target) => {
      // Prefix lines with their service only when several containers speak; width from the longest name. Swarm
      // lines always name their task (`web.2`): a service has several.
      const units = (await target.status(deploymentName)).units;
      const tasks = units.some((unit) => unit.kind === 'task');
      const prefixed = tasks || (service === undefined && units.length > 1);
      const label = (unit: string, unitService?: string) => (tasks ? unit : (unitService ?? unit));
      const width = Math.max(0, ...units.map((unit) => label(unit.name, unit.service).length));
      const print = (line: LogLine) => {
        const prefix = prefixed ? `${label(line.unit, line.service).padEnd(width)} | ` : '';
        const stamp = line.timestamp ? `${line.timestamp} ` : '';
        (line.stream === 'stderr' ? context.stderr : context.stdout).write(`${prefix}${stamp}${line.text}\n`);
      };
      await target.logs(
        deploymentName,
        {
          service,
          tail,
          since,
          timestamps: args.flags.has('timestamps'),
          follow: args.flags.has('follow'),
          signal: context.signal,
        },
        print,
      );
      return 0;
    });
  },
};
