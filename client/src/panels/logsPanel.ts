import * as vscode from 'vscode';
import type { DeploymentRef } from '../deploymentRef';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import { logSourceLabel, logSourceStyle, type LogSourceStyle } from '../logSource';
import type { TargetManager } from '../targetManager';
import type { LogLine, Target } from '../targets/target';
import type { HostToLogs, LogLineView, LogStreamOptions, LogsToHost } from '../webview/messages';
import { LogResumePoint } from './logResume';
import { openWebviewPanel } from './webviewHtml';

/** Lines are sent to the page in batches at most this often, so a burst of output does not flood the message channel. */
const FLUSH_INTERVAL_MS = 100;
/** After a followed stream ends (the container stopped or restarted), re-attach after this pause. */
const REATTACH_DELAY_MS = 2000;
/** A followed stream still open and silent after this long is a quiet container, not a connection in progress. */
const QUIET_AFTER_MS = 1500;

const openPanels = new Map<string, LogsPanel>();

export interface LogsPanelServices {
  extensionUri: vscode.Uri;
  targets: TargetManager;
  log: Logger;
}

/** Opens (or reveals) the logs of a deployment, or of one of its units. */
export function openLogsPanel(services: LogsPanelServices, ref: DeploymentRef): void {
  const key = `${ref.targetName}/${ref.deploymentName}/${ref.unitName ?? ''}`;
  const existing = openPanels.get(key);
  if (existing) {
    existing.reveal();
    return;
  }
  const panel = new LogsPanel(services, ref, () => openPanels.delete(key));
  openPanels.set(key, panel);
}

class LogsPanel {
  private readonly panel: vscode.WebviewPanel;
  private options: LogStreamOptions;
  /** Incremented on each (re)start: a stream loop of an older generation stops at its next turn. */
  private generation = 0;
  private abort?: AbortController;
  private pending: LogLineView[] = [];
  private flushTimer?: NodeJS.Timeout;
  private closed = false;
  private sourceStyle: LogSourceStyle = 'service';

  constructor(
    private readonly services: LogsPanelServices,
    private readonly ref: DeploymentRef,
    onClosed: () => void,
  ) {
    const title = `Logs: ${ref.unitName ?? ref.deploymentName}`;
    this.options = {
      follow: true,
      tail: vscode.workspace.getConfiguration('windflow').get<number>('logs.tail') ?? 500,
      since: '',
      service: ref.service ?? '',
    };
    this.panel = openWebviewPanel(services.extensionUri, {
      viewType: 'windflow.logs',
      title,
      script: 'webview-logs.js',
      body: LOGS_BODY,
    });
    this.panel.webview.onDidReceiveMessage((message: LogsToHost) => void this.handle(message));
    this.panel.onDidDispose(() => {
      // Closing the panel ends its streams: nothing keeps reading logs for a page nobody sees.
      this.closed = true;
      this.generation++;
      this.abort?.abort();
      clearTimeout(this.flushTimer);
      onClosed();
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(message: HostToLogs): void {
    if (!this.closed) void this.panel.webview.postMessage(message);
  }

  private async handle(message: LogsToHost): Promise<void> {
    if (message.type === 'options') {
      this.options = message.options;
      this.post({ type: 'clear' });
      this.start();
      return;
    }
    const { services, sourceStyle } = await this.describeUnits();
    this.sourceStyle = sourceStyle;
    this.post({ type: 'init', title: this.panel.title, services, sourceStyle, options: this.options });
    this.post({ type: 'clear' });
    this.start();
  }

  /** The service names the filter offers (from the deployment's current units), and how lines name their source. */
  private async describeUnits(): Promise<{ services: string[]; sourceStyle: LogSourceStyle }> {
    let target: Target;
    try {
      target = await this.services.targets.target(this.ref.targetName);
    } catch {
      return { services: [], sourceStyle: this.sourceStyle };
    }
    try {
      const status = await target.status(this.ref.deploymentName);
      return {
        services: [...new Set(status.units.map((unit) => unit.service ?? unit.name))].sort(),
        sourceStyle: logSourceStyle(target.kind, status.units),
      };
    } catch {
      return { services: [], sourceStyle: logSourceStyle(target.kind, []) };
    }
  }

  private start(): void {
    this.abort?.abort();
    const generation = ++this.generation;
    void this.streamLoop(generation);
  }

  private async streamLoop(generation: number): Promise<void> {
    const resume = new LogResumePoint();
    let target: Target;
    try {
      target = await this.services.targets.target(this.ref.targetName);
    } catch (error) {
      this.post({ type: 'state', state: 'error', message: describeError(error) });
      return;
    }
    let firstAttach = true;
    while (generation === this.generation) {
      const abort = new AbortController();
      this.abort = abort;
      this.post({ type: 'state', state: firstAttach ? 'connecting' : 'streaming' });
      const since = firstAttach ? this.options.since : (resume.resumeSince() ?? this.options.since);
      let announced = false;
      const quietTimer = setTimeout(() => {
        if (!announced && generation === this.generation && this.options.follow) {
          this.post({ type: 'state', state: 'quiet' });
        }
      }, QUIET_AFTER_MS);
      try {
        await target.logs(
          this.ref.deploymentName,
          {
            service: this.options.service || undefined,
            tail: firstAttach ? this.options.tail : undefined,
            since: since || undefined,
            // Always asked for: the resume point needs them; the page hides them unless the user wants them.
            timestamps: true,
            follow: this.options.follow,
            signal: abort.signal,
          },
          (line) => {
            if (generation !== this.generation) return;
            if (this.ref.unitName && line.unit !== this.ref.unitName) return;
            if (!announced) {
              announced = true;
              this.post({ type: 'state', state: 'streaming' });
            }
            const view = toView(line, this.sourceStyle, this.services.log);
            if (resume.accept(view)) this.queue(view);
          },
        );
        if (!announced && generation === this.generation) this.post({ type: 'state', state: 'streaming' });
      } catch (error) {
        announced = true;
        if (generation !== this.generation) return;
        this.post({ type: 'state', state: 'error', message: describeError(error) });
        this.services.log.warn(`Logs of ${this.ref.deploymentName}: ${describeError(error)}`);
      } finally {
        clearTimeout(quietTimer);
      }
      this.flush();
      if (generation !== this.generation) return;
      if (!this.options.follow) {
        this.post({ type: 'state', state: 'ended' });
        return;
      }
      // The stream ended while following: the container stopped or restarted. Wait, then re-attach from the
      // newest line seen, so a restart shows up as a continuation rather than a repeat.
      this.post({ type: 'state', state: 'waiting' });
      firstAttach = false;
      resume.reattach();
      await new Promise((resolve) => setTimeout(resolve, REATTACH_DELAY_MS));
    }
  }

  private queue(line: LogLineView): void {
    this.pending.push(line);
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.post({ type: 'lines', lines });
  }
}

function toView(line: LogLine, sourceStyle: LogSourceStyle, log: Logger): LogLineView {
  // Log lines can print the secrets the deploy passed in (an app echoing its config): mask the known ones.
  return {
    unit: line.unit,
    service: line.service,
    source: logSourceLabel(sourceStyle, line.unit, line.service),
    stream: line.stream,
    text: log.redact(line.text),
    timestamp: line.timestamp,
  };
}

const LOGS_BODY = `
<header class="toolbar" role="toolbar" aria-label="Log options">
  <strong id="title" class="title"></strong>
  <label><input type="checkbox" id="follow"> Follow</label>
  <label>Tail <input type="number" id="tail" min="0" class="short"></label>
  <label>Since <input type="text" id="since" placeholder="10m, 2h, RFC 3339" class="short"></label>
  <label>Service <select id="service"></select></label>
  <label><input type="checkbox" id="timestamps"> Timestamps</label>
  <label><input type="checkbox" id="wrap" checked> Wrap</label>
  <input type="search" id="search" placeholder="Search" aria-label="Search the logs">
  <span id="matches" class="help"></span>
  <button type="button" id="clear" class="secondary">Clear</button>
  <span id="state" class="state" role="status"></span>
</header>
<main id="lines" class="log-lines" aria-live="off"></main>`;
