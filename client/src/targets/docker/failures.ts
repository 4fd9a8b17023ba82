/**
 * Everything a deploy created, so a failed deploy can take it all away again, and the translation of engine errors
 * into the plain-words causes users see (image missing, port already allocated, name in use, engine unreachable).
 */
import type Docker from 'dockerode';
import { DeadlineError, isCancellation, uncancellable } from '../deadline';
import { DeployError } from '../target';
import { isConnectionError } from './connection';

interface EngineError {
  statusCode?: number;
  reason?: string;
  json?: { message?: string } | null;
  message?: string;
}

/** The engine's own message (dockerode wraps it as "(HTTP code 409) conflict - <message>"). */
export function engineMessage(error: unknown): string {
  const engine = error as EngineError | undefined;
  return (engine?.json?.message ?? engine?.message ?? String(error)).trim();
}

export function statusCodeOf(error: unknown): number | undefined {
  return (error as EngineError | undefined)?.statusCode;
}

/** Names the cause of a failed step in the words the user needs, keeping the engine's message for detail. */
export function explainFailure(step: string, error: unknown): DeployError {
  if (error instanceof DeployError) return error;
  if (isCancellation(error)) return new DeployError(step, 'the deploy was cancelled', error);
  const message = engineMessage(error);
  let words: string;
  if (error instanceof DeadlineError) words = `the Docker engine at ${message}`;
  else if (isConnectionError(error)) words = `engine unreachable: ${message}`;
  else if (/port is already allocated|address already in use/i.test(message))
    words = `port already allocated: ${message}`;
  else if (statusCodeOf(error) === 409 && /already in use/i.test(message))
    words = `name in use: ${message} (that resource is not part of this deployment, so it was left alone)`;
  else if (/No such image/i.test(message)) words = `image missing: ${message}`;
  else words = message;
  return new DeployError(step, words, error);
}

type Removal = { kind: 'container' | 'network' | 'volume'; name: string; remove: () => Promise<unknown> };

/** Records what one deploy creates, in order; rollback removes it newest first. */
export class CreatedResources {
  private readonly removals: Removal[] = [];

  constructor(private readonly docker: Docker) {}

  container(id: string, name: string): void {
    this.removals.push({
      kind: 'container',
      name,
      remove: () => this.docker.getContainer(id).remove({ force: true, v: true }),
    });
  }

  network(id: string, name: string): void {
    this.removals.push({ kind: 'network', name, remove: () => this.docker.getNetwork(id).remove() });
  }

  volume(name: string): void {
    this.removals.push({ kind: 'volume', name, remove: () => this.docker.getVolume(name).remove() });
  }

  /** Human-readable names, e.g. "container web-1", in creation order. */
  describe(): string[] {
    return this.removals.map((removal) => `${removal.kind} ${removal.name}`);
  }

  /** Removes everything recorded; returns what could not be removed (the engine said why). */
  async rollback(): Promise<string[]> {
    const leftovers: string[] = [];
    // Containers first (they hold networks and volumes), newest first within each kind.
    const ordered = [...this.removals].reverse().sort((a, b) => rank(a.kind) - rank(b.kind));
    for (const removal of ordered) {
      try {
        await removal.remove();
      } catch (error) {
        if (statusCodeOf(error) !== 404) leftovers.push(`${removal.kind} ${removal.name}: ${engineMessage(error)}`);
      }
    }
    return leftovers;
  }
}

function rank(kind: Removal['kind']): number {
  return kind === 'container' ? 0 : kind === 'network' ? 1 : 2;
}

/** Runs a deploy body; on failure rolls back what it created and rethrows as a DeployError naming the step. */
export async function allOrNothing<T>(
  created: CreatedResources,
  body: (step: (name: string) => void) => Promise<T>,
): Promise<T> {
  let current = 'prepare';
  try {
    return await body((name) => {
      current = name;
    });
  } catch (error) {
    const failure = explainFailure(current, error);
    const removed = created.describe();
    // Rollback must happen even when the deploy was cancelled: it runs outside the cancellation (under deadlines).
    const leftovers = await uncancellable(() => created.rollback());
    if (removed.length === 0) throw failure;
    const outcome =
      leftovers.length === 0
        ? `rolled back: removed ${removed.join(', ')}`
        : `rolling back left: ${leftovers.join('; ')}`;
    throw new DeployError(failure.step, `${failure.message} (${outcome})`, failure.cause ?? failure);
  }
}
