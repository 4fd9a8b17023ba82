import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkStack, parseStack, StackDiagnostic } from '../../server/src/stack';

export const SAMPLES = path.resolve(__dirname, '../../../shared/samples');

export function readSample(name: string): string {
  return readFileSync(path.join(SAMPLES, name), 'utf8');
}

/** The document span of the nth occurrence of `needle` (optionally only after `after`). */
export function spanOf(
  text: string,
  needle: string,
  options: { nth?: number; after?: string } = {},
): { start: number; end: number } {
  let from = options.after ? text.indexOf(options.after) : 0;
  if (from < 0) throw new Error(`'${options.after}' not found`);
  let at = -1;
  for (let i = 0; i <= (options.nth ?? 0); i++) {
    at = text.indexOf(needle, from);
    if (at < 0) throw new Error(`'${needle}' not found`);
    from = at + 1;
  }
  return { start: at, end: at + needle.length };
}

/** Every diagnostic, the upstream-compatibility ones included (the family tests assert those too). */
export function diagnose(text: string, uri?: string): StackDiagnostic[] {
  return checkStack(parseStack(text, uri), { upstreamCompatibility: true });
}

export function withCode(diagnostics: StackDiagnostic[], code: string): StackDiagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

/** A minimal valid stack around a template and variables, for focused tests. */
export function stack(parts: {
  template?: string;
  variables?: string;
  notes?: string;
  targetType?: string;
  extraMetadata?: string;
}): string {
  return [
    'metadata:',
    '  name: demo',
    '  version: "1.0.0"',
    '  category: test',
    '  author: me',
    '  license: MIT',
    '  description: a test stack',
    `  target_type: ${parts.targetType ?? 'docker'}`,
    ...(parts.extraMetadata ? [parts.extraMetadata] : []),
    'template:',
    parts.template ?? '  image: "busybox:{{ tag }}"',
    'variables:',
    parts.variables ?? '  tag:\n    type: string\n    label: Tag\n    default: "1"',
    ...(parts.notes !== undefined ? ['deployment_notes: |', parts.notes] : []),
    '',
  ].join('\n');
}
