/** WF151: a secret (or anything computed from one) where anyone who can read the engine sees it. */
import assert from 'node:assert/strict';
import { diagnose, spanOf, stack, withCode } from './util';

const PASSWORD = '  pw:\n    type: password\n    label: Password\n    default: "s3cret-Value"';

describe('WF151 secret exposure', () => {
  it('warns on a label, the container name and the command line of a docker stack, on the {{ }}', () => {
    const text = stack({
      template: [
        '  image: local/busybox:1',
        '  container_name: "app-{{ pw[:3] }}"',
        '  command: ["sh", "-c", "serve --token={{ pw | upper }}"]',
        '  environment:',
        '    TOKEN: "{{ pw }}"',
        '  labels:',
        "    token: \"{{ pw | replace('s', 'z') }}\"",
        '    plain: "{{ name }}"',
      ].join('\n'),
      variables: `${PASSWORD}\n  name:\n    type: string\n    label: Name\n    default: "web"`,
    });
    const found = withCode(diagnose(text), 'WF151');
    assert.deepEqual(
      found.map((d) => [d.span, d.severity]),
      [
        [spanOf(text, '{{ pw[:3] }}'), 'warning'],
        [spanOf(text, '{{ pw | upper }}'), 'warning'],
        [spanOf(text, "{{ pw | replace('s', 'z') }}"), 'warning'],
      ],
    );
    assert.match(
      found[0].message,
      /^a secret flows into the container name, which anyone with read access to the engine/,
    );
    assert.match(found[1].message, /the command line/);
    assert.match(found[2].message, /a label/);
  });

  it("follows a secret through another variable's default and a generated secret", () => {
    const text = stack({
      template: '  image: local/busybox:1\n  labels:\n    dsn: "{{ dsn }}"\n    key: "{{ generate_secret(16) }}"',
      variables: `${PASSWORD}\n  dsn:\n    type: string\n    label: DSN\n    default: "mysql://root:{{ pw }}@db"`,
    });
    assert.deepEqual(
      withCode(diagnose(text), 'WF151').map((d) => d.span),
      [spanOf(text, '{{ dsn }}'), spanOf(text, '{{ generate_secret(16) }}')],
    );
  });

  it('warns on Compose service labels and commands, not on their environment', () => {
    const text = stack({
      targetType: 'docker_compose',
      template: [
        '  services:',
        '    db:',
        '      image: local/busybox:1',
        '      command: ["serve", "--password", "{{ pw }}"]',
        '      environment:',
        '        PASSWORD: "{{ pw }}"',
        '      deploy:',
        '        labels:',
        '          hash: "{{ pw | lower }}"',
      ].join('\n'),
      variables: PASSWORD,
    });
    const spans = withCode(diagnose(text), 'WF151').map((d) => d.span);
    assert.deepEqual(spans, [spanOf(text, '{{ pw }}'), spanOf(text, '{{ pw | lower }}')]);
  });

  it('warns on Kubernetes annotations and args, and on deployment notes', () => {
    const text = stack({
      targetType: 'kubernetes',
      template: [
        '  apiVersion: v1',
        '  kind: Pod',
        '  metadata:',
        '    name: app',
        '    annotations:',
        '      token: "{{ pw }}"',
        '  spec:',
        '    containers:',
        '      - name: app',
        '        image: local/busybox:1',
        '        args: ["--token", "{{ pw | lower }}"]',
      ].join('\n'),
      variables: PASSWORD,
      notes: '  Log in with {{ pw }}.',
    });
    const found = withCode(diagnose(text), 'WF151');
    assert.deepEqual(
      found.map((d) => d.span),
      [spanOf(text, '{{ pw }}'), spanOf(text, '{{ pw | lower }}'), spanOf(text, '{{ pw }}', { nth: 1 })],
    );
    assert.match(found[0].message, /an annotation, which anyone with read access to the cluster/);
    assert.match(found[2].message, /^the deployment notes show a value computed from a secret/);
  });

  it('stays quiet for stacks without secrets, and for places nobody else reads', () => {
    const quiet = stack({ template: '  image: local/busybox:1\n  labels:\n    tag: "{{ tag }}"' });
    assert.deepEqual(withCode(diagnose(quiet), 'WF151'), []);
    const environmentOnly = stack({
      template: '  image: local/busybox:1\n  environment:\n    PW: "{{ pw | upper }}"',
      variables: PASSWORD,
    });
    assert.deepEqual(withCode(diagnose(environmentOnly), 'WF151'), []);
  });
});
