/**
 * Keeps secrets out of prompts: every value that is or may be secret is replaced by a placeholder such as «SECRET_1»
 * before a prompt leaves the machine, and the placeholders in a suggestion are turned back into the original text.
 */
import { isScalar } from 'yaml';
import { getIn, leafSpan, spanOf } from '../stack';
import type { Span, StackModel, StringLeaf } from '../stack';

/** Functions whose result is a secret, so a default calling them is one. */
const SECRET_GENERATORS = new Set(['generate_password', 'generate_secret', 'random_string']);

/** Keys whose values are secrets whatever they look like. */
const SECRET_KEY = /(pass(word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)$/i;

/** Secrets recognisable by their shape, anywhere in a text (stack, description, logs); `group` is the secret part. */
const SECRET_PATTERNS: { pattern: RegExp; group: number }[] = [
  { pattern: /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/g, group: 0 },
  {
    pattern:
      /(?<![A-Za-z0-9])(sk-[A-Za-z0-9_-]{8,}|sk_(?:live|test)_[A-Za-z0-9]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,}|glpat-[A-Za-z0-9_-]{16,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})/g,
    group: 1,
  },
  { pattern: /\bBearer[ \t]+([A-Za-z0-9._~+/=-]{8,})/g, group: 1 },
  // user:password@ in URLs (a database URL in an environment value, a proxy in a log line).
  { pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:([^\s@/]+)@/gi, group: 1 },
  // password=…, api_key: … in free text; a Jinja expression (`{{ … }}`) is a reference, not a value.
  {
    pattern:
      /(?<![A-Za-z0-9])(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key)[ \t]*[=:][ \t]*"?(?!\{)([^\s"',;]+)/gi,
    group: 1,
  },
];

const PLACEHOLDER = /«SECRET_\d+»/g;

export interface Replacement {
  span: Span;
  placeholder: string;
}

/** A text with its secrets replaced, and the way back from its offsets. */
export interface RedactedText {
  text: string;
  replacements: Replacement[];
}

/** Holds the placeholder ↔ original mapping for one AI request (the same secret always gets the same placeholder). */
export class Redactor {
  private readonly originals = new Map<string, string>();
  private readonly placeholders = new Map<string, string>();

  /** The stack text with password values, generated secrets, environment values and secret-looking strings replaced. */
  redactStack(model: StackModel): RedactedText {
    return this.replaceSpans(model.text, [...secretSpansOf(model), ...secretSpansInText(model.text)]);
  }

  /** Free text (a description, an error, log lines) with secret-looking strings and already hidden values replaced. */
  redactText(text: string): string {
    return this.replaceSpans(text, [...this.knownSecretSpans(text), ...secretSpansInText(text)]).text;
  }

  /** Puts the original values back where the suggestion kept their placeholders. */
  restore(text: string): string {
    return text.replace(PLACEHOLDER, (placeholder) => this.originals.get(placeholder) ?? placeholder);
  }

  private placeholderFor(original: string): string {
    let placeholder = this.placeholders.get(original);
    if (!placeholder) {
      placeholder = `«SECRET_${this.placeholders.size + 1}»`;
      this.placeholders.set(original, placeholder);
      this.originals.set(placeholder, original);
    }
    return placeholder;
  }

  /** Where values hidden earlier in this request reappear (a log line or a diagnostic quoting a password). */
  private knownSecretSpans(text: string): Span[] {
    const spans: Span[] = [];
    for (const original of this.placeholders.keys()) {
      for (let at = text.indexOf(original); at >= 0; at = text.indexOf(original, at + original.length)) {
        spans.push({ start: at, end: at + original.length });
      }
    }
    return spans;
  }

  private replaceSpans(text: string, spans: Span[]): RedactedText {
    const merged = mergeSpans(spans.filter((span) => span.end > span.start && text.slice(span.start, span.end).trim()));
    const replacements: Replacement[] = [];
    let result = '';
    let at = 0;
    for (const span of merged) {
      const placeholder = this.placeholderFor(text.slice(span.start, span.end));
      result += text.slice(at, span.start) + placeholder;
      replacements.push({ span, placeholder });
      at = span.end;
    }
    return { text: result + text.slice(at), replacements };
  }
}

/**
 * Where an offset of the original text lands in the redacted text. Inside a redacted value it is undefined, or the
 * placeholder's start with `inside: 'placeholder-start'`.
 */
export function redactedOffset(
  redacted: RedactedText,
  offset: number,
  inside?: 'placeholder-start',
): number | undefined {
  let shift = 0;
  for (const { span, placeholder } of redacted.replacements) {
    if (offset <= span.start) break;
    if (offset < span.end) return inside ? span.start + shift : undefined;
    shift += placeholder.length - (span.end - span.start);
  }
  return offset + shift;
}

function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/** Secrets known from the file's structure: what a value means, not what it looks like. */
function secretSpansOf(model: StackModel): Span[] {
  const spans: Span[] = [];
  const leafAt = new Map(model.leaves.map((leaf) => [leaf.node, leaf]));
  const wholeValue = (node: unknown) => {
    if (!isScalar(node)) return;
    const leaf = leafAt.get(node);
    spans.push(leaf ? leafSpan(leaf, { start: 0, end: leaf.value.length }) : spanOf(node));
  };

  for (const decl of model.declarations.values()) {
    const defaultNode = getIn(decl.valueNode, ['default']);
    const generated =
      isScalar(defaultNode) &&
      leafAt
        .get(defaultNode)
        ?.scan.segments.some((segment) => segment.references.some((r) => SECRET_GENERATORS.has(r.name)));
    if (decl.type === 'password' || SECRET_KEY.test(decl.name) || generated) wholeValue(defaultNode);
  }

  for (const leaf of model.leaves) {
    for (const segment of leaf.scan.segments) {
      for (const reference of segment.references) {
        if (reference.name === 'env' && reference.call) {
          for (const argument of reference.call.args) spans.push(leafSpan(leaf, argument.span));
        }
      }
    }
    if (leaf.scope !== 'variables' && (isEnvironmentValue(leaf) || isSecretKeyed(leaf)))
      spans.push(...literalSpans(leaf));
  }
  return spans;
}

/** `environment: {KEY: value}`, `environment: [KEY=value]` (Docker, Compose) or `env: [{name, value}]` (Kubernetes). */
function isEnvironmentValue(leaf: StringLeaf): boolean {
  const path = leaf.path;
  const parent = path[path.length - 2];
  if (parent === 'environment') return true;
  return path[path.length - 1] === 'value' && path[path.length - 3] === 'env';
}

function isSecretKeyed(leaf: StringLeaf): boolean {
  const key = leaf.path[leaf.path.length - 1];
  return typeof key === 'string' && SECRET_KEY.test(key);
}

/**
 * The literal text of a value, outside its Jinja segments: `{{ db_password }}` is a reference the model needs to see,
 * `s3cret` around it is a value it must not. In a `KEY=value` list entry only the part after `=` is a value.
 */
function literalSpans(leaf: StringLeaf): Span[] {
  let from = 0;
  if (typeof leaf.path[leaf.path.length - 1] === 'number' && leaf.path[leaf.path.length - 2] === 'environment') {
    const equals = leaf.value.indexOf('=');
    if (equals < 0) return [];
    from = equals + 1;
  }
  const spans: Span[] = [];
  for (const segment of [...leaf.scan.segments, { span: { start: leaf.value.length, end: leaf.value.length } }]) {
    const end = Math.max(from, segment.span.start);
    if (end > from && leaf.value.slice(from, end).trim()) spans.push(leafSpan(leaf, { start: from, end }));
    from = Math.max(from, segment.span.end);
  }
  return spans;
}

/** Secrets recognisable by their shape: key prefixes, PEM blocks, bearer tokens, URL passwords, long random strings. */
export function secretSpansInText(text: string): Span[] {
  const spans: Span[] = [];
  for (const { pattern, group } of SECRET_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const value = match[group];
      if (!value) continue;
      const start = match.index + (group === 0 ? 0 : match[0].lastIndexOf(value));
      spans.push({ start, end: start + value.length });
    }
  }
  for (const match of text.matchAll(/[A-Za-z0-9+/_=-]{20,}/g)) {
    if (looksRandom(match[0])) spans.push({ start: match.index, end: match.index + match[0].length });
  }
  return spans;
}

/** A long token mixing letter cases and digits with high entropy (a key), or a long hex string (a digest or secret). */
function looksRandom(token: string): boolean {
  const core = token.replace(/^[/=_-]+|[/=_-]+$/g, '');
  if (core.length < 20) return false;
  if (/^[0-9a-f]{32,}$/i.test(core)) return true;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((c) => c.test(core)).length;
  return classes === 3 && shannonEntropy(core) >= 3.5;
}

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}
