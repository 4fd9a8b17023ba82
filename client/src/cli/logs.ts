import { sinceSeconds } from '../targets/docker/logs';
import { logSourceLabel, logSourcesShown, logSourceStyle } from '../logSource';
import { LogLine } from '../targets/target';
import { CliCommand, CliContext, parseArgs, UsageError } from './command';
import { TARGET_OPTIONS, withTarget } from './targets';

export const logsCommand: CliCommand = {
  name: 'logs',
  summary: "print a deployment's logs (all containers or one service; --follow streams until Ctrl-C)",
  usage:
    'windflow-stack logs DEPLOYMENT [--service S] [--tail N] [--since T] [--timestamps] [--follow] [--previous] [--target NAME] [--target-file FILE]',
  async run(context: CliContext): Promise<number> {
    const args = parseArgs(context.args, {
      options: [...TARGET_OPTIONS, 'service', 'tail', 'since'],
      flags: ['timestamps', 'follow', 'previous'],
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
      // Prefix lines with their source when several units speak (rule in logSource.ts); the width grows to the
      // longest source seen. Kubernetes pods come and go, so their sources are only known from the lines.
      const kubernetes = target.kind === 'kubernetes';
      const units = kubernetes ? [] : (await target.status(deploymentName)).units;
      const style = logSourceStyle(target.kind, units);
      const prefixed = logSourcesShown(style, units.length, service !== undefined);
      const label = (unit: string, unitService?: string) => logSourceLabel(style, unit, unitService);
      let width = Math.max(0, ...units.map((unit) => label(unit.name, unit.service).length));
      const print = (line: LogLine) => {
        const source = label(line.unit, line.service);
        width = Math.max(width, source.length);
        const prefix = prefixed ? `${source.padEnd(width)} | ` : '';
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
          previous: args.flags.has('previous'),
          signal: context.signal,
        },
        print,
      );
      return 0;
    });
  },
};
