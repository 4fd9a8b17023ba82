/**
 * Which rendered strings derive from a secret (a password variable, a generated secret, anything computed from them),
 * found without knowing how the template computed them: the stack is rendered twice more with the same randomness,
 * time and ports, once with the secrets as they are and once with every secret changed character by character.
 * Whatever differs between the two renders came from a secret — through `upper`, slices, `replace()`, `reverse`,
 * `urlencode`, concatenation, a default built from a password, or any filter still to come — and is masked whole.
 * Whatever is equal did not, so it is never masked, even when it happens to contain a secret's characters (a
 * one-character password does not turn "connecting" into "conn••••cting").
 */
import type { RandomSource } from './helpers';
import type { StackModel } from './model';

export const SECRET_MASK = '••••••';

/** What the taint renders need from renderStack (passed in, so this module does not import the renderer). */
export interface TaintRenderOptions {
  values?: Record<string, unknown>;
  deploymentName?: string;
  allowEnv?: boolean;
  env?: Record<string, string | undefined>;
  random?: RandomSource;
  now?: () => Date;
  isPortFree?: (port: number) => boolean;
  secretVariant?: (secret: string) => string;
}

export interface TaintRenderResult {
  deploymentName: string;
  values: Record<string, unknown>;
  template: unknown;
  targetParameters?: unknown;
  deploymentNotes?: string;
  secrets: string[];
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const PUNCTUATION = '!#$%&()*+,-./:;<=>?@[]^_{|}~';

function rotate(alphabet: string, char: string): string | undefined {
  const at = alphabet.indexOf(char);
  return at < 0 ? undefined : alphabet[(at + 1) % alphabet.length];
}

/**
 * The same secret with every character changed within its class (letter, digit, punctuation), length and spaces
 * kept: so the template takes the same paths and slices the same places, and every derived character changes.
 */
export function perturbSecret(secret: string): string {
  let changed = '';
  for (const char of secret) {
    if (/\s/.test(char) || char === '"' || char === "'" || char === '\\' || char === '`') changed += char;
    else
      changed +=
        rotate(LOWER, char) ??
        rotate(UPPER, char) ??
        rotate(DIGITS, char) ??
        rotate(PUNCTUATION, char) ??
        String.fromCodePoint((char.codePointAt(0) ?? 0) + 1);
  }
  return changed;
}

/** A fixed-seed random source (mulberry32), so both taint renders draw the same numbers. */
function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return {
    int(min: number, maxExclusive: number): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      return min + Math.floor(unit * (maxExclusive - min));
    },
  };
}

function getPath(values: Record<string, unknown>, qualifiedName: string): unknown {
  let current: unknown = values;
  for (const segment of qualifiedName.split('.')) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Strings (and numbers) of `real` at the places where `a` and `b` differ. */
function collectDerived(real: unknown, a: unknown, b: unknown, out: Set<string>): void {
  if (typeof real === 'string' || typeof real === 'number') {
    if (a !== b && String(real) !== '') out.add(String(real));
    return;
  }
  if (Array.isArray(real)) {
    real.forEach((item, index) =>
      collectDerived(item, Array.isArray(a) ? a[index] : undefined, Array.isArray(b) ? b[index] : undefined, out),
    );
    return;
  }
  if (real && typeof real === 'object') {
    const at = (value: unknown, key: string) =>
      value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    for (const [key, item] of Object.entries(real)) collectDerived(item, at(a, key), at(b, key), out);
  }
}

/**
 * The part of `word` that differs between the two renders: `(password hunter2).` keeps its `(` and `).`, which are
 * the same in both. Every character of a secret changes in the second render, so what changed is exactly what
 * derives from it.
 */
function differingCore(word: string, a: string, b: string): string {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a.at(-1 - suffix) === b.at(-1 - suffix)) suffix++;
  const core = word.slice(prefix, word.length - suffix);
  return core === '' ? word : core;
}

/** Notes are prose: the whitespace-separated words that differ are secret-derived, the words around them are not. */
function collectDerivedWords(real: string, a: string, b: string, out: Set<string>): void {
  const words = (text: string) => text.split(/\s+/).filter((word) => word !== '');
  const [realWords, aWords, bWords] = [words(real), words(a), words(b)];
  if (realWords.length === aWords.length && aWords.length === bWords.length) {
    realWords.forEach((word, index) => {
      if (aWords[index] !== bWords[index]) out.add(differingCore(word, aWords[index], bWords[index]));
    });
    return;
  }
  // The secret changed the shape of the text: every word not the same in both renders counts as derived.
  const stable = new Set(aWords.filter((word) => bWords.includes(word)));
  for (const word of realWords) if (!stable.has(word)) out.add(word);
}

/**
 * The options of one of the two comparison renders: passwords given as values (changed by `change`), generated
 * secrets changed the same way, and randomness, time and free ports fixed so that nothing else differs.
 */
export function variantOptions(
  options: TaintRenderOptions,
  passwordValues: Map<string, string>,
  change: (secret: string) => string,
): TaintRenderOptions {
  const values: Record<string, unknown> = { ...options.values };
  for (const [name, value] of passwordValues) values[name] = change(value);
  const base: TaintRenderOptions & { cache?: unknown } = { ...options };
  // A cache would hand one variant the other's strings.
  delete base.cache;
  return {
    ...base,
    values,
    random: seededRandom(0x5eed),
    now: () => FIXED_NOW,
    isPortFree: () => true,
    secretVariant: change,
  };
}

const FIXED_NOW = new Date(Date.UTC(2025, 0, 1));

/**
 * Every value of `real` derived from a secret, plus the secrets themselves: the list masking works from.
 * `render` is renderStack; the extra renders pass `secretVariant`, which also keeps them from recursing.
 */
export function secretDerivedValues(
  model: StackModel,
  options: TaintRenderOptions,
  real: TaintRenderResult,
  render: (model: StackModel, options: TaintRenderOptions) => TaintRenderResult,
): string[] {
  const derived = new Set(real.secrets);
  if (real.secrets.length === 0) return [...derived];
  const passwordValues = new Map<string, string>();
  for (const decl of model.declarations.values()) {
    const value = decl.type === 'password' ? getPath(real.values, decl.qualifiedName) : undefined;
    if (typeof value === 'string' || typeof value === 'number') passwordValues.set(decl.qualifiedName, String(value));
  }
  const variant = (change: (secret: string) => string) =>
    render(model, variantOptions({ ...options, deploymentName: real.deploymentName }, passwordValues, change));
  const same = variant((secret) => secret);
  const changed = variant(perturbSecret);
  collectDerived(real.template, same.template, changed.template, derived);
  collectDerived(real.targetParameters, same.targetParameters, changed.targetParameters, derived);
  if (real.deploymentNotes !== undefined)
    collectDerivedWords(real.deploymentNotes, same.deploymentNotes ?? '', changed.deploymentNotes ?? '', derived);
  return [...derived];
}

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;
/** Secrets this long are masked wherever they appear: they do not turn up inside unrelated words by chance. */
const DISTINCTIVE_LENGTH = 8;

/**
 * Replaces each secret (and secret-derived value) in `text` with the mask, longest first. A short value is masked
 * only where it stands on its own — not glued to letters or digits of other words — so it never masks pieces of
 * unrelated text; derived values that include their surroundings are in the list themselves.
 */
export function maskSecrets(text: string, secrets: string[]): string {
  const ordered = [...new Set(secrets.filter((secret) => secret !== ''))].sort((a, b) => b.length - a.length);
  let masked = text;
  for (const secret of ordered) {
    let result = '';
    let from = 0;
    for (let at = masked.indexOf(secret); at >= 0; at = masked.indexOf(secret, at + 1)) {
      if (at < from) continue;
      const before = masked[at - 1];
      const after = masked[at + secret.length];
      const gluedBefore = before !== undefined && WORD_CHARACTER.test(before) && WORD_CHARACTER.test(secret[0] ?? '');
      const gluedAfter = after !== undefined && WORD_CHARACTER.test(after) && WORD_CHARACTER.test(secret.at(-1) ?? '');
      if ((gluedBefore || gluedAfter) && secret.length < DISTINCTIVE_LENGTH) continue;
      result += masked.slice(from, at) + SECRET_MASK;
      from = at + secret.length;
    }
    masked = result + masked.slice(from);
  }
  return masked;
}
