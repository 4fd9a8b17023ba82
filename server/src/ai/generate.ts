/** "Generate a stack": a description and a target type in, a stack file the language service accepts out. */
import { parseStack, TARGET_TYPES } from '../stack';
import { AiClient, AiError } from './client';
import { generateMessages, unfence } from './prompts';
import { Redactor } from './redact';
import { validatedSuggestion } from './validate';

export interface GenerateOptions {
  description: string;
  targetType: string;
  signal?: AbortSignal;
  /** Sees the answer as it streams in (for progress). */
  onText?: (textSoFar: string) => void;
}

export interface GeneratedStack {
  text: string;
  repaired: boolean;
}

export async function generateStack(client: AiClient, options: GenerateOptions): Promise<GeneratedStack> {
  if (!options.description.trim()) throw new AiError('invalid_input', 'describe the stack to generate');
  if (!(TARGET_TYPES as readonly string[]).includes(options.targetType)) {
    throw new AiError('invalid_input', `target type '${options.targetType}' is not one of ${TARGET_TYPES.join(', ')}`);
  }
  const redactor = new Redactor();
  const result = await validatedSuggestion({
    baseline: undefined,
    messages: generateMessages(redactor.redactText(options.description), options.targetType),
    redactor,
    ask: (messages) => client.chat(messages, { stream: true, onText: options.onText, signal: options.signal }),
    read: (answer) => {
      const text = `${redactor.restore(unfence(answer.text).trim())}\n`;
      const targetType = parseStack(text).targetType;
      if (targetType !== options.targetType) {
        throw new AiError(
          'bad_answer',
          `the stack's metadata.target_type is '${targetType ?? 'missing'}', not '${options.targetType}'`,
        );
      }
      return { value: text, text };
    },
  });
  return { text: result.text, repaired: result.repaired };
}
