/**
 * Every suggestion goes through the same language service as the editor before anyone sees it. One that adds errors
 * gets one repair round trip with those errors; if it still adds errors it is dropped.
 */
import { checkStack, parseStack } from '../stack';
import type { StackDiagnostic } from '../stack';
import { AiError, ChatAnswer, ChatMessage } from './client';
import { formatProblems, repairMessage } from './prompts';
import { Redactor } from './redact';

/** The errors `after` has that `before` did not (compared by code and message, since edits move offsets). */
export function addedErrors(
  before: string | undefined,
  after: string,
  uri?: string,
): { added: StackDiagnostic[]; lines: (offset: number) => number } {
  const count = (text: string) => {
    const model = parseStack(text, uri);
    return { model, errors: checkStack(model).filter((d) => d.severity === 'error') };
  };
  const existing = new Map<string, number>();
  if (before !== undefined) {
    for (const error of count(before).errors) existing.set(keyOf(error), (existing.get(keyOf(error)) ?? 0) + 1);
  }
  const result = count(after);
  const added = result.errors.filter((error) => {
    const left = existing.get(keyOf(error)) ?? 0;
    existing.set(keyOf(error), left - 1);
    return left <= 0;
  });
  return { added, lines: (offset) => result.model.lines.positionAt(offset).line + 1 };
}

function keyOf(diagnostic: StackDiagnostic): string {
  return `${diagnostic.code}\u0000${diagnostic.message}`;
}

export interface ValidatedSuggestion<T> {
  value: T;
  /** The whole document the suggestion produces, secrets restored. */
  text: string;
  /** The first answer added errors and the second one fixed them. */
  repaired: boolean;
}

export interface SuggestionRound<T> {
  /** The document before the suggestion; undefined for a new document (then every error counts as added). */
  baseline: string | undefined;
  uri?: string;
  messages: ChatMessage[];
  ask: (messages: ChatMessage[]) => Promise<ChatAnswer>;
  /** Reads an answer into a value and the document it produces; throws AiError('bad_answer') when it cannot. */
  read: (answer: ChatAnswer) => { value: T; text: string };
  redactor: Redactor;
}

export async function validatedSuggestion<T>(round: SuggestionRound<T>): Promise<ValidatedSuggestion<T>> {
  const first = await round.ask(round.messages);
  const firstProblems = problemsOf(round, first);
  if (firstProblems.ok) return { ...firstProblems.ok, repaired: false };

  const prompt = round.redactor.redactText(firstProblems.problems);
  const second = await round.ask([...round.messages, ...repairMessage(round.redactor.redactText(first.text), prompt)]);
  const secondProblems = problemsOf(round, second);
  if (secondProblems.ok) return { ...secondProblems.ok, repaired: true };
  throw new AiError(
    'invalid_suggestion',
    `the AI suggestion was dropped because it still had errors after one repair: ${round.redactor.redactText(secondProblems.summary)}`,
  );
}

type Outcome<T> =
  | { ok: { value: T; text: string }; problems?: undefined; summary?: undefined }
  | { ok?: undefined; problems: string; summary: string };

function problemsOf<T>(round: SuggestionRound<T>, answer: ChatAnswer): Outcome<T> {
  let read: { value: T; text: string };
  try {
    read = round.read(answer);
  } catch (error) {
    if (!(error instanceof AiError)) throw error;
    return { problems: `Your answer could not be used: ${error.message}`, summary: error.message };
  }
  const { added, lines } = addedErrors(round.baseline, read.text, round.uri);
  if (added.length === 0) return { ok: read };
  const listed = added.map((d) => ({
    line: lines(d.span.start),
    code: d.code,
    severity: d.severity,
    message: d.message,
  }));
  const first = listed[0];
  const more = listed.length > 1 ? ` (and ${listed.length - 1} more)` : '';
  return { problems: formatProblems(listed), summary: `line ${first.line}: ${first.code} ${first.message}${more}` };
}
