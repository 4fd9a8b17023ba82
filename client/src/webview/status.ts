/// <reference lib="dom" />
/** The status panel page: the units of one deployment with state, health, restarts, ports, age and recent events. */
import { byId, connectToHost, element } from './dom';
import type { HostToStatus, StatusToHost, UnitView } from './messages';
import { formatAge, portLink } from './format';

const post = connectToHost<StatusToHost, HostToStatus>((message) => {
  if (message.type === 'notes') {
    // Shown as written (Markdown source, no HTML): the page never turns stack text into markup.
    byId('notes').textContent = message.markdown;
    byId('notes-section').hidden = message.markdown.trim() === '';
    return;
  }
  if (message.type === 'error') {
    byId('error').textContent = message.message;
    byId('error').hidden = false;
    return;
  }
  byId('error').hidden = true;
  document.title = message.title;
  byId('title').textContent = message.title;
  const badge = byId('state');
  badge.textContent = message.deploymentState;
  badge.className = `badge state-${message.deploymentState}`;
  byId('updated').textContent = `Updated ${new Date(message.updatedAt).toLocaleTimeString()}`;
  renderUnits(message.units, Date.parse(message.updatedAt));
  renderWorkloads(message.workloads);
  renderEvents(message.events);
});

function renderUnits(units: UnitView[], now: number): void {
  const body = byId('units');
  body.replaceChildren();
  if (units.length === 0) {
    body.append(element('tr', {}, element('td', { colspan: 8, class: 'empty' }, 'No containers or pods.')));
    return;
  }
  for (const unit of units) {
    const logs = element('button', { type: 'button', class: 'link', title: `Show the logs of ${unit.name}` }, 'Logs');
    logs.addEventListener('click', () => post({ type: 'showLogs', unit: unit.name }));
    body.append(
      element(
        'tr',
        {},
        element(
          'td',
          {},
          unit.name,
          unit.image ? element('div', { class: 'help' }, unit.image) : undefined,
          unit.node ? element('div', { class: 'help' }, `on ${unit.node}`) : undefined,
        ),
        element('td', {}, unit.service ?? ''),
        element(
          'td',
          {},
          element('span', { class: `dot state-${unit.state}` }),
          ` ${unit.state}`,
          unit.reason ? element('div', { class: 'help' }, unit.reason) : undefined,
        ),
        element('td', {}, unit.health ?? '—'),
        element('td', { class: 'number' }, String(unit.restarts)),
        element('td', {}, ...portCells(unit.ports)),
        element('td', {}, unit.createdAt ? formatAge(now - Date.parse(unit.createdAt)) : '—'),
        element('td', {}, logs),
      ),
    );
  }
}

function portCells(ports: string[]): (Node | string)[] {
  if (ports.length === 0) return ['—'];
  return ports.map((port) => {
    const link = portLink(port);
    if (!link.url) return element('div', {}, link.label);
    const url = link.url;
    const anchor = element('a', { href: url, title: `Open ${url}` }, link.label);
    anchor.addEventListener('click', (event) => {
      event.preventDefault();
      post({ type: 'openUrl', url });
    });
    return element('div', {}, anchor);
  });
}

function renderWorkloads(workloads: { kind: string; name: string; desired: number; ready: number }[]): void {
  const section = byId('workloads-section');
  section.hidden = workloads.length === 0;
  byId('workloads').replaceChildren(
    ...workloads.map((workload) =>
      element(
        'tr',
        {},
        element('td', {}, workload.kind),
        element('td', {}, workload.name),
        element('td', { class: 'number' }, `${workload.ready}/${workload.desired}`),
      ),
    ),
  );
}

function renderEvents(events: { time: string; message: string }[]): void {
  const list = byId('events');
  list.replaceChildren();
  if (events.length === 0) list.append(element('li', { class: 'help' }, 'No recent events.'));
  for (const event of events) {
    list.append(
      element(
        'li',
        {},
        element('span', { class: 'timestamp' }, new Date(event.time).toLocaleString()),
        ` ${event.message}`,
      ),
    );
  }
}

byId('refresh').addEventListener('click', () => post({ type: 'refresh' }));
byId('all-logs').addEventListener('click', () => post({ type: 'showLogs' }));
byId('open-notes').addEventListener('click', () => post({ type: 'openNotes' }));
post({ type: 'ready' });
