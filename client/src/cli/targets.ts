/**
 * `windflow-stack targets`, plus how every target-using command finds its target: settings do not exist on the
 * command line, so targets come from the targets file and discovery; SSH passphrases come from the environment.
 */
import os from 'node:os';
import { describeEndpoint } from '../targets/docker/connection';
import { createTarget, findTarget, loadTargets, LOCAL_TARGET_NAME } from '../targets/registry';
import { Target, TargetConfig, TargetError } from '../targets/target';
import { TargetsFileError } from '../targets/targetsFile';
import { CliCommand, CliContext, parseArgs, ParsedArgs, UsageError } from './command';

/** Options every target-using command accepts. */
export const TARGET_OPTIONS = ['target', 'target-file'];

/**
 * The environment variable holding a secret for the CLI, e.g. windflow.target.prod.sshPassphrase →
 * WINDFLOW_TARGET_PROD_SSHPASSPHRASE (the editor keeps the same secrets in its SecretStorage).
 */
export function secretVariable(key: string): string {
  return key.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

function homeOf(context: CliContext): string {
  return context.env.HOME || os.homedir();
}

export async function loadCliTargets(context: CliContext, args: ParsedArgs): Promise<TargetConfig[]> {
  const targetFile = args.options.get('target-file');
  try {
    return await loadTargets({
      targetFile,
      env: context.env,
      homeDir: homeOf(context),
      onWarning: (message) => context.stderr.write(`warning: ${message}\n`),
    });
  } catch (error) {
    // A broken targets file is the user's input being wrong: a usage problem (exit 2), said with file:line.
    if (error instanceof TargetsFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** The target named by --target (default `local`), ready to use. */
export async function openTarget(context: CliContext, args: ParsedArgs): Promise<Target> {
  const configs = await loadCliTargets(context, args);
  const name = args.options.get('target') ?? LOCAL_TARGET_NAME;
  let config: TargetConfig;
  try {
    config = findTarget(configs, name);
  } catch (error) {
    throw new UsageError((error as TargetError).message);
  }
  return createTarget(config, (key) => Promise.resolve(context.env[secretVariable(key)]), { signal: context.signal });
}

/**
 * Opens the target named by --target, runs `work` with it and closes it. A TargetError (unreachable, refused,
 * no such deployment) is printed and exits 1; anything else propagates.
 */
export async function withTarget(
  context: CliContext,
  args: ParsedArgs,
  work: (target: Target) => Promise<number>,
): Promise<number> {
  const target = await openTarget(context, args);
  try {
    return await work(target);
  } catch (error) {
    if (error instanceof TargetError) {
      context.stderr.write(`target ${error.target}: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    target.dispose();
  }
}

function endpointOf(config: TargetConfig): string {
  if (config.kind === 'docker') return describeEndpoint(config);
  return `context ${config.context}${config.namespace ? `, namespace ${config.namespace}` : ''}`;
}

export const targetsCommand: CliCommand = {
  name: 'targets',
  summary: 'list the targets (targets file, local Docker, kubeconfig contexts) and whether each answers',
  usage: 'windflow-stack targets [--target-file FILE] [--json]',
  async run(context: CliContext): Promise<number> {
    const args = parseArgs(context.args, { options: ['target-file'], flags: ['json'] });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const configs = await loadCliTargets(context, args);
    const results = await Promise.all(
      configs.map(async (config) => {
        const target = createTarget(config, (key) => Promise.resolve(context.env[secretVariable(key)]), {
          signal: context.signal,
        });
        try {
          await target.ping();
          return { name: config.name, kind: config.kind, endpoint: endpointOf(config), answers: true };
        } catch (error) {
          return {
            name: config.name,
            kind: config.kind,
            endpoint: endpointOf(config),
            answers: false,
            problem: (error as Error).message,
          };
        } finally {
          target.dispose();
        }
      }),
    );
    if (args.flags.has('json')) {
      context.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } else {
      const width = (pick: (r: (typeof results)[number]) => string) =>
        Math.max(...results.map((r) => pick(r).length), 4);
      const nameWidth = width((r) => r.name);
      const kindWidth = width((r) => r.kind);
      const endpointWidth = width((r) => r.endpoint);
      context.stdout.write(
        `${'NAME'.padEnd(nameWidth)}  ${'KIND'.padEnd(kindWidth)}  ${'ENDPOINT'.padEnd(endpointWidth)}  STATUS\n`,
      );
      for (const result of results) {
        const status = result.answers ? 'answers' : `does not answer: ${result.problem}`;
        context.stdout.write(
          `${result.name.padEnd(nameWidth)}  ${result.kind.padEnd(kindWidth)}  ${result.endpoint.padEnd(endpointWidth)}  ${status}\n`,
        );
      }
    }
    return 0;
  },
};
