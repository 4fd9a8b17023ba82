import * as vscode from 'vscode';
import { describeError } from './errors';
import { redactSecrets } from './redact';

/**
 * The extension's log ("WindFlow" output, a LogOutputChannel). Every message passes through the secrets it has been
 * told about, so a password that ends up in an error text is masked before it is written.
 */
export class Logger implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private readonly secrets = new Set<string>();

  constructor() {
    this.channel = vscode.window.createOutputChannel('WindFlow', { log: true });
  }

  /** Remembers values that must never be written (the secrets of a rendered stack). */
  addSecrets(values: Iterable<string>): void {
    for (const value of values) this.secrets.add(value);
  }

  redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  info(message: string): void {
    this.channel.info(this.redact(message));
  }

  warn(message: string): void {
    this.channel.warn(this.redact(message));
  }

  error(message: string, error?: unknown): void {
    this.channel.error(this.redact(error === undefined ? message : `${message}: ${describeError(error)}`));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
