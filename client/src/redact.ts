/** Keeps secret values out of anything a person or a log file can read. Pure. */

export const SECRET_MASK = '••••••••';

/** Secrets shorter than this are not masked: a two-character "secret" would garble every message it appears in. */
const MIN_SECRET_LENGTH = 4;

/** Replaces every occurrence of each secret (longest first, so one secret inside another is fully masked). */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const ordered = [...new Set(secrets)].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  ordered.sort((a, b) => b.length - a.length);
  let redacted = text;
  for (const secret of ordered) redacted = redacted.split(secret).join(SECRET_MASK);
  return redacted;
}
