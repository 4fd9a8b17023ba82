/**
 * Built-in apiVersions that Kubernetes deprecated and removed between 1.9 and 1.32, per kind, with the version that
 * replaces them, and the versions that introduced the replacements. Compiled from the Kubernetes deprecated API
 * migration guide and release notes.
 */

export interface RetiredApi {
  apiVersion: string;
  kind: string;
  /** Minor version (1.x) from which the API server warns. */
  deprecatedIn: number;
  /** Minor version (1.x) from which the API server no longer serves it. */
  removedIn: number;
  /** The apiVersion to use instead, or a sentence when nothing replaces the kind. */
  replacement: string;
}

function retired(
  apiVersions: readonly string[],
  kinds: readonly string[],
  deprecatedIn: number,
  removedIn: number,
  replacement: string,
): RetiredApi[] {
  return apiVersions.flatMap((apiVersion) =>
    kinds.map((kind) => ({ apiVersion, kind, deprecatedIn, removedIn, replacement })),
  );
}

const NO_POD_SECURITY_POLICY = 'nothing: Pod Security Admission (namespace labels) replaces PodSecurityPolicy';

export const RETIRED_APIS: readonly RetiredApi[] = [
  // 1.16: the workload and policy kinds leave extensions and the beta apps versions.
  ...retired(['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'], ['Deployment', 'ReplicaSet'], 9, 16, 'apps/v1'),
  ...retired(['extensions/v1beta1', 'apps/v1beta2'], ['DaemonSet'], 9, 16, 'apps/v1'),
  ...retired(['apps/v1beta1', 'apps/v1beta2'], ['StatefulSet', 'ControllerRevision'], 9, 16, 'apps/v1'),
  ...retired(['extensions/v1beta1'], ['NetworkPolicy'], 9, 16, 'networking.k8s.io/v1'),
  ...retired(['extensions/v1beta1'], ['PodSecurityPolicy'], 10, 16, NO_POD_SECURITY_POLICY),
  // 1.21: the alpha CronJob.
  ...retired(['batch/v2alpha1'], ['CronJob'], 8, 21, 'batch/v1'),
  // 1.22: the beta versions of the APIs that went GA in 1.16–1.19.
  ...retired(
    ['admissionregistration.k8s.io/v1beta1'],
    ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    16,
    22,
    'admissionregistration.k8s.io/v1',
  ),
  ...retired(['apiextensions.k8s.io/v1beta1'], ['CustomResourceDefinition'], 16, 22, 'apiextensions.k8s.io/v1'),
  ...retired(['apiregistration.k8s.io/v1beta1'], ['APIService'], 19, 22, 'apiregistration.k8s.io/v1'),
  ...retired(['authentication.k8s.io/v1beta1'], ['TokenReview'], 19, 22, 'authentication.k8s.io/v1'),
  ...retired(
    ['authorization.k8s.io/v1beta1'],
    ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview'],
    19,
    22,
    'authorization.k8s.io/v1',
  ),
  ...retired(['certificates.k8s.io/v1beta1'], ['CertificateSigningRequest'], 19, 22, 'certificates.k8s.io/v1'),
  ...retired(['coordination.k8s.io/v1beta1'], ['Lease'], 19, 22, 'coordination.k8s.io/v1'),
  ...retired(['extensions/v1beta1'], ['Ingress'], 14, 22, 'networking.k8s.io/v1'),
  ...retired(['networking.k8s.io/v1beta1'], ['Ingress', 'IngressClass'], 19, 22, 'networking.k8s.io/v1'),
  ...retired(
    ['rbac.authorization.k8s.io/v1alpha1', 'rbac.authorization.k8s.io/v1beta1'],
    ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
    17,
    22,
    'rbac.authorization.k8s.io/v1',
  ),
  ...retired(
    ['scheduling.k8s.io/v1alpha1', 'scheduling.k8s.io/v1beta1'],
    ['PriorityClass'],
    14,
    22,
    'scheduling.k8s.io/v1',
  ),
  ...retired(
    ['storage.k8s.io/v1beta1'],
    ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    19,
    22,
    'storage.k8s.io/v1',
  ),
  // 1.25
  ...retired(['batch/v1beta1'], ['CronJob'], 21, 25, 'batch/v1'),
  ...retired(['discovery.k8s.io/v1beta1'], ['EndpointSlice'], 21, 25, 'discovery.k8s.io/v1'),
  ...retired(['events.k8s.io/v1beta1'], ['Event'], 19, 25, 'events.k8s.io/v1'),
  ...retired(['autoscaling/v2beta1'], ['HorizontalPodAutoscaler'], 22, 25, 'autoscaling/v2'),
  ...retired(['policy/v1beta1'], ['PodDisruptionBudget'], 21, 25, 'policy/v1'),
  ...retired(['policy/v1beta1'], ['PodSecurityPolicy'], 21, 25, NO_POD_SECURITY_POLICY),
  ...retired(['node.k8s.io/v1beta1'], ['RuntimeClass'], 20, 25, 'node.k8s.io/v1'),
  // 1.26
  ...retired(['autoscaling/v2beta2'], ['HorizontalPodAutoscaler'], 23, 26, 'autoscaling/v2'),
  ...retired(
    ['flowcontrol.apiserver.k8s.io/v1beta1'],
    ['FlowSchema', 'PriorityLevelConfiguration'],
    23,
    26,
    'flowcontrol.apiserver.k8s.io/v1',
  ),
  // 1.27
  ...retired(['storage.k8s.io/v1beta1'], ['CSIStorageCapacity'], 24, 27, 'storage.k8s.io/v1'),
  // 1.29 and 1.32: the last beta versions of API Priority and Fairness.
  ...retired(
    ['flowcontrol.apiserver.k8s.io/v1beta2'],
    ['FlowSchema', 'PriorityLevelConfiguration'],
    26,
    29,
    'flowcontrol.apiserver.k8s.io/v1',
  ),
  ...retired(
    ['flowcontrol.apiserver.k8s.io/v1beta3'],
    ['FlowSchema', 'PriorityLevelConfiguration'],
    29,
    32,
    'flowcontrol.apiserver.k8s.io/v1',
  ),
];

const byPair = new Map(RETIRED_APIS.map((entry) => [`${entry.apiVersion} ${entry.kind}`, entry]));

export function retiredApi(apiVersion: string, kind: string): RetiredApi | undefined {
  return byPair.get(`${apiVersion} ${kind}`);
}

/** The minor version of `1.30` (a normalised cluster version). */
export function minorOf(version: string): number {
  return Number(version.split('.')[1]);
}

/**
 * The Kubernetes version that first served a built-in apiVersion of a kind, for those that replaced an older one
 * since 1.16 (older clusters answer "no matches for kind"). Keys: `apiVersion kind`.
 */
const INTRODUCED_IN: Record<string, number> = {
  'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration': 16,
  'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration': 16,
  'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy': 30,
  'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding': 30,
  'apiextensions.k8s.io/v1 CustomResourceDefinition': 16,
  'certificates.k8s.io/v1 CertificateSigningRequest': 19,
  'networking.k8s.io/v1 Ingress': 19,
  'networking.k8s.io/v1 IngressClass': 19,
  'events.k8s.io/v1 Event': 19,
  'node.k8s.io/v1 RuntimeClass': 20,
  'batch/v1 CronJob': 21,
  'policy/v1 PodDisruptionBudget': 21,
  'discovery.k8s.io/v1 EndpointSlice': 21,
  'autoscaling/v2 HorizontalPodAutoscaler': 23,
  'storage.k8s.io/v1 CSIStorageCapacity': 24,
  'flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema': 26,
  'flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration': 26,
  'flowcontrol.apiserver.k8s.io/v1 FlowSchema': 29,
  'flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration': 29,
};

/** The minor version that first served this apiVersion of the kind, when that is after 1.15. */
export function introducedIn(apiVersion: string, kind: string): number | undefined {
  return INTRODUCED_IN[`${apiVersion} ${kind}`];
}
