import assert from 'node:assert/strict';
import { APPLIED_SERVICE_KEYS } from '../../server/src/stack/composeDeploy';
import { buildContainerSpec, SpecContext } from '../../client/src/targets/docker/containerSpec';
import { diagnose, spanOf, stack, withCode } from './util';

function compose(template: string): string {
  return stack({ targetType: 'docker_compose', template, variables: '  {}' });
}

describe('Compose keys the extension deploy does not apply', () => {
  it('WF048: information on each such key of a docker_compose service, none for applied or x- keys', () => {
    const text = compose(
      [
        '  version: "3.9"',
        '  x-common: &common',
        '    labels: {team: web}',
        '  services:',
        '    web:',
        '      <<: *common',
        '      image: local/web:1',
        '      mem_limit: 256m',
        '      x-note: kept for tools',
        '      secrets: [token]',
        '      restart: unless-stopped',
        '  secrets:',
        '    token: {file: ./token.txt}',
      ].join('\n'),
    );
    const found = withCode(diagnose(text), 'WF048');
    assert.deepEqual(
      found.map((d) => [d.severity, d.span]),
      [
        ['information', spanOf(text, 'mem_limit')],
        ['information', spanOf(text, 'secrets')],
      ],
    );
    assert.equal(
      found[0].message,
      "this extension's Compose deploy does not apply `mem_limit` of service 'web' (docker compose and upstream WindFlow do)",
    );
  });

  it('is not reported for docker_swarm stacks, which have their own list (WF160)', () => {
    const text = stack({
      targetType: 'docker_swarm',
      template: ['  version: "3.9"', '  services:', '    web:', '      image: local/web:1', '      mem_limit: 1g'].join(
        '\n',
      ),
      variables: '  {}',
    });
    assert.deepEqual(withCode(diagnose(text), 'WF048'), []);
  });

  it('names the keys the deploy itself reports as not applied', () => {
    const context: SpecContext = {
      where: "service 'web'",
      volumeName: (source) => source,
      networkName: (key) => key,
      workingDir: '/srv/app',
      restartKey: 'restart',
      defaultRestart: 'no',
    };
    const spec = buildContainerSpec(
      { image: 'local/web:1', restart: 'always', mem_limit: '1g', sysctls: { 'net.core.somaxconn': '1024' } },
      context,
      { containerName: 'shop-web-1', labels: {} },
    );
    assert.deepEqual(spec.ignoredKeys.sort(), ['mem_limit', 'sysctls']);
    assert.ok(APPLIED_SERVICE_KEYS.has('restart') && !APPLIED_SERVICE_KEYS.has('sysctls'));
  });
});
