/**
 * The Kubernetes version of a cluster as /version reports it. Providers decorate minor ("20+" on GKE and EKS) and
 * gitVersion ("v1.27.3-eks-a5565ad"); `version` is the plain "1.20" the editor's apiVersion checks compare against.
 */
export interface KubernetesVersion {
  major: number;
  minor: number;
  /** "1.20" */
  version: string;
  /** "v1.20.2", as the server reports it. */
  gitVersion: string;
}

export function parseServerVersion(info: { major?: string; minor?: string; gitVersion?: string }): KubernetesVersion {
  const fromGit = /^v?(\d+)\.(\d+)/.exec(info.gitVersion ?? '');
  const major = Number.parseInt(info.major ?? '', 10) || Number(fromGit?.[1] ?? NaN);
  const minor = Number.parseInt(info.minor ?? '', 10) || Number(fromGit?.[2] ?? NaN);
  if (!Number.isInteger(major) || !Number.isInteger(minor)) {
    throw new Error(`the API server reports no usable version (${JSON.stringify(info)})`);
  }
  return { major, minor, version: `${major}.${minor}`, gitVersion: info.gitVersion ?? `v${major}.${minor}` };
}
