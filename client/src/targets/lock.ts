/**
 * One deploy (or stop, start, remove) of a deployment at a time, across processes and machines. A target keeps the
 * lock on the engine or cluster itself through a LockStore; this module adds the protocol every store shares: holder
 * information, expiry, takeover of an expired lock, a heartbeat while the work runs, and the error users see.
 * Pure Node.
 */
import os from 'node:os';

/** What a lock says about who holds it. */
export interface LockRecord {
  deploymentName: string;
  /** deploy, stop, start, remove. */
  operation: string;
  /** user@host (pid N). */
  holder: string;
  startedAt: Date;
  /** After this moment the lock counts as abandoned (its holder was killed) and may be taken over. */
  expiresAt: Date;
}

/** A lock as found in the store: its record and the token that names this very lock (not a later one). */
export interface StoredLock extends LockRecord {
  token: string;
}

export type CreateOutcome = { created: true; token: string } | { created: false; current: StoredLock };

/** What a target implements: atomic create-if-absent, renew and remove by token. */
export interface LockStore {
  /** Creates the lock if nobody holds it, atomically; otherwise returns the lock that is there. */
  create(record: LockRecord): Promise<CreateOutcome>;
  /** Moves the expiry of the lock named by `token`; throws LockLostError when that lock is gone. */
  renew(token: string, expiresAt: Date): Promise<void>;
  /** Removes the lock named by `token`; a lock created since under the same name is left alone. */
  remove(token: string): Promise<void>;
}

/** How long a lock lives without a heartbeat, and how often the holder renews it. */
export const DEFAULT_LEASE_MS = 60_000;
const RENEWALS_PER_LEASE = 3;
/** Create attempts when an expired lock is taken over (someone else may win the takeover). */
const TAKEOVER_ATTEMPTS = 3;

/** Someone else is deploying (or stopping, removing…) this deployment right now. */
export class LockBusyError extends Error {
  override name = 'LockBusyError';
  constructor(readonly current: LockRecord) {
    super(
      `a ${current.operation} of ${current.deploymentName} is already running (started ${current.startedAt.toISOString()} by ${current.holder}); try again when it has finished`,
    );
  }
}

/** The lock disappeared or was taken over while we held it: stop, the deployment may be changing under us. */
export class LockLostError extends Error {
  override name = 'LockLostError';
  constructor(deploymentName: string, detail: string) {
    super(`lost the lock on ${deploymentName}: ${detail}`);
  }
}

/** Who we are, for other users' "already running … by …" messages. */
export function lockHolder(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the host and pid still say enough.
  }
  return `${user}@${os.hostname()} (pid ${process.pid})`;
}

export interface LockRequest {
  deploymentName: string;
  operation: string;
  leaseMs?: number;
}

/** A lock we hold. `lost` aborts when a heartbeat finds the lock gone; release() ends the heartbeat and removes it. */
export class HeldLock {
  private readonly lostController = new AbortController();
  private readonly heartbeat: NodeJS.Timeout;
  private released = false;

  constructor(
    private readonly store: LockStore,
    readonly token: string,
    readonly record: LockRecord,
    leaseMs: number,
  ) {
    this.heartbeat = setInterval(() => void this.renew(leaseMs), leaseMs / RENEWALS_PER_LEASE);
  }

  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  private async renew(leaseMs: number): Promise<void> {
    if (this.released) return;
    try {
      await this.store.renew(this.token, new Date(Date.now() + leaseMs));
    } catch (error) {
      if (error instanceof LockLostError) {
        clearInterval(this.heartbeat);
        this.lostController.abort(error);
      }
      // Anything else (a slow engine) is retried at the next beat; the lease leaves room for a few misses.
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.heartbeat);
    await this.store.remove(this.token);
  }
}

/** Takes the lock, taking over one whose holder stopped renewing it; LockBusyError when it is really held. */
export async function acquireLock(store: LockStore, request: LockRequest): Promise<HeldLock> {
  const leaseMs = request.leaseMs ?? DEFAULT_LEASE_MS;
  let current: StoredLock | undefined;
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
    const now = Date.now();
    const record: LockRecord = {
      deploymentName: request.deploymentName,
      operation: request.operation,
      holder: lockHolder(),
      startedAt: new Date(now),
      expiresAt: new Date(now + leaseMs),
    };
    const outcome = await store.create(record);
    if (outcome.created) return new HeldLock(store, outcome.token, record, leaseMs);
    current = outcome.current;
    if (current.expiresAt.getTime() > Date.now()) throw new LockBusyError(current);
    // Expired: its holder is gone. Removal is by token, so a lock someone else just took over survives.
    await store.remove(current.token);
  }
  throw new LockBusyError(current as StoredLock);
}

/** Runs `work` while holding the lock; `lost` aborts if the lock is lost meanwhile. Always releases. */
export async function withLock<T>(
  store: LockStore,
  request: LockRequest,
  work: (lost: AbortSignal) => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(store, request);
  try {
    return await work(lock.lost);
  } finally {
    await lock.release();
  }
}
