/**
 * "Explain a failed deploy": the error, the status and the last log lines in, Markdown out. The explanation is shown,
 * never applied, so placeholders stay in it: a secret from the logs must not come back into view through the AI.
 */
import { parseStack } from '../stack';
import { AiClient, AiError } from './client';
import { EXPLAIN_SCHEMA, explainMessages, MAX_DOCUMENT_CHARS, parseJsonAnswer } from './prompts';
import { Redactor } from './redact';

export interface ExplainOptions {
  error: string;
  status: string;
  logLines: string[];
  /** The stack file that was deployed, for context. */
  stackText?: string;
  signal?: AbortSignal;
}

/** Logs can be long; the end is what explains a failure, and prompts must stay small. */
const MAX_LOG_LINES = 200;
const MAX_LINE_LENGTH = 500;

export async function explainDeployFailure(client: AiClient, options: ExplainOptions): Promise<string> {
  if (!options.error.trim() && options.logLines.length === 0) {
    throw new AiError('invalid_input', 'there is no error message or log line to explain');
  }
  const redactor = new Redactor();
  // The stack first: the values it hides are then also hidden where the logs repeat them.
  const stackText =
    options.stackText && options.stackText.length <= MAX_DOCUMENT_CHARS
      ? redactor.redactStack(parseStack(options.stackText)).text
      : undefined;
  const logLines = options.logLines
    .slice(-MAX_LOG_LINES)
    .map((line) => redactor.redactText(line.slice(0, MAX_LINE_LENGTH)));
  const failure = {
    error: redactor.redactText(options.error),
    status: redactor.redactText(options.status),
    logLines,
    stackText,
  };

  const answer = await client.chat(explainMessages(failure), { schema: EXPLAIN_SCHEMA, signal: options.signal });
  const json = parseJsonAnswer(answer.text);
  // Without structured output a model may answer in prose; that is still an explanation.
  if (!json) return answer.text.trim();
  const steps = Array.isArray(json.steps) ? json.steps.map(String) : [];
  const sections = [
    `**${String(json.summary ?? '').trim()}**`,
    `### Likely cause\n\n${String(json.cause ?? '').trim()}`,
  ];
  if (steps.length)
    sections.push(`### What to do\n\n${steps.map((step, index) => `${index + 1}. ${step}`).join('\n')}`);
  return sections.join('\n\n');
}
