/// <reference lib="dom" />
/**
 * The logs panel page. Stream options (follow, tail, since, service) go to the host, which restarts the stream;
 * timestamps, wrapping and search only change what this page shows.
 */
import { logSourcesShown, type LogSourceStyle } from '../logSource';
import { byId, connectToHost, element } from './dom';
import type { HostToLogs, LogLineView, LogStreamOptions, LogsToHost } from './messages';

/** Older lines are dropped past this many, so a chatty container cannot exhaust the page's memory. */
const MAX_LINES = 20_000;

const output = byId('lines');
const follow = byId<HTMLInputElement>('follow');
const tail = byId<HTMLInputElement>('tail');
const since = byId<HTMLInputElement>('since');
const service = byId<HTMLSelectElement>('service');
const timestamps = byId<HTMLInputElement>('timestamps');
const wrap = byId<HTMLInputElement>('wrap');
const search = byId<HTMLInputElement>('search');
const state = byId('state');
const matches = byId('matches');
let sourceStyle: LogSourceStyle = 'service';
let showUnitNames = false;

const post = connectToHost<LogsToHost, HostToLogs>((message) => {
  switch (message.type) {
    case 'init':
      document.title = message.title;
      byId('title').textContent = message.title;
      applyOptions(message.options);
      service.replaceChildren(element('option', { value: '' }, 'All services'));
      for (const name of message.services) {
        service.append(element('option', { value: name, selected: name === message.options.service }, name));
      }
      sourceStyle = message.sourceStyle;
      showUnitNames = logSourcesShown(sourceStyle, message.services.length, message.options.service !== '');
      break;
    case 'lines':
      appendLines(message.lines);
      break;
    case 'clear':
      output.replaceChildren();
      updateMatches();
      break;
    case 'state':
      state.textContent = describeState(message.state, message.message);
      state.className = `state ${message.state}`;
      break;
  }
});

function applyOptions(options: LogStreamOptions): void {
  follow.checked = options.follow;
  tail.value = String(options.tail);
  since.value = options.since;
}

function describeState(current: string, detail?: string): string {
  const words: Record<string, string> = {
    connecting: 'Connecting…',
    streaming: 'Following',
    quiet: 'Following, no output yet',
    waiting: 'Waiting for the container to come back…',
    ended: 'End of logs',
    error: 'Error',
  };
  return detail ? `${words[current] ?? current}: ${detail}` : (words[current] ?? current);
}

function appendLines(lines: LogLineView[]): void {
  const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 4;
  const query = search.value.toLowerCase();
  const fragment = document.createDocumentFragment();
  for (const line of lines) {
    const row = element(
      'div',
      { class: `line ${line.stream}` },
      line.timestamp ? element('span', { class: 'timestamp' }, `${line.timestamp} `) : undefined,
      showUnitNames ? element('span', { class: 'unit' }, `${line.source} | `) : undefined,
      element('span', { class: 'text' }, line.text),
    );
    row.hidden = query !== '' && !line.text.toLowerCase().includes(query);
    fragment.append(row);
  }
  output.append(fragment);
  while (output.childElementCount > MAX_LINES) output.firstElementChild?.remove();
  updateMatches();
  if (follow.checked && atBottom) window.scrollTo(0, document.body.scrollHeight);
}

function applySearch(): void {
  const query = search.value.toLowerCase();
  for (const row of Array.from(output.children) as HTMLElement[]) {
    const text = row.querySelector('.text')?.textContent ?? '';
    row.hidden = query !== '' && !text.toLowerCase().includes(query);
  }
  updateMatches();
}

function updateMatches(): void {
  if (search.value === '') {
    matches.textContent = `${output.childElementCount} lines`;
    return;
  }
  const shown = Array.from(output.children).filter((row) => !(row as HTMLElement).hidden).length;
  matches.textContent = `${shown} of ${output.childElementCount} lines match`;
}

function sendOptions(): void {
  const tailValue = Number.parseInt(tail.value, 10);
  post({
    type: 'options',
    options: {
      follow: follow.checked,
      tail: Number.isFinite(tailValue) && tailValue >= 0 ? tailValue : 0,
      since: since.value.trim(),
      service: service.value,
    },
  });
  // The first option is 'All services'.
  showUnitNames = logSourcesShown(sourceStyle, service.options.length - 1, service.value !== '');
}

for (const control of [follow, tail, since, service]) control.addEventListener('change', sendOptions);
timestamps.addEventListener('change', () => output.classList.toggle('hide-timestamps', !timestamps.checked));
wrap.addEventListener('change', () => output.classList.toggle('wrap', wrap.checked));
search.addEventListener('input', applySearch);
byId('clear').addEventListener('click', () => {
  output.replaceChildren();
  updateMatches();
});
output.classList.toggle('hide-timestamps', !timestamps.checked);
output.classList.toggle('wrap', wrap.checked);

post({ type: 'ready' });
