/**
 * The per-deployment lock of a Kubernetes target: a `coordination.k8s.io/v1` Lease named after the deployment in the
 * target's namespace. holderIdentity says who holds it, renewTime + leaseDurationSeconds when it expires (then it
 * may be taken over, see lock.ts). Creating a Lease is atomic (409 when it exists); renewals are optimistic updates
 * (a 409 means someone else changed it) and removal is conditional on the Lease's uid, which is the lock's token.
 */
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { KUBERNETES_LABELS } from '../target';
import { CreateOutcome, LockLostError, LockRecord, LockStore, StoredLock } from '../lock';
import { KubernetesConnection, apiFailureOf, isNotFound } from './connection';

const OPERATION_ANNOTATION = 'windflow.io/operation';
const DEPLOYMENT_ANNOTATION = 'windflow.io/deployment';

export function leaseName(deploymentName: string): string {
  return `windflow-lock-${deploymentName.toLowerCase().replace(/[^a-z0-9.-]/g, '-')}`.slice(0, 253);
}

/** Turns the Lease into the lock it stands for; its uid is the token. */
function storedLock(lease: V1Lease, deploymentName: string): StoredLock {
  const spec = lease.spec ?? {};
  const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
  const started = spec.acquireTime ? new Date(spec.acquireTime) : new Date(renewed);
  return {
    token: lease.metadata?.uid ?? '',
    deploymentName: lease.metadata?.annotations?.[DEPLOYMENT_ANNOTATION] ?? deploymentName,
    operation: lease.metadata?.annotations?.[OPERATION_ANNOTATION] ?? 'deploy',
    holder: spec.holderIdentity ?? 'unknown',
    startedAt: started,
    expiresAt: new Date(renewed + (spec.leaseDurationSeconds ?? 0) * 1000),
  };
}

export class LeaseLockStore implements LockStore {
  private readonly leases: CoordinationV1Api;
  private readonly name: string;

  constructor(
    private readonly connection: KubernetesConnection,
    private readonly deploymentName: string,
  ) {
    this.leases = connection.kubeConfig.makeApiClient(connection.k8s.CoordinationV1Api);
    this.name = leaseName(deploymentName);
  }

  private get namespace(): string {
    return this.connection.namespace;
  }

  private microTime(date: Date): Date {
    return new this.connection.k8s.V1MicroTime(date.getTime());
  }

  private leaseSeconds(expiresAt: Date): number {
    return Math.max(1, Math.ceil((expiresAt.getTime() - Date.now()) / 1000));
  }

  async create(record: LockRecord): Promise<CreateOutcome> {
    const body: V1Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { [KUBERNETES_LABELS.managedBy]: 'windflow' },
        annotations: { [OPERATION_ANNOTATION]: record.operation, [DEPLOYMENT_ANNOTATION]: record.deploymentName },
      },
      spec: {
        holderIdentity: record.holder,
        acquireTime: this.microTime(record.startedAt),
        renewTime: this.microTime(new Date()),
        leaseDurationSeconds: this.leaseSeconds(record.expiresAt),
      },
    };
    try {
      const created = await this.leases.createNamespacedLease({ namespace: this.namespace, body });
      return { created: true, token: created.metadata?.uid ?? '' };
    } catch (error) {
      if (apiFailureOf(error)?.code !== 409) throw error;
    }
    try {
      const current = await this.leases.readNamespacedLease({ name: this.name, namespace: this.namespace });
      return { created: false, current: storedLock(current, this.deploymentName) };
    } catch (error) {
      // Released between our create and our read: try once more.
      if (isNotFound(error)) return this.create(record);
      throw error;
    }
  }

  async renew(token: string, expiresAt: Date): Promise<void> {
    const current = await this.read(token);
    if (!current) throw new LockLostError(this.deploymentName, `Lease ${this.namespace}/${this.name} is gone`);
    const body: V1Lease = {
      ...current,
      spec: {
        ...current.spec,
        renewTime: this.microTime(new Date()),
        leaseDurationSeconds: this.leaseSeconds(expiresAt),
      },
    };
    try {
      await this.leases.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body });
    } catch (error) {
      const code = apiFailureOf(error)?.code;
      if (code === 404 || code === 409) {
        throw new LockLostError(this.deploymentName, `Lease ${this.namespace}/${this.name} changed under us`);
      }
      throw error;
    }
  }

  async remove(token: string): Promise<void> {
    try {
      await this.leases.deleteNamespacedLease({
        name: this.name,
        namespace: this.namespace,
        body: { preconditions: { uid: token } },
      });
    } catch (error) {
      // Gone already, or a newer lock under the same name (the uid precondition failed, 409): not ours to remove.
      const code = apiFailureOf(error)?.code;
      if (code !== 404 && code !== 409) throw error;
    }
  }

  /** The Lease if it is still the lock named by `token`. */
  private async read(token: string): Promise<V1Lease | undefined> {
    try {
      const lease = await this.leases.readNamespacedLease({ name: this.name, namespace: this.namespace });
      return lease.metadata?.uid === token ? lease : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
