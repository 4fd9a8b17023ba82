/**
 * What we ask the model, and the JSON schemas its structured answers follow. Every text put into a prompt here has
 * already been through the Redactor.
 */
import { HELPER_FUNCTIONS, signatureLabel, TARGET_TYPES } from '../stack';
import { AiError } from './client';
import type { AnswerSchema, ChatMessage } from './client';

const TEMPLATE_SHAPES: Record<string, string> = {
  docker:
    'template is one container: image (required), environment (mapping), ports (list of "host:container" strings), volumes (list of "name:/path" strings), restart_policy, healthcheck (test, interval/timeout/start_period as strings like "10s", retries), labels, command, entrypoint, user, working_dir, network_mode.',
  docker_compose:
    'template is a Compose document: a top-level version key (WindFlow requires it, e.g. "3.8"), services (each with image or build), and optional volumes and networks.',
  docker_swarm:
    'template is a Compose document deployed as a Swarm stack: version, services (each with image), optional deploy, volumes, networks.',
  kubernetes:
    'template is one Kubernetes object (apiVersion, kind, metadata, spec) or a kind: List whose items are objects.',
  vm: 'template is a free mapping (this target type is not deployable).',
  physical: 'template is a free mapping (this target type is not deployable).',
};

/** The format in brief: enough for a model to write a stack the language service accepts. */
export const FORMAT_GUIDE = [
  'A WindFlow stack file is one YAML document (YAML 1.1) with these top-level keys:',
  '- metadata (required): name, version (a string like "1.0.0"), category, author, license, description, target_type (one of ' +
    `${TARGET_TYPES.join(', ')}), optional tags (list), deployment_name.`,
  '- template (required, a non-empty mapping): the deployable document. Every string value in it is a Jinja2 template rendered with the variables.',
  '- variables: a mapping name -> {type, label (both required), description, default, required, visible, enum, pattern, minimum, maximum}. ' +
    'type is one of string, number, integer, boolean, password, textarea, group; a group has its own variables and is referenced as {{ group.member }}.',
  '- target_parameters (optional mapping), deployment_notes (optional Markdown string).',
  'Reference variables as {{ name }} inside quoted strings. Variable names match [A-Za-z_][A-Za-z0-9_]*. Defaults may call these helper functions, never other variables:',
  ...HELPER_FUNCTIONS.map((fn) => `  ${signatureLabel(fn)}`),
  'Secrets belong in password variables whose default calls generate_password or generate_secret, never as literal values.',
  'Text like «SECRET_1» is a placeholder for a value hidden from you: keep each placeholder exactly where it belongs and never invent new ones.',
].join('\n');

/** Larger documents would make slow, expensive prompts that most models cannot take in anyway. */
export const MAX_DOCUMENT_CHARS = 200_000;

export function ensurePromptSize(text: string): void {
  if (text.length > MAX_DOCUMENT_CHARS) {
    throw new AiError(
      'invalid_input',
      `the document is too large to send to the AI (${text.length} characters; the limit is ${MAX_DOCUMENT_CHARS})`,
    );
  }
}

function shapeFor(targetType: string | undefined): string {
  return (targetType && TEMPLATE_SHAPES[targetType]) || 'template shape depends on metadata.target_type.';
}

export function generateMessages(description: string, targetType: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content: `You write WindFlow stack files.\n${FORMAT_GUIDE}\nFor target_type ${targetType}: ${shapeFor(targetType)}`,
    },
    {
      role: 'user',
      content: `Write a complete WindFlow stack file with metadata.target_type: ${targetType} for:\n${description}\n\nAnswer with the YAML document only, no explanations.`,
    },
  ];
}

/** A line-numbered listing, so the model can name the lines its edit replaces. */
export function numberedLines(text: string): string {
  return text
    .split('\n')
    .map((line, index) => `${String(index + 1).padStart(4)}| ${line}`)
    .join('\n');
}

export interface ProblemForPrompt {
  line: number;
  code: string;
  severity: string;
  message: string;
}

export function formatProblems(problems: ProblemForPrompt[]): string {
  return problems.map((p) => `line ${p.line}: ${p.code} ${p.severity}: ${p.message}`).join('\n');
}

export const FIX_SCHEMA: AnswerSchema = {
  name: 'stack_fix',
  schema: {
    type: 'object',
    properties: {
      startLine: { type: 'integer', description: 'first line replaced (1-based)' },
      endLine: {
        type: 'integer',
        description: 'last line replaced (inclusive); startLine - 1 to insert before startLine',
      },
      replacement: { type: 'string', description: 'the new text of those lines, without line numbers' },
      explanation: { type: 'string', description: 'one sentence on what changed and why' },
    },
    required: ['startLine', 'endLine', 'replacement', 'explanation'],
    additionalProperties: false,
  },
};

/**
 * The fix and explain prompts ask for JSON whether or not the endpoint enforces the schema: models without structured
 * output still follow the instruction, and the answer is read the same way.
 */
export function fixMessages(redactedText: string, problem: ProblemForPrompt): ChatMessage[] {
  const answer =
    'Answer with only a JSON object {"startLine": number, "endLine": number, "replacement": string, "explanation": string}.';
  return [
    {
      role: 'system',
      content: `You fix problems in WindFlow stack files with the smallest possible edit.\n${FORMAT_GUIDE}`,
    },
    {
      role: 'user',
      content: `The stack file (line numbers added):\n${numberedLines(redactedText)}\n\nFix this problem:\n${formatProblems([problem])}\n\nReplace the fewest whole lines that fix it, keeping the indentation. ${answer}`,
    },
  ];
}

/** The marker for the cursor in a completion prompt. */
export const CURSOR = '«CURSOR»';

export function completeMessages(redactedTextWithCursor: string, targetType: string | undefined): ChatMessage[] {
  return [
    {
      role: 'system',
      content: `You complete WindFlow stack files in an editor.\n${FORMAT_GUIDE}\nFor this file: ${shapeFor(targetType)}`,
    },
    {
      role: 'user',
      content: `Complete the value or block at ${CURSOR} in this stack file:\n\n${redactedTextWithCursor}\n\nAnswer with only the text to insert at ${CURSOR} (it may span several lines, indented to fit), no explanations, no code fences.`,
    },
  ];
}

export const EXPLAIN_SCHEMA: AnswerSchema = {
  name: 'deploy_diagnosis',
  schema: {
    type: 'object',
    properties: {
      summary: { type: 'string', description: 'what went wrong, in one sentence' },
      cause: { type: 'string', description: 'the most likely cause, with the evidence from the logs' },
      steps: { type: 'array', items: { type: 'string' }, description: 'what to change or check, in order' },
    },
    required: ['summary', 'cause', 'steps'],
    additionalProperties: false,
  },
};

export interface DeployFailureForPrompt {
  error: string;
  status: string;
  logLines: string[];
  stackText?: string;
}

export function explainMessages(failure: DeployFailureForPrompt): ChatMessage[] {
  const answer = 'Answer with only a JSON object {"summary": string, "cause": string, "steps": string[]}.';
  const parts = [
    `Deployment status: ${failure.status}`,
    `Error: ${failure.error}`,
    `Last log lines:\n${failure.logLines.join('\n') || '(none)'}`,
  ];
  if (failure.stackText) parts.push(`The stack file:\n${failure.stackText}`);
  return [
    {
      role: 'system',
      content: `You diagnose failed deployments of WindFlow stacks on Docker and Kubernetes.\n${FORMAT_GUIDE}`,
    },
    {
      role: 'user',
      content: `${parts.join('\n\n')}\n\nExplain why the deployment failed and how to fix it. ${answer}`,
    },
  ];
}

/** Asks for a corrected answer after the language service found errors the suggestion added. */
export function repairMessage(previousAnswer: string, problems: string): ChatMessage[] {
  return [
    { role: 'assistant', content: previousAnswer },
    {
      role: 'user',
      content: `The WindFlow language service found these errors in the result of your answer:\n${problems}\n\nAnswer again in the same form, with the errors fixed.`,
    },
  ];
}

/** The text inside the first fenced block, or the whole answer when there is none. */
export function unfence(answer: string): string {
  const fenced = /```[a-zA-Z0-9_-]*[ \t]*\n([\s\S]*?)\n?```/.exec(answer);
  return fenced ? fenced[1] : answer;
}

/** The JSON object in an answer (bare or fenced), or undefined when the answer is not one. */
export function parseJsonAnswer(answer: string): Record<string, unknown> | undefined {
  const text = unfence(answer).trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
