import type { TargetKind } from './targets/target';

/** Where `windflow.kubernetes.version` was set, as `WorkspaceConfiguration.inspect` reports it. */
export interface VersionSettingValues {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

/** The selected target as far as known: its kind, and for a reachable cluster the version it reports ("1.20"). */
export interface SelectedTargetVersion {
  kind: TargetKind;
  version?: string;
}

/**
 * The Kubernetes version the editor checks stacks against in place of the setting, or undefined when the setting (or
 * its default) applies: a version the user wrote anywhere wins, else the selected cluster's discovered version. A
 * Docker target, or a cluster whose version is unknown (unreachable, not asked yet), leaves the default.
 */
export function editorKubernetesVersion(
  setting: VersionSettingValues | undefined,
  selected: SelectedTargetVersion | undefined,
): string | undefined {
  const written = [
    setting?.globalValue,
    setting?.workspaceValue,
    setting?.workspaceFolderValue,
    setting?.globalLanguageValue,
    setting?.workspaceLanguageValue,
    setting?.workspaceFolderLanguageValue,
  ].some((value) => value !== undefined);
  if (written || selected?.kind !== 'kubernetes') return undefined;
  return selected.version;
}
