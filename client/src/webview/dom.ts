/// <reference lib="dom" />
/**
 * Web-side helpers shared by the panel scripts: the typed channel to the extension host and a small element builder.
 * Text always goes in through textContent, never innerHTML, so values from a stack or a log cannot become markup.
 */

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Connects the page to the host: returns the typed `post`, and calls `onMessage` for each typed host message. */
export function connectToHost<ToHost, FromHost>(onMessage: (message: FromHost) => void): (message: ToHost) => void {
  const api = acquireVsCodeApi();
  window.addEventListener('message', (event: MessageEvent<FromHost>) => onMessage(event.data));
  return (message: ToHost) => api.postMessage(message);
}

type Attributes = Record<string, string | boolean | number | undefined>;

/** Creates an element with attributes (false/undefined ones left out) and children (strings become text nodes). */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Node | string | undefined)[]
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    created.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child !== undefined) created.append(child);
  }
  return created;
}

export function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no element #${id}`);
  return found as T;
}
