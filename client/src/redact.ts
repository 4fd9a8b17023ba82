/** Keeps secret values out of anything a person or a log file can read. Pure. */
import { maskSecrets, SECRET_MASK } from '../../server/src/stack/secretTaint';

export { SECRET_MASK };

/**
 * Masks every secret and secret-derived value (the `secrets` of a render) — the one masking rule of the CLI, the
 * server and the extension: long values wherever they appear, short ones only where they stand on their own.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  return maskSecrets(text, [...secrets]);
}
