/** Inline suggestion: the value or block at the cursor, streamed, checked like every other suggestion. */
import { parseStack } from '../stack';
import { AiClient, AiError } from './client';
import { completeMessages, CURSOR, ensurePromptSize, unfence } from './prompts';
import { redactedOffset, Redactor } from './redact';
import { validatedSuggestion } from './validate';

export interface CompleteOptions {
  text: string;
  uri?: string;
  /** The cursor, as a document offset. */
  offset: number;
  signal?: AbortSignal;
  onText?: (textSoFar: string) => void;
}

export interface StackCompletion {
  /** Inserted at the cursor. */
  insertText: string;
  repaired: boolean;
}

export async function completeAtCursor(client: AiClient, options: CompleteOptions): Promise<StackCompletion> {
  const { text, offset } = options;
  ensurePromptSize(text);
  if (offset < 0 || offset > text.length)
    throw new AiError('invalid_input', `the cursor offset ${offset} is outside the document`);
  const model = parseStack(text, options.uri);
  const redactor = new Redactor();
  const redacted = redactor.redactStack(model);
  const cursor = redactedOffset(redacted, offset);
  // Completing a secret would mean sending it, or inventing one: neither is the AI's job.
  if (cursor === undefined) throw new AiError('invalid_input', 'no AI suggestion inside a secret value');
  const withCursor = `${redacted.text.slice(0, cursor)}${CURSOR}${redacted.text.slice(cursor)}`;
  const linePrefix = text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset);
  const lineEnd = text.indexOf('\n', offset);
  const restOfLine = text.slice(offset, lineEnd < 0 ? text.length : lineEnd);

  const result = await validatedSuggestion({
    baseline: text,
    uri: options.uri,
    messages: completeMessages(withCursor, model.targetType),
    redactor,
    ask: (messages) => client.chat(messages, { stream: true, onText: options.onText, signal: options.signal }),
    read: (answer) => {
      const insertText = redactor.restore(fitToLine(withoutEchoedPrefix(unfence(answer.text), linePrefix), restOfLine));
      if (!insertText.trim()) throw new AiError('bad_answer', 'the answer is empty');
      return { value: insertText, text: text.slice(0, offset) + insertText + text.slice(offset) };
    },
  });
  return { insertText: result.value, repaired: result.repaired };
}

/** Models often repeat the start of the current line; only the rest is inserted. */
function withoutEchoedPrefix(answer: string, linePrefix: string): string {
  const typed = linePrefix.trimStart();
  if (!typed) return answer;
  const trimmed = answer.trimStart();
  return trimmed.startsWith(typed) ? trimmed.slice(typed.length) : answer;
}

/** Trailing blanks are dropped, except the line break that keeps a block apart from text after the cursor. */
function fitToLine(insertText: string, restOfLine: string): string {
  const trimmed = insertText.replace(/\s+$/, '');
  return restOfLine.trim() && /\n\s*$/.test(insertText) ? `${trimmed}\n` : trimmed;
}
