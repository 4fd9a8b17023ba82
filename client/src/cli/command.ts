import type { Writable } from 'node:stream';

/** What a CLI command gets: arguments after its name, output streams and the process environment. */
export interface CliContext {
  args: string[];
  stdout: Writable;
  stderr: Writable;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C, so long-running commands (logs --follow, deploy) stop cleanly. */
  signal: AbortSignal;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the exit code: 0 ok, 1 failed, 2 usage or I/O problem. */
  run(context: CliContext): Promise<number>;
}

/** Wrong arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ArgSpec {
  /** Options without a value: --json. */
  flags?: string[];
  /** Options with a value: --target NAME or --target=NAME. */
  options?: string[];
  /** Options that may repeat: --set k=v --set k2=v2. */
  repeatable?: string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  options: Map<string, string>;
  repeated: Map<string, string[]>;
}

export function parseArgs(args: string[], spec: ArgSpec): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (spec.flags?.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
    } else if (spec.options?.includes(name) || spec.repeatable?.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (spec.repeatable?.includes(name)) repeated.set(name, [...(repeated.get(name) ?? []), value]);
      else options.set(name, value);
    } else throw new UsageError(`unknown option '--${name}'`);
  }
  return { positionals, flags, options, repeated };
}
