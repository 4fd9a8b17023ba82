/** Formatting for the status panel: port links and ages. Pure. */

export interface PortLink {
  label: string;
  /** Set when the port is published on the host and may serve HTTP. */
  url?: string;
}

// Accepts "8080->80/tcp", "0.0.0.0:8080->80/tcp", "[::]:8080->80/tcp" and "127.0.0.1:8080->80".
const PUBLISHED = /^(?:(\[[0-9a-fA-F:]+\]|[0-9.]+|[A-Za-z0-9.-]+):)?(\d{1,5})->\d{1,5}(?:\/(tcp|udp|sctp))?$/;

export function portLink(port: string): PortLink {
  const match = PUBLISHED.exec(port.trim());
  if (!match || match[3] === 'udp' || match[3] === 'sctp') return { label: port };
  const address = match[1];
  const host = !address || address === '0.0.0.0' || address === '[::]' ? 'localhost' : address;
  return { label: port, url: `http://${host}:${match[2]}` };
}

/** "42s", "5m", "3h", "2d": the way docker ps and kubectl print ages. */
export function formatAge(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
