/**
 * `windflow-stack ai generate "…" --target-type T`: the editor's "Generate a stack" from a terminal. The endpoint comes
 * from the `openai` client's conventions (OPENAI_BASE_URL, OPENAI_API_KEY), the model from --model or WINDFLOW_AI_MODEL.
 * The stack is validated like every suggestion before it is written.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AiClient, AiError } from '../../../server/src/ai/client';
import { configFromEnvironment, configProblem } from '../../../server/src/ai/config';
import { generateStack } from '../../../server/src/ai/generate';
import type { GeneratedStack } from '../../../server/src/ai/generate';
import { TARGET_TYPES } from '../../../server/src/stack';
import { CliCommand, CliContext, parseArgs, UsageError } from './command';

export const aiCommand: CliCommand = {
  name: 'ai',
  summary: 'generate a stack file with an OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY)',
  usage: `windflow-stack ai generate "<description>" --target-type ${TARGET_TYPES.join('|')} [--model M] [--output FILE]`,
  async run(context: CliContext): Promise<number> {
    const args = parseArgs(context.args, { options: ['target-type', 'model', 'output'] });
    const [action, ...words] = args.positionals;
    if (action !== 'generate')
      throw new UsageError(action ? `unknown action '${action}'` : "name an action: 'generate'");
    const description = words.join(' ').trim();
    if (!description) throw new UsageError('describe the stack to generate, in quotes');
    const targetType = args.options.get('target-type');
    if (!targetType) throw new UsageError('--target-type is required');
    if (!(TARGET_TYPES as readonly string[]).includes(targetType)) {
      throw new UsageError(`--target-type must be one of ${TARGET_TYPES.join(', ')}, not '${targetType}'`);
    }
    const config = configFromEnvironment(context.env, args.options.get('model'));
    if (!config.model) throw new UsageError('no model: pass --model or set WINDFLOW_AI_MODEL');
    const problem = configProblem(config);
    if (problem) throw new UsageError(problem.replace(/ \(windflow\.ai\.\w+\)/, ''));

    const client = new AiClient({ ...config, baseUrl: config.baseUrl!, model: config.model });
    let stack: GeneratedStack;
    try {
      stack = await generateStack(client, { description, targetType, signal: context.signal });
    } catch (error) {
      if (!(error instanceof AiError)) throw error;
      context.stderr.write(`windflow-stack ai: ${error.message}\n`);
      return 1;
    }
    const output = args.options.get('output');
    if (!output) {
      context.stdout.write(stack.text);
      return 0;
    }
    try {
      // 'wx': never replace a file the user already has.
      await writeFile(path.resolve(context.cwd, output), stack.text, { flag: 'wx' });
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'EEXIST'
          ? 'already exists; choose another --output'
          : `cannot be written: ${(error as Error).message}`;
      context.stderr.write(`windflow-stack ai: ${output} ${reason}\n`);
      return 2;
    }
    context.stderr.write(
      `wrote ${output}${stack.repaired ? ' (the first answer had errors; the repaired one passed validation)' : ''}\n`,
    );
    return 0;
  },
};
