/**
 * Completion and hover for Jinja2's builtin filters and tests (the interpreter's catalogue): after `|` and after
 * `is ` / `is not `, with signatures and our own documentation.
 */
import { CompletionItem, CompletionItemKind, MarkupKind, Range } from 'vscode-languageserver-types';
import { CatalogueEntry, FILTER_CATALOGUE, TEST_CATALOGUE } from '../stack/jinja2/catalogue';
import { JinjaSegment } from '../stack/jinja';

const FILTERS = new Map(FILTER_CATALOGUE.map((entry) => [entry.name, entry]));
const TESTS = new Map(TEST_CATALOGUE.filter((entry) => /^\w+$/.test(entry.name)).map((entry) => [entry.name, entry]));

export function filterSignature(entry: CatalogueEntry): string {
  return `value | ${entry.name}${entry.signature}`;
}

export function testSignature(entry: CatalogueEntry): string {
  return `value is ${entry.name}${entry.signature}`;
}

function item(entry: CatalogueEntry, range: Range, signature: string, kind: 'filter' | 'test'): CompletionItem {
  return {
    label: entry.name,
    kind: kind === 'filter' ? CompletionItemKind.Function : CompletionItemKind.Operator,
    detail: signature,
    documentation: { kind: MarkupKind.Markdown, value: entry.documentation },
    textEdit: { range, newText: entry.name },
  };
}

/** Completions when the expression before the cursor ends with `| name` or `is [not] name`; undefined otherwise. */
export function filterOrTestCompletions(
  expression: string,
  range: (partial: string) => Range,
): CompletionItem[] | undefined {
  const filter = /\|\s*([A-Za-z_]\w*)?$/.exec(expression);
  if (filter) {
    const replace = range(filter[1] ?? '');
    return FILTER_CATALOGUE.map((entry) => item(entry, replace, filterSignature(entry), 'filter'));
  }
  const test = /\bis\s+(?:not\s+)?([A-Za-z_]\w*)?$/.exec(expression);
  if (test && test[1] !== 'not') {
    const replace = range(test[1] ?? '');
    return [...TESTS.values()].map((entry) => item(entry, replace, testSignature(entry), 'test'));
  }
  return undefined;
}

/** Hover text for the filter or test of `segment` at a value index, with the span it covers. */
export function filterOrTestHover(
  segment: JinjaSegment,
  index: number,
): { text: string; span: { start: number; end: number } } | undefined {
  const at = (candidate: { span: { start: number; end: number } }) =>
    index >= candidate.span.start && index <= candidate.span.end;
  const filter = segment.filters.find(at);
  if (filter) {
    const entry = FILTERS.get(filter.name);
    const text = entry
      ? `Jinja filter \`${filterSignature(entry)}\`\n\n${entry.documentation}`
      : `Unknown Jinja filter \`${filter.name}\``;
    return { text, span: filter.span };
  }
  const test = segment.tests.find(at);
  if (test) {
    const entry = TESTS.get(test.name);
    const text = entry
      ? `Jinja test \`${testSignature(entry)}\`\n\n${entry.documentation}`
      : `Unknown Jinja test \`${test.name}\``;
    return { text, span: test.span };
  }
  return undefined;
}
