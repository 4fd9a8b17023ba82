import * as vscode from 'vscode';
import type { DeploymentRef } from '../deploymentRef';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { TargetManager } from '../targetManager';
import type { DeploymentStatus, Disposable as TargetDisposable } from '../targets/target';
import type { HostToStatus, StatusToHost } from '../webview/messages';
import { openWebviewPanel } from './webviewHtml';

/** Bursts of target events (a Compose deploy emits dozens) are folded into one refresh. */
const REFRESH_DEBOUNCE_MS = 400;

const openPanels = new Map<string, StatusPanel>();

export interface StatusPanelServices {
  extensionUri: vscode.Uri;
  targets: TargetManager;
  log: Logger;
  /** The rendered deployment notes of a deployment (secrets masked), when known. */
  notesFor(ref: DeploymentRef): Promise<string | undefined>;
  showNotes(ref: DeploymentRef, markdown: string): Promise<void>;
}

export function openStatusPanel(services: StatusPanelServices, ref: DeploymentRef): void {
  const key = `${ref.targetName}/${ref.deploymentName}`;
  const existing = openPanels.get(key);
  if (existing) {
    existing.reveal();
    return;
  }
  openPanels.set(key, new StatusPanel(services, ref, () => openPanels.delete(key)));
}

/** A deployment's live status; it watches the target only while the panel is visible. */
class StatusPanel {
  private readonly panel: vscode.WebviewPanel;
  private watch?: TargetDisposable;
  private refreshTimer?: NodeJS.Timeout;
  private closed = false;
  private notes?: string;

  constructor(
    private readonly services: StatusPanelServices,
    private readonly ref: DeploymentRef,
    onClosed: () => void,
  ) {
    const title = `Status: ${ref.deploymentName}`;
    this.panel = openWebviewPanel(services.extensionUri, {
      viewType: 'windflow.status',
      title,
      script: 'webview-status.js',
      body: STATUS_BODY,
    });
    this.panel.webview.onDidReceiveMessage((message: StatusToHost) => void this.handle(message));
    this.panel.onDidChangeViewState(({ webviewPanel }) => {
      if (webviewPanel.visible) {
        void this.startWatching();
        this.scheduleRefresh();
      } else {
        this.stopWatching();
      }
    });
    this.panel.onDidDispose(() => {
      this.closed = true;
      this.stopWatching();
      clearTimeout(this.refreshTimer);
      onClosed();
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  private async handle(message: StatusToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.refresh();
        await this.startWatching();
        await this.sendNotes();
        break;
      case 'openNotes':
        if (this.notes) await this.services.showNotes(this.ref, this.notes);
        break;
      case 'refresh':
        await this.refresh();
        break;
      case 'openUrl': {
        const url = vscode.Uri.parse(message.url);
        if (url.scheme === 'http' || url.scheme === 'https') await vscode.env.openExternal(url);
        break;
      }
      case 'showLogs': {
        const ref: DeploymentRef = { targetName: this.ref.targetName, deploymentName: this.ref.deploymentName };
        if (message.unit) ref.unitName = message.unit;
        await vscode.commands.executeCommand('windflow.showLogs', ref);
        break;
      }
    }
  }

  private async startWatching(): Promise<void> {
    if (this.watch || this.closed) return;
    try {
      const target = await this.services.targets.target(this.ref.targetName);
      if (!this.closed && this.panel.visible && !this.watch) this.watch = target.watch(() => this.scheduleRefresh());
    } catch (error) {
      this.services.log.warn(`Cannot watch ${this.ref.targetName}: ${describeError(error)}`);
    }
  }

  private async sendNotes(): Promise<void> {
    try {
      this.notes = await this.services.notesFor(this.ref);
    } catch (error) {
      this.services.log.warn(`Notes of ${this.ref.deploymentName}: ${describeError(error)}`);
    }
    if (this.notes && !this.closed) void this.panel.webview.postMessage({ type: 'notes', markdown: this.notes });
  }

  private stopWatching(): void {
    this.watch?.dispose();
    this.watch = undefined;
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), REFRESH_DEBOUNCE_MS);
  }

  private async refresh(): Promise<void> {
    let message: HostToStatus;
    try {
      const target = await this.services.targets.target(this.ref.targetName);
      message = statusMessage(this.ref, await target.status(this.ref.deploymentName));
    } catch (error) {
      message = { type: 'error', message: describeError(error) };
    }
    if (!this.closed) void this.panel.webview.postMessage(message);
  }
}

function statusMessage(ref: DeploymentRef, status: DeploymentStatus): HostToStatus {
  return {
    type: 'status',
    title: `${ref.deploymentName} on ${ref.targetName}${status.stackName ? ` — ${status.stackName}` : ''}`,
    deploymentState: status.state,
    units: status.units.map((unit) => ({
      name: unit.name,
      service: unit.service,
      kind: unit.kind,
      node: unit.node,
      state: unit.state,
      health: unit.health,
      restarts: unit.restarts,
      ports: unit.ports,
      createdAt: unit.createdAt?.toISOString(),
      reason: unit.reason,
      image: unit.image,
    })),
    workloads: status.workloads ?? [],
    events: (status.events ?? [])
      .slice(-50)
      .map((event) => ({ time: event.time.toISOString(), message: event.message })),
    updatedAt: new Date().toISOString(),
  };
}

const STATUS_BODY = `
<header class="toolbar">
  <h1 id="title" class="title"></h1>
  <span id="state" class="badge"></span>
  <span id="updated" class="help"></span>
  <button type="button" id="refresh" class="secondary">Refresh</button>
  <button type="button" id="all-logs" class="secondary">Show Logs</button>
</header>
<div id="error" class="banner error" role="alert" hidden></div>
<table class="units">
  <thead><tr><th>Name</th><th>Service</th><th>State</th><th>Health</th><th>Restarts</th><th>Ports</th><th>Age</th><th></th></tr></thead>
  <tbody id="units"></tbody>
</table>
<section id="workloads-section" hidden>
  <h2>Workloads</h2>
  <table class="units"><thead><tr><th>Kind</th><th>Name</th><th>Ready</th></tr></thead><tbody id="workloads"></tbody></table>
</section>
<section>
  <h2>Recent events</h2>
  <ul id="events" class="events"></ul>
</section>
<section id="notes-section" hidden>
  <h2>Deployment notes <button type="button" id="open-notes" class="link">Open as Markdown Preview</button></h2>
  <div id="notes" class="notes"></div>
</section>`;
