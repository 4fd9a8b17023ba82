/**
 * Which kinds of target can deploy which target_type, known without loading any target code: the code lens, the
 * deploy form and the tree say it before a target is even configured. Pure.
 */
import type { TargetKind } from './target';

/** The kinds of target that deploy this target_type (none for vm/physical or an unknown type). */
export function targetKindsFor(targetType: string): TargetKind[] {
  switch (targetType) {
    case 'docker':
    case 'docker_compose':
    case 'docker_swarm':
      return ['docker'];
    case 'kubernetes':
      return ['kubernetes'];
    default:
      return [];
  }
}

/** "a Kubernetes cluster (a kubeconfig context)", for sentences like "This stack deploys to …". */
export function describeTargetKinds(targetType: string): string {
  const kinds = targetKindsFor(targetType);
  if (kinds.length === 0) return `no target: WindFlow Stacks does not deploy target_type ${targetType || '(none)'}`;
  return kinds
    .map((kind) =>
      kind === 'kubernetes'
        ? 'a Kubernetes cluster (a kubeconfig context)'
        : targetType === 'docker_swarm'
          ? 'a Docker engine in swarm mode'
          : 'a Docker engine',
    )
    .join(' or ');
}

/** The target_type written under `metadata:` in a stack's text, read without parsing (for the code lens). */
export function targetTypeInText(text: string): string | undefined {
  const metadata = /^metadata:[ \t]*(?:#.*)?$/m.exec(text);
  if (!metadata) return undefined;
  const lines = text.slice(metadata.index + metadata[0].length).split(/\r?\n/);
  for (const line of lines) {
    if (/^\S/.test(line)) break;
    const match = /^[ \t]+target_type:[ \t]*["']?([A-Za-z_]+)["']?[ \t]*(?:#.*)?$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}
