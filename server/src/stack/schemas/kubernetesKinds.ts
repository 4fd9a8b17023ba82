/**
 * Every built-in Kubernetes kind a stack can apply, in the order the deployer applies them (and removes them in
 * reverse). The reference is the order Helm installs kinds in: namespaces, then policy, identity, configuration and
 * storage that workloads use, definitions before the custom resources of them, RBAC, Services, workloads, what sits
 * on top of workloads, and API registrations last. Kinds that are requests rather than stored objects (TokenReview,
 * SubjectAccessReview, Eviction, Binding…) are not here: a stack cannot apply them.
 */

export interface BuiltInKind {
  kind: string;
  /** The apiVersion the deployer lists objects of this kind with (remove, redeploy). */
  apiVersion: string;
  /** True for kinds that have no namespace. */
  clusterScoped?: true;
}

const cluster = true as const;

export const KUBERNETES_KIND_ORDER: readonly BuiltInKind[] = [
  { kind: 'Namespace', apiVersion: 'v1', clusterScoped: cluster },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
  { kind: 'ResourceQuota', apiVersion: 'v1' },
  { kind: 'LimitRange', apiVersion: 'v1' },
  { kind: 'PodSecurityPolicy', apiVersion: 'policy/v1beta1', clusterScoped: cluster },
  { kind: 'PriorityLevelConfiguration', apiVersion: 'flowcontrol.apiserver.k8s.io/v1', clusterScoped: cluster },
  { kind: 'FlowSchema', apiVersion: 'flowcontrol.apiserver.k8s.io/v1', clusterScoped: cluster },
  { kind: 'PriorityClass', apiVersion: 'scheduling.k8s.io/v1', clusterScoped: cluster },
  { kind: 'RuntimeClass', apiVersion: 'node.k8s.io/v1', clusterScoped: cluster },
  { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1' },
  { kind: 'ServiceAccount', apiVersion: 'v1' },
  { kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1', clusterScoped: cluster },
  { kind: 'Secret', apiVersion: 'v1' },
  { kind: 'ConfigMap', apiVersion: 'v1' },
  { kind: 'ClusterTrustBundle', apiVersion: 'certificates.k8s.io/v1alpha1', clusterScoped: cluster },
  { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1' },
  { kind: 'StorageClass', apiVersion: 'storage.k8s.io/v1', clusterScoped: cluster },
  { kind: 'VolumeAttributesClass', apiVersion: 'storage.k8s.io/v1alpha1', clusterScoped: cluster },
  { kind: 'CSIDriver', apiVersion: 'storage.k8s.io/v1', clusterScoped: cluster },
  { kind: 'CSINode', apiVersion: 'storage.k8s.io/v1', clusterScoped: cluster },
  { kind: 'CSIStorageCapacity', apiVersion: 'storage.k8s.io/v1' },
  { kind: 'PersistentVolume', apiVersion: 'v1', clusterScoped: cluster },
  { kind: 'PersistentVolumeClaim', apiVersion: 'v1' },
  { kind: 'VolumeAttachment', apiVersion: 'storage.k8s.io/v1', clusterScoped: cluster },
  { kind: 'ResourceClass', apiVersion: 'resource.k8s.io/v1alpha2', clusterScoped: cluster },
  { kind: 'ResourceClassParameters', apiVersion: 'resource.k8s.io/v1alpha2' },
  { kind: 'ResourceClaimParameters', apiVersion: 'resource.k8s.io/v1alpha2' },
  { kind: 'ResourceSlice', apiVersion: 'resource.k8s.io/v1alpha2', clusterScoped: cluster },
  { kind: 'ResourceClaimTemplate', apiVersion: 'resource.k8s.io/v1alpha2' },
  { kind: 'ResourceClaim', apiVersion: 'resource.k8s.io/v1alpha2' },
  { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1', clusterScoped: cluster },
  { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', clusterScoped: cluster },
  { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', clusterScoped: cluster },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1' },
  { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1' },
  { kind: 'ServiceCIDR', apiVersion: 'networking.k8s.io/v1alpha1', clusterScoped: cluster },
  { kind: 'IPAddress', apiVersion: 'networking.k8s.io/v1alpha1', clusterScoped: cluster },
  { kind: 'Service', apiVersion: 'v1' },
  { kind: 'Endpoints', apiVersion: 'v1' },
  { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' },
  { kind: 'Node', apiVersion: 'v1', clusterScoped: cluster },
  { kind: 'PodTemplate', apiVersion: 'v1' },
  { kind: 'DaemonSet', apiVersion: 'apps/v1' },
  { kind: 'PodSchedulingContext', apiVersion: 'resource.k8s.io/v1alpha2' },
  { kind: 'Pod', apiVersion: 'v1' },
  { kind: 'ReplicationController', apiVersion: 'v1' },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  { kind: 'Deployment', apiVersion: 'apps/v1' },
  { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2' },
  { kind: 'StatefulSet', apiVersion: 'apps/v1' },
  { kind: 'ControllerRevision', apiVersion: 'apps/v1' },
  { kind: 'Job', apiVersion: 'batch/v1' },
  { kind: 'CronJob', apiVersion: 'batch/v1' },
  { kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', clusterScoped: cluster },
  { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1' },
  { kind: 'Event', apiVersion: 'events.k8s.io/v1' },
  { kind: 'StorageVersion', apiVersion: 'internal.apiserver.k8s.io/v1alpha1', clusterScoped: cluster },
  { kind: 'StorageVersionMigration', apiVersion: 'storagemigration.k8s.io/v1alpha1', clusterScoped: cluster },
  // Admission runs on every later request: registered once what they call and what they let through exists.
  { kind: 'ValidatingAdmissionPolicy', apiVersion: 'admissionregistration.k8s.io/v1', clusterScoped: cluster },
  { kind: 'ValidatingAdmissionPolicyBinding', apiVersion: 'admissionregistration.k8s.io/v1', clusterScoped: cluster },
  { kind: 'MutatingWebhookConfiguration', apiVersion: 'admissionregistration.k8s.io/v1', clusterScoped: cluster },
  { kind: 'ValidatingWebhookConfiguration', apiVersion: 'admissionregistration.k8s.io/v1', clusterScoped: cluster },
  // An aggregated API is served by a Service applied above (not in kubernetes-types: kube-aggregator's own type).
  { kind: 'APIService', apiVersion: 'apiregistration.k8s.io/v1', clusterScoped: cluster },
];

const byKind = new Map(KUBERNETES_KIND_ORDER.map((entry, rank) => [entry.kind, { ...entry, rank }]));

/** Position of a kind in the apply order; custom resources (and anything unknown) come after every built-in kind. */
export function kindRank(kind: string): number {
  return byKind.get(kind)?.rank ?? KUBERNETES_KIND_ORDER.length;
}

export function isClusterScopedKind(kind: string): boolean {
  return byKind.get(kind)?.clusterScoped === true;
}

export function isOrderedKind(kind: string): boolean {
  return byKind.has(kind);
}
