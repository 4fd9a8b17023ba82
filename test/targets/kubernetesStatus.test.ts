import * as assert from 'node:assert/strict';
import { PodView, overallState, podUnit, summariseWorkload } from '../../client/src/targets/kubernetes/status';

type ContainerStatuses = NonNullable<NonNullable<PodView['status']>['containerStatuses']>;

const pod = (phase: string, containerStatuses: ContainerStatuses = []): PodView => ({
  metadata: {
    name: 'p',
    uid: 'u1',
    namespace: 'ns',
    labels: { app: 'api' },
    creationTimestamp: '2026-01-02T03:04:05Z',
  },
  spec: { containers: [{ name: 'c', image: 'img:1', ports: [{ containerPort: 53, protocol: 'UDP' }] }] },
  status: { phase, containerStatuses },
});

describe('Kubernetes status mapping', () => {
  it('maps pod phases and container states to unit states and reasons', () => {
    const cases: [PodView, string, string | undefined][] = [
      [pod('Pending'), 'pending', undefined],
      [
        pod('Pending', [{ name: 'c', state: { waiting: { reason: 'ContainerCreating' } } }]),
        'starting',
        'ContainerCreating',
      ],
      [pod('Pending', [{ name: 'c', state: { waiting: { reason: 'ErrImagePull' } } }]), 'failed', 'ErrImagePull'],
      [pod('Running', [{ name: 'c', ready: true, restartCount: 0 }]), 'running', undefined],
      [pod('Running', [{ name: 'c', ready: false, state: { running: {} } }]), 'starting', undefined],
      [
        pod('Running', [{ name: 'c', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }]),
        'failed',
        'CrashLoopBackOff',
      ],
      [
        pod('Succeeded', [{ name: 'c', state: { terminated: { reason: 'Completed', exitCode: 0 } } }]),
        'exited',
        'Completed',
      ],
      [
        pod('Failed', [{ name: 'c', state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }]),
        'failed',
        'OOMKilled',
      ],
      [pod('Unknown'), 'unknown', undefined],
    ];
    for (const [view, state, reason] of cases) {
      const unit = podUnit(view, []);
      assert.deepEqual([unit.state, unit.reason], [state, reason], JSON.stringify(view.status));
    }
  });

  it('fills restarts, ports, age and the owning workload', () => {
    const unit = podUnit(pod('Running', [{ name: 'c', ready: true, restartCount: 3 }]), [
      {
        kind: 'Deployment',
        metadata: { name: 'other', namespace: 'ns' },
        spec: { selector: { matchLabels: { app: 'x' } } },
      },
      {
        kind: 'Deployment',
        metadata: { name: 'api', namespace: 'ns' },
        spec: { selector: { matchLabels: { app: 'api' } } },
      },
    ]);
    assert.deepEqual(unit, {
      id: 'u1',
      name: 'p',
      service: 'api',
      kind: 'pod',
      state: 'running',
      restarts: 3,
      ports: ['53/UDP'],
      createdAt: new Date('2026-01-02T03:04:05Z'),
      reason: undefined,
      image: 'img:1',
    });
  });

  it('summarises workloads and the overall state', () => {
    assert.deepEqual(summariseWorkload({ kind: 'Deployment', metadata: { name: 'd' }, spec: {}, status: {} }), {
      kind: 'Deployment',
      name: 'd',
      desired: 1,
      ready: 0,
    });
    assert.deepEqual(
      summariseWorkload({
        kind: 'DaemonSet',
        metadata: { name: 'ds' },
        status: { desiredNumberScheduled: 3, numberReady: 2 },
      }),
      { kind: 'DaemonSet', name: 'ds', desired: 3, ready: 2 },
    );
    assert.deepEqual(
      summariseWorkload({ kind: 'Job', metadata: { name: 'j' }, spec: { completions: 2 }, status: { succeeded: 1 } }),
      {
        kind: 'Job',
        name: 'j',
        desired: 2,
        ready: 1,
      },
    );
    const ready = { kind: 'Deployment', name: 'a', desired: 2, ready: 2 };
    const notReady = { kind: 'Deployment', name: 'b', desired: 1, ready: 0 };
    const failing = podUnit(pod('Pending', [{ name: 'c', state: { waiting: { reason: 'ImagePullBackOff' } } }]), []);
    const starting = podUnit(pod('Pending'), []);
    assert.equal(overallState([], []), 'running');
    assert.equal(overallState([ready], []), 'running');
    assert.equal(overallState([ready, notReady], [failing]), 'partial');
    assert.equal(overallState([notReady], [failing]), 'failed');
    assert.equal(overallState([notReady], [starting]), 'deploying');
  });
});
