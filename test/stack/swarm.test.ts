import assert from 'node:assert/strict';
import { diagnose, spanOf, stack, withCode } from './util';

function swarm(template: string): string {
  return stack({ targetType: 'docker_swarm', template, variables: '  {}' });
}

describe('swarm template checks', () => {
  it('WF160: keys a Swarm stack skips, as information on the key, with the reason', () => {
    const text = swarm(
      [
        '  version: "3.9"',
        '  services:',
        '    web:',
        '      image: local/web:1',
        '      container_name: web',
        '      depends_on: [db]',
        '      privileged: true',
        '    db:',
        '      image: local/db:1',
        '      build: ./db',
      ].join('\n'),
    );
    const found = withCode(diagnose(text), 'WF160');
    assert.deepEqual(
      found.map((d) => [d.severity, d.span, d.tags]),
      [
        ['information', spanOf(text, 'container_name'), ['unnecessary']],
        ['information', spanOf(text, 'depends_on'), ['unnecessary']],
        ['information', spanOf(text, 'privileged'), ['unnecessary']],
        ['information', spanOf(text, 'build'), ['unnecessary']],
      ],
    );
    assert.equal(
      found[1].message,
      "a Swarm stack skips `depends_on` of service 'web': Swarm starts all services together; use healthchecks and retries instead of start order",
    );
  });

  it('WF161: restart next to deploy.restart_policy, on the restart key', () => {
    const text = swarm(
      [
        '  version: "3.9"',
        '  services:',
        '    web:',
        '      image: local/web:1',
        '      restart: always',
        '      deploy:',
        '        restart_policy: {condition: on-failure}',
        '    api:',
        '      image: local/api:1',
        '      restart: always',
      ].join('\n'),
    );
    assert.deepEqual(
      withCode(diagnose(text), 'WF161').map((d) => [d.severity, d.span]),
      [['information', spanOf(text, 'restart')]],
    );
  });

  it('says nothing for docker_compose stacks, which use these keys', () => {
    const text = stack({
      targetType: 'docker_compose',
      template:
        '  version: "3.9"\n  services:\n    web:\n      image: local/web:1\n      depends_on: [db]\n    db:\n      image: local/db:1',
      variables: '  {}',
    });
    assert.deepEqual(withCode(diagnose(text), 'WF160'), []);
  });
});
