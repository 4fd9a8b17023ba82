/**
 * `windflow-stack`: the command-line face of the same engine the editor uses (stack model, targets, AI).
 * Each command lives in its own module and is loaded only when asked for, so `validate` never loads Docker,
 * Kubernetes or OpenAI code.
 */
import { isCancellation } from '../targets/deadline';
import { CliCommand, CliContext, UsageError } from './command';

interface CommandEntry {
  summary: string;
  load: () => Promise<CliCommand>;
}

const COMMANDS: Record<string, CommandEntry> = {
  validate: {
    summary: 'check stack files and print diagnostics (exit 1 on errors)',
    load: async () => (await import('./validate')).validateCommand,
  },
  render: {
    summary: 'print the rendered template as YAML',
    load: async () => (await import('./render')).renderCommand,
  },
  deploy: { summary: 'deploy a stack to a target', load: async () => (await import('./deploy')).deployCommand },
  status: {
    summary: 'show deployments and their containers or pods',
    load: async () => (await import('./status')).statusCommand,
  },
  logs: { summary: "print or follow a deployment's logs", load: async () => (await import('./logs')).logsCommand },
  remove: {
    summary: 'remove a deployment (keeps data unless --delete-data)',
    load: async () => (await import('./remove')).removeCommand,
  },
  stop: {
    summary: 'stop a deployment without removing it',
    load: async () => (await import('./stop')).stopCommand,
  },
  start: { summary: 'start a stopped deployment again', load: async () => (await import('./stop')).startCommand },
  targets: {
    summary: 'list targets and whether each answers',
    load: async () => (await import('./targets')).targetsCommand,
  },
  ai: { summary: 'AI help: generate a stack from a description', load: async () => (await import('./ai')).aiCommand },
};

const VERSION = '0.1.0';

function usage(): string {
  const lines = ['Usage: windflow-stack <command> [options]', '', 'Commands:'];
  for (const [name, entry] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${entry.summary}`);
  lines.push('', "Run 'windflow-stack <command> --help' for a command's options.");
  return `${lines.join('\n')}\n`;
}

export async function runCli(argv: string[], context: Omit<CliContext, 'args'>): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    context.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    context.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    context.stderr.write(`windflow-stack: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    context.stdout.write(`${command.summary}\nUsage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run({ ...context, args: rest });
  } catch (error) {
    if (isCancellation(error)) {
      context.stderr.write(`windflow-stack ${name}: cancelled\n`);
      return INTERRUPTED_EXIT_CODE;
    }
    if (error instanceof UsageError) {
      context.stderr.write(`windflow-stack ${name}: ${error.message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    context.stderr.write(`windflow-stack ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** Exit code of a command ended by Ctrl-C or SIGTERM (128 + SIGINT), as shells expect. */
export const INTERRUPTED_EXIT_CODE = 130;
/** After Ctrl-C, how long rollback may run before the process ends anyway (rollback calls have deadlines too). */
const ROLLBACK_GRACE_MS = 60_000;

if (require.main === module) {
  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`windflow-stack: ${signal} again: quitting now\n`);
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    process.stderr.write(
      `windflow-stack: ${signal}: stopping, removing what this command created (again to quit now)\n`,
    );
    controller.abort();
    setTimeout(() => process.exit(INTERRUPTED_EXIT_CODE), ROLLBACK_GRACE_MS).unref();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const finish = (code: number) => {
    process.exitCode = controller.signal.aborted ? INTERRUPTED_EXIT_CODE : code;
    // The work is done: a connection something left open must not keep the command alive.
    setTimeout(() => process.exit(), 1_000).unref();
  };
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
  }).then(finish, (error: unknown) => {
    process.stderr.write(`windflow-stack: ${error instanceof Error ? error.message : String(error)}\n`);
    finish(1);
  });
}
