import assert from 'node:assert/strict';
import { editorKubernetesVersion } from '../../client/src/editorKubernetesVersion';

describe('editorKubernetesVersion (the version the editor checks apiVersions against)', () => {
  const cluster = { kind: 'kubernetes' as const, version: '1.20' };

  it("uses the selected cluster's version when the user set none", () => {
    assert.equal(editorKubernetesVersion({}, cluster), '1.20');
    assert.equal(editorKubernetesVersion(undefined, cluster), '1.20');
  });

  it('leaves a version the user wrote at any level in force', () => {
    for (const level of [
      'globalValue',
      'workspaceValue',
      'workspaceFolderValue',
      'globalLanguageValue',
      'workspaceLanguageValue',
      'workspaceFolderLanguageValue',
    ]) {
      assert.equal(editorKubernetesVersion({ [level]: '1.30' }, cluster), undefined, level);
    }
  });

  it('leaves the setting or its default for a Docker target, an unreachable cluster, or no target', () => {
    assert.equal(editorKubernetesVersion({}, { kind: 'docker' }), undefined);
    assert.equal(editorKubernetesVersion({}, { kind: 'kubernetes' }), undefined);
    assert.equal(editorKubernetesVersion({}, undefined), undefined);
  });
});
