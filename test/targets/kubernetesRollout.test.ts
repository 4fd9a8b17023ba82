/**
 * The rollout verdicts, pod problems and the applied record as pure functions, on objects shaped like the API's.
 */
import * as assert from 'node:assert/strict';
import { isRecord, recordManifest, recordedManifests } from '../../client/src/targets/kubernetes/appliedRecord';
import {
  RolloutObject,
  RolloutPod,
  crashedContainer,
  currentPods,
  hopelessContainer,
  podProblem,
  warningsAbout,
  workloadVerdict,
} from '../../client/src/targets/kubernetes/rollout';
import { parseServerVersion } from '../../client/src/targets/kubernetes/version';

function deployment(status: RolloutObject['status'], generation = 2, replicas = 2): RolloutObject {
  return {
    kind: 'Deployment',
    metadata: { name: 'web', uid: 'd1', generation, annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: { replicas },
    status,
  };
}

function pod(name: string, owner: string, status: RolloutPod['status'], extra: Partial<RolloutPod['metadata']> = {}) {
  return { metadata: { name, uid: `${name}-uid`, ownerReferences: [{ uid: owner }], ...extra }, status } as RolloutPod;
}

describe('Kubernetes rollout verdicts', () => {
  it('judges a Deployment like kubectl rollout status', () => {
    assert.deepEqual(workloadVerdict(deployment({ observedGeneration: 1 }), [], false), {
      state: 'waiting',
      message: 'waiting for the controller to see the new spec',
    });
    assert.equal(
      workloadVerdict(deployment({ observedGeneration: 2, updatedReplicas: 1, replicas: 2 }), [], false).message,
      '1 of 2 replicas updated',
    );
    assert.equal(
      workloadVerdict(deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 3 }), [], false).message,
      '1 old replicas still terminating',
    );
    assert.equal(
      workloadVerdict(
        deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }),
        [],
        false,
      ).message,
      '1 of 2 replicas available',
    );
    assert.deepEqual(
      workloadVerdict(
        deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }),
        [],
        false,
      ),
      { state: 'done', message: '2 of 2 replicas available' },
    );
    const stuck = deployment({
      observedGeneration: 2,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "web-1" has timed out progressing.',
        },
      ],
    });
    assert.deepEqual(workloadVerdict(stuck, [], false), {
      state: 'failed',
      message: 'ReplicaSet "web-1" has timed out progressing.',
    });
  });

  it('judges StatefulSets, DaemonSets and Jobs', () => {
    const statefulSet = (status: RolloutObject['status']): RolloutObject => ({
      kind: 'StatefulSet',
      metadata: { name: 'db', generation: 1 },
      spec: { replicas: 2 },
      status: { observedGeneration: 1, ...status },
    });
    assert.equal(workloadVerdict(statefulSet({ readyReplicas: 1 }), [], false).state, 'waiting');
    assert.equal(
      workloadVerdict(
        statefulSet({ readyReplicas: 2, currentRevision: 'a', updateRevision: 'b', updatedReplicas: 1 }),
        [],
        false,
      ).message,
      '1 of 2 replicas updated',
    );
    assert.equal(
      workloadVerdict(statefulSet({ readyReplicas: 2, currentRevision: 'b', updateRevision: 'b' }), [], false).state,
      'done',
    );
    const daemonSet: RolloutObject = {
      kind: 'DaemonSet',
      metadata: { name: 'agent', generation: 1 },
      status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 0 },
    };
    assert.equal(workloadVerdict(daemonSet, [], false).message, '0 of 1 pods available');
    const job = (status: RolloutObject['status']): RolloutObject => ({
      kind: 'Job',
      metadata: { name: 'migrate', uid: 'j1' },
      status,
    });
    const running = pod('migrate-x', 'j1', { phase: 'Running' });
    assert.deepEqual(workloadVerdict(job({ active: 1 }), [running], false), { state: 'done', message: 'started' });
    assert.deepEqual(workloadVerdict(job({ active: 1 }), [running], true), {
      state: 'waiting',
      message: '0 completed, 1 running',
    });
    assert.equal(workloadVerdict(job({ conditions: [{ type: 'Complete', status: 'True' }] }), [], true).state, 'done');
    assert.deepEqual(
      workloadVerdict(
        job({
          conditions: [
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
            },
          ],
        }),
        [],
        true,
      ),
      { state: 'failed', message: 'failed (BackoffLimitExceeded): Job has reached the specified backoff limit' },
    );
  });

  it('takes the pods of the newest ReplicaSet only, never terminating ones', () => {
    const replicaSets: RolloutObject[] = [
      {
        kind: 'ReplicaSet',
        metadata: {
          name: 'web-old',
          uid: 'rs1',
          annotations: { 'deployment.kubernetes.io/revision': '1' },
          ownerReferences: [{ uid: 'd1' }],
        },
      },
      {
        kind: 'ReplicaSet',
        metadata: {
          name: 'web-new',
          uid: 'rs2',
          annotations: { 'deployment.kubernetes.io/revision': '2' },
          ownerReferences: [{ uid: 'd1' }],
        },
      },
    ];
    const pods = [
      pod('web-old-a', 'rs1', { phase: 'Running' }),
      pod('web-new-a', 'rs2', { phase: 'Pending' }),
      pod('web-new-b', 'rs2', { phase: 'Running' }, { deletionTimestamp: '2026-12-02T07:00:00Z' }),
    ];
    assert.deepEqual(
      currentPods(deployment({}), replicaSets, pods).map((found) => found.metadata.name),
      ['web-new-a'],
    );
  });

  it('says what keeps a pod from running, and which problems do not get better by waiting', () => {
    const pullFailure = pod('web-a', 'rs2', {
      phase: 'Pending',
      containerStatuses: [
        { name: 'app', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x:1"' } } },
      ],
    });
    assert.equal(podProblem(pullFailure), 'pod web-a container app: ImagePullBackOff: Back-off pulling image "x:1"');
    assert.deepEqual(hopelessContainer(pullFailure), { container: 'app', reason: 'ImagePullBackOff' });
    const crash = (restarts: number) =>
      pod('web-b', 'rs2', {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            restartCount: restarts,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 3, reason: 'Error' } },
          },
        ],
      });
    assert.equal(hopelessContainer(crash(1)), undefined, 'a first crash may be a slow dependency');
    assert.deepEqual(hopelessContainer(crash(3)), { container: 'app', reason: 'CrashLoopBackOff' });
    assert.equal(
      podProblem(crash(1)),
      'pod web-b container app: CrashLoopBackOff, last exit code 3 (Error), 1 restarts',
    );
    assert.deepEqual(crashedContainer(crash(1)), { container: 'app', previous: true });
    const exited = pod('web-c', 'rs2', {
      phase: 'Running',
      containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 2, reason: 'Error' } } }],
    });
    assert.deepEqual(crashedContainer(exited), { container: 'app', previous: false });
    const unschedulable = pod('web-d', 'rs2', {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: "0/1 nodes are available: 1 node(s) didn't match node selector.",
        },
      ],
    });
    assert.equal(
      podProblem(unschedulable),
      "pod web-d cannot be scheduled (Unschedulable): 0/1 nodes are available: 1 node(s) didn't match node selector.",
    );
    const notReady = pod('web-e', 'rs2', {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'app', ready: false, state: { running: {} } }],
    });
    assert.equal(podProblem(notReady), 'pod web-e is running but not ready (container app)');
    assert.equal(
      podProblem(
        pod('web-f', 'rs2', {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }],
        }),
      ),
      undefined,
    );
  });

  it('keeps the Warning events of the given objects, oldest first, each once', () => {
    const events = [
      {
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Readiness probe failed: no',
        involvedObject: { uid: 'p1', kind: 'Pod', name: 'web-a' },
        lastTimestamp: '2026-12-02T07:00:02Z',
      },
      {
        type: 'Normal',
        reason: 'Pulled',
        message: 'ok',
        involvedObject: { uid: 'p1', kind: 'Pod', name: 'web-a' },
        lastTimestamp: '2026-12-02T07:00:01Z',
      },
      {
        type: 'Warning',
        reason: 'FailedCreate',
        message: 'exceeded quota: tiny\nmore',
        involvedObject: { uid: 'rs', kind: 'ReplicaSet', name: 'web-1' },
        lastTimestamp: '2026-12-02T07:00:00Z',
      },
      {
        type: 'Warning',
        reason: 'Other',
        message: 'not ours',
        involvedObject: { uid: 'x', kind: 'Pod', name: 'other' },
      },
      {
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Readiness probe failed: no',
        involvedObject: { uid: 'p1', kind: 'Pod', name: 'web-a' },
        lastTimestamp: '2026-12-02T07:00:03Z',
      },
    ];
    assert.deepEqual(warningsAbout(events, new Set(['p1', 'rs'])), [
      'ReplicaSet web-1: FailedCreate: exceeded quota: tiny',
      'Pod web-a: Unhealthy: Readiness probe failed: no',
    ]);
  });
});

describe('Kubernetes applied record and server version', () => {
  it('keeps the applied manifests in a labelled Secret and reads them back', () => {
    const labels = { 'app.kubernetes.io/managed-by': 'windflow', 'windflow.io/deployment': 'Web_1' };
    const applied = [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'pw' } }];
    const secret = recordManifest(labels, 'shop', applied);
    assert.equal(secret.metadata.name, 'windflow-applied-web-1');
    assert.equal(secret.metadata.namespace, 'shop');
    assert.ok(isRecord(secret as { kind: string; metadata: { labels?: Record<string, string> } }));
    assert.deepEqual(recordedManifests(secret as { data?: Record<string, string> }), applied);
    assert.equal(recordedManifests({ data: { 'applied.json.gz': 'not gzip' } }), undefined);
    assert.equal(recordedManifests({}), undefined);
  });

  it('parses the versions providers report', () => {
    assert.deepEqual(parseServerVersion({ major: '1', minor: '20', gitVersion: 'v1.20.2' }), {
      major: 1,
      minor: 20,
      version: '1.20',
      gitVersion: 'v1.20.2',
    });
    assert.equal(parseServerVersion({ major: '1', minor: '27+', gitVersion: 'v1.27.3-eks-a5565ad' }).version, '1.27');
    assert.equal(parseServerVersion({ major: '', minor: '', gitVersion: 'v1.29.1+k3s1' }).version, '1.29');
    assert.throws(() => parseServerVersion({}), /no usable version/);
  });
});
