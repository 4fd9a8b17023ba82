/**
 * Where a followed log stream resumes after its container restarted or its stream broke: from the newest timestamp
 * seen, dropping the lines the new stream repeats (those not newer than what each unit had already shown). Pure.
 */
import type { LogLineView } from '../webview/messages';

export class LogResumePoint {
  private readonly newestByUnit = new Map<string, bigint>();
  /** The newest time per unit before the current stream attached: lines at or before it are repeats. */
  private seenBeforeAttach = new Map<string, bigint>();
  private newest?: { time: bigint; timestamp: string };

  /** Records a line and says whether to show it (false for a line a re-attached stream repeats). */
  accept(line: LogLineView): boolean {
    const time = line.timestamp ? nanosecondsOf(line.timestamp) : undefined;
    if (time === undefined) return true;
    const seen = this.seenBeforeAttach.get(line.unit);
    if (seen !== undefined && time <= seen) return false;
    const newest = this.newestByUnit.get(line.unit);
    if (newest === undefined || time > newest) this.newestByUnit.set(line.unit, time);
    if (!this.newest || time > this.newest.time) this.newest = { time, timestamp: line.timestamp! };
    return true;
  }

  /** Called before re-attaching: from now on, lines not newer than what was shown are dropped. */
  reattach(): void {
    this.seenBeforeAttach = new Map(this.newestByUnit);
  }

  /** The `since` for re-attaching (the newest timestamp seen), or undefined before any timestamped line. */
  resumeSince(): string | undefined {
    return this.newest?.timestamp;
  }
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Nanoseconds since the epoch of an RFC 3339 timestamp. Docker prints nanoseconds, and two lines written in the same
 * millisecond are common, so millisecond Date precision would mistake the second for a repeat.
 */
export function nanosecondsOf(timestamp: string): bigint | undefined {
  const match = RFC3339.exec(timestamp);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}
