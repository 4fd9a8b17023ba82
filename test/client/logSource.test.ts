import assert from 'node:assert/strict';
import { logSourceLabel, logSourcesShown, logSourceStyle } from '../../client/src/logSource';

describe('log sources (shared by windflow-stack logs and the logs panel)', () => {
  it('names a Kubernetes line pod/container, so two replicas of one container can be told apart', () => {
    const style = logSourceStyle('kubernetes', []);
    assert.equal(style, 'pod');
    assert.equal(logSourceLabel(style, 'web-7d4b9-abcde', 'nginx'), 'web-7d4b9-abcde/nginx');
    assert.equal(logSourceLabel(style, 'web-7d4b9-fghij', 'nginx'), 'web-7d4b9-fghij/nginx');
    assert.equal(logSourceLabel(style, 'web-7d4b9-abcde'), 'web-7d4b9-abcde');
    // Even one pod is labelled: the replicas that come later speak under the same container name.
    assert.equal(logSourcesShown(style, 1, true), true);
  });

  it('keeps the task name of a Swarm line, not its service', () => {
    const style = logSourceStyle('docker', [{ kind: 'task' }, { kind: 'task' }]);
    assert.equal(style, 'task');
    assert.equal(logSourceLabel(style, 'app_web.2', 'web'), 'app_web.2');
    assert.equal(logSourcesShown(style, 1, true), true);
  });

  it('names a Docker container by its service, and shows it only when several units speak', () => {
    const style = logSourceStyle('docker', [{ kind: 'container' }, { kind: 'container' }]);
    assert.equal(style, 'service');
    assert.equal(logSourceLabel(style, 'app-web-1', 'web'), 'web');
    assert.equal(logSourceLabel(style, 'pg-1'), 'pg-1');
    assert.equal(logSourcesShown(style, 2, false), true);
    assert.equal(logSourcesShown(style, 2, true), false);
    assert.equal(logSourcesShown(style, 1, false), false);
  });
});
