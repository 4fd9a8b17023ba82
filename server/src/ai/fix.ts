/**
 * "Ask AI to fix": one diagnostic in, the smallest edit that removes it out. The model names whole lines of a
 * redacted, line-numbered copy; the edit is applied there, the secrets restored, and the change narrowed to what differs.
 */
import { checkStack, parseStack } from '../stack';
import type { Span, StackDiagnostic } from '../stack';
import { AiClient, AiError, ChatAnswer } from './client';
import { ensurePromptSize, FIX_SCHEMA, fixMessages, parseJsonAnswer } from './prompts';
import { redactedOffset, Redactor } from './redact';
import { validatedSuggestion } from './validate';

export interface FixOptions {
  text: string;
  uri?: string;
  diagnostic: Pick<StackDiagnostic, 'code' | 'message' | 'span'> & { severity?: StackDiagnostic['severity'] };
  signal?: AbortSignal;
}

export interface StackFix {
  /** The smallest replacement that turns the document into `newText`. */
  edit: { span: Span; newText: string };
  newText: string;
  explanation: string;
  repaired: boolean;
}

export async function fixDiagnostic(client: AiClient, options: FixOptions): Promise<StackFix> {
  const { text, diagnostic } = options;
  ensurePromptSize(text);
  const redactor = new Redactor();
  const redacted = redactor.redactStack(parseStack(text, options.uri));
  const problemOffset = redactedOffset(redacted, diagnostic.span.start, 'placeholder-start') ?? 0;
  const problem = {
    line: redacted.text.slice(0, problemOffset).split('\n').length,
    code: diagnostic.code,
    severity: diagnostic.severity ?? 'error',
    message: redactor.redactText(diagnostic.message),
  };
  const stillReported = (candidate: string) => occurrences(candidate, diagnostic, options.uri);
  const reportedBefore = stillReported(text);

  const result = await validatedSuggestion({
    baseline: text,
    uri: options.uri,
    messages: fixMessages(redacted.text, problem),
    redactor,
    ask: (messages) => client.chat(messages, { schema: FIX_SCHEMA, signal: options.signal }),
    read: (answer) => {
      const fix = readFix(answer, redacted.text);
      const newText = redactor.restore(fix.redactedText);
      if (newText === text) throw new AiError('bad_answer', 'the answer changes nothing');
      if (reportedBefore > 0 && stillReported(newText) >= reportedBefore) {
        throw new AiError(
          'bad_answer',
          `the problem is still reported after the edit: ${problem.code} ${problem.message}`,
        );
      }
      return { value: fix.explanation, text: newText };
    },
  });
  return {
    edit: narrowestEdit(text, result.text),
    newText: result.text,
    explanation: result.value,
    repaired: result.repaired,
  };
}

/** How many times the language service reports this diagnostic (code and message) on a text. */
function occurrences(text: string, diagnostic: FixOptions['diagnostic'], uri?: string): number {
  return checkStack(parseStack(text, uri)).filter((d) => d.code === diagnostic.code && d.message === diagnostic.message)
    .length;
}

function readFix(answer: ChatAnswer, redactedText: string): { redactedText: string; explanation: string } {
  const json = parseJsonAnswer(answer.text);
  if (!json) throw new AiError('bad_answer', 'the answer is not the requested JSON object');
  const { startLine, endLine, replacement, explanation } = json;
  const lines = redactedText.split('\n');
  if (!Number.isInteger(startLine) || !Number.isInteger(endLine) || typeof replacement !== 'string') {
    throw new AiError('bad_answer', 'the answer needs integer startLine and endLine and a string replacement');
  }
  const start = startLine as number;
  const end = endLine as number;
  if (start < 1 || start > lines.length + 1 || end < start - 1 || end > lines.length) {
    throw new AiError('bad_answer', `lines ${start}-${end} are outside the file's ${lines.length} lines`);
  }
  const replaced = withoutLineNumbers(replacement.replace(/\n$/, '')).split('\n');
  const inserted = replacement === '' ? [] : replaced;
  const result = [...lines.slice(0, start - 1), ...inserted, ...lines.slice(end)].join('\n');
  return { redactedText: result, explanation: typeof explanation === 'string' ? explanation : '' };
}

/** Models sometimes copy the listing's `  12| ` prefixes into the replacement. */
function withoutLineNumbers(replacement: string): string {
  const lines = replacement.split('\n');
  const numbered = /^ *\d+\| ?/;
  return lines.every((line) => numbered.test(line))
    ? lines.map((line) => line.replace(numbered, '')).join('\n')
    : replacement;
}

/** The single replacement between the common prefix and the common suffix of two texts. */
export function narrowestEdit(before: string, after: string): { span: Span; newText: string } {
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  return { span: { start: prefix, end: before.length - suffix }, newText: after.slice(prefix, after.length - suffix) };
}
