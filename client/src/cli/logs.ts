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
    const [deploymentName] = args.positionals;
    const service = args.options.get('service');
    return withTarget(context, args, async (target) => {
      // Prefix lines with their source when several containers speak: the service of a container, the pod/container
      // of a Kubernetes pod (replicas share a container name). The width grows to the longest source seen.
      const kubernetes = target.kind === 'kubernetes';
      const units = service === undefined && !kubernetes ? (await target.status(deploymentName)).units : [];
      const prefixed = kubernetes || units.length > 1;
      const source = (line: LogLine) =>
        kubernetes && line.service ? `${line.unit}/${line.service}` : (line.service ?? line.unit);
      let width = Math.max(0, ...units.map((unit) => (unit.service ?? unit.name).length));
      const print = (line: LogLine) => {
        width = Math.max(width, source(line).length);
        const prefix = prefixed ? `${source(line).padEnd(width)} | ` : '';
        const stamp = line.timestamp ? `${line.timestamp} ` : '';
        (line.stream === 'stderr' ? context.stderr : context.stdout).write(`${prefix}${stamp}${line.text}\n`);
      };
      await target.logs(
        deploymentName,
        {
          service,
          tail,
          since: args.options.get('since'),
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
