import { DeploymentStatus, DeploymentSummary, describeState, UnitStatus } from '../targets/target';
import { CliCommand, CliContext, parseArgs, UsageError } from './command';
import { TARGET_OPTIONS, withTarget } from './targets';

/** "3m", "2h", "4d": how long ago a unit was created. */
export function formatAge(createdAt: Date | undefined, now = Date.now()): string {
  if (!createdAt) return '-';
  const seconds = Math.max(0, Math.floor((now - createdAt.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** Rows as aligned columns; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

function unitRow(unit: UnitStatus): string[] {
  return [
    unit.name,
    unit.service ?? '-',
    unit.state,
    unit.health ?? '-',
    String(unit.restarts),
    unit.ports.join(', ') || '-',
    formatAge(unit.createdAt),
    unit.reason ?? '',
  ];
}

/** Events printed under a deployment's status, newest last. */
const STATUS_EVENTS = 10;

function printStatus(status: DeploymentStatus): string {
  const kind = [status.stackName, status.targetType].filter(Boolean).join(', ');
  let text = `${status.deploymentName}${kind ? ` (${kind})` : ''}: ${describeState(status)}\n`;
  text += table(
    ['NAME', 'SERVICE', 'STATE', 'HEALTH', 'RESTARTS', 'PORTS', 'AGE', 'REASON'],
    status.units.map(unitRow),
  );
  for (const workload of status.workloads ?? [])
    text += `${workload.kind}/${workload.name}: ${workload.ready}/${workload.desired} ready\n`;
  const events = (status.events ?? []).slice(-STATUS_EVENTS);
  if (events.length > 0)
    text += `events:\n${events.map((event) => `  ${event.time.toISOString()}  ${event.message}\n`).join('')}`;
  return text;
}

function printList(deployments: DeploymentSummary[]): string {
  if (deployments.length === 0) return 'no deployments\n';
  return table(
    ['DEPLOYMENT', 'STATE', 'STACK', 'TYPE', 'UNITS'],
    deployments.map((d) => [
      d.deploymentName,
      describeState(d),
      d.stackName ?? '-',
      d.targetType ?? '-',
      String(d.unitCount),
    ]),
  );
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary:
    "show a deployment's containers or pods (state, health, restarts, ports, age; exit 1 unless running) and recent events, or list all deployments",
  usage: 'windflow-stack status [DEPLOYMENT] [--target NAME] [--target-file FILE] [--json]',
  async run(context: CliContext): Promise<number> {
    const args = parseArgs(context.args, { options: TARGET_OPTIONS, flags: ['json'] });
    if (args.positionals.length > 1) throw new UsageError('name at most one deployment');
    const json = args.flags.has('json');
    return withTarget(context, args, async (target) => {
      const [deploymentName] = args.positionals;
      if (deploymentName === undefined) {
        const deployments = await target.list();
        context.stdout.write(json ? `${JSON.stringify(deployments, null, 2)}\n` : printList(deployments));
      } else {
        const status = await target.status(deploymentName);
        context.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : printStatus(status));
        // Scripts can rely on it: 0 only when the deployment is entirely up and well.
        return status.state === 'running' ? 0 : 1;
      }
      return 0;
    });
  },
};
