import type { TargetKind, UnitStatus } from './targets/target';

/**
 * How a log line names where it came from, shared by `windflow-stack logs` and the logs panel:
 * - `task`: a Swarm task (`web.2`), since one service runs several;
 * - `pod`: `pod/container` of a Kubernetes pod, since replicas share their container names;
 * - `service`: the container's service (a Compose project), else the container's name.
 */
export type LogSourceStyle = 'task' | 'pod' | 'service';

export function logSourceStyle(targetKind: TargetKind, units: readonly Pick<UnitStatus, 'kind'>[]): LogSourceStyle {
  if (targetKind === 'kubernetes') return 'pod';
  return units.some((unit) => unit.kind === 'task') ? 'task' : 'service';
}

/** The source of one line; `service` is the log line's service (the container name for a Kubernetes pod). */
export function logSourceLabel(style: LogSourceStyle, unit: string, service?: string): string {
  if (style === 'task') return unit;
  if (style === 'pod') return service ? `${unit}/${service}` : unit;
  return service ?? unit;
}

/**
 * Whether lines carry their source: always for tasks and pods (several of them can speak under one name), else
 * only when no single service was chosen and the deployment has more than one unit.
 */
export function logSourcesShown(style: LogSourceStyle, unitCount: number, oneService: boolean): boolean {
  return style !== 'service' || (!oneService && unitCount > 1);
}
