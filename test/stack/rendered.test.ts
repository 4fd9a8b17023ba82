import assert from 'node:assert/strict';
import { StackDiagnostic } from '../../server/src/stack';
import { diagnose, readSample, spanOf, stack } from './util';

function found(text: string, codes = ['WF060', 'WF061', 'WF062']): StackDiagnostic[] {
  return diagnose(text).filter((d) => codes.includes(d.code));
}

const compose = (template: string, variables: string, extraMetadata?: string) =>
  stack({ targetType: 'docker_compose', template: `  version: "3"\n${template}`, variables, extraMetadata });

describe('checks on rendered values', () => {
  it('WF060: the Baserow from_email default renders upstream as noreply@ and fails its own pattern', () => {
    const text = readSample('upstream-baserow.yaml');
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.span]),
      [['WF060', 'warning', spanOf(text, '{{ domain }}', { after: 'default: "noreply@' })]],
    );
    assert.match(diagnostics[0].message, /'from_email' starts as 'noreply@', which fails its own pattern/);
    assert.equal(diagnostics[0].data?.upstreamValue, 'noreply@');
  });

  it('WF060: a required default that upstream renders empty', () => {
    const text = stack({
      template: '  image: "busybox:{{ tag }}"\n  labels:\n    owner: "{{ owner }}"',
      variables:
        '  tag:\n    type: string\n    label: Tag\n    default: "1"\n  owner:\n    type: string\n    label: Owner\n    required: true\n    default: "{{ tag }}"',
    });
    const [d] = found(text);
    assert.deepEqual([d.code, d.severity, d.span], ['WF060', 'warning', spanOf(text, '{{ tag }}', { after: 'Owner' })]);
    assert.match(d.message, /'owner' starts empty although it is required/);
  });

  it('WF061: a port variable whose default is not a number, on the {{ … }} that produced it', () => {
    const text = stack({
      template: '  image: busybox\n  ports:\n    - "{{ host_port }}:5432"',
      variables: '  host_port:\n    type: string\n    label: Port\n    default: "five"',
    });
    const [d] = found(text);
    assert.deepEqual([d.code, d.severity, d.span], ['WF061', 'error', spanOf(text, '{{ host_port }}')]);
    assert.equal(
      d.message,
      "with the default values this renders as 'five:5432': host port 'five' is not a number in 'five:5432'",
    );
  });

  it('WF061: several expressions in one value are covered together; durations and images are checked', () => {
    const text = stack({
      template:
        '  image: "{{ registry }}{{ tag }}"\n  ports:\n    - "{{ ip }}:{{ tag }}"\n  healthcheck:\n    test: "true"\n    interval: "{{ tag }}"',
      variables:
        '  registry:\n    type: string\n    label: R\n    default: ""\n  tag:\n    type: string\n    label: T\n    default: ""\n  ip:\n    type: string\n    label: I\n    default: "8080"',
    });
    assert.deepEqual(
      found(text).map((d) => [d.code, d.span, d.message]),
      [
        [
          'WF061',
          spanOf(text, '{{ registry }}{{ tag }}'),
          "with the default values this renders as '': an empty image name, so the deployment fails",
        ],
        [
          'WF061',
          spanOf(text, '{{ ip }}:{{ tag }}'),
          "with the default values this renders as '8080:': container port '' is not a number in '8080:'",
        ],
        [
          'WF061',
          spanOf(text, '{{ tag }}', { after: 'interval: "' }),
          "with the default values this renders as '': empty duration",
        ],
      ],
    );
  });

  it('WF061: Compose volumes, deployment names and container names after rendering; secrets are masked', () => {
    const text = compose(
      '  services:\n    web:\n      image: web\n      container_name: "{{ secret }}"\n      volumes:\n        - "{{ vol }}:/data"\n  volumes:\n    data: {}',
      '  vol:\n    type: string\n    label: V\n    default: other\n  secret:\n    type: password\n    label: S\n    default: "not valid!"\n  project:\n    type: string\n    label: P\n    default: "My Project"',
      '  deployment_name: "{{ project }}"',
    );
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.span]),
      [
        ['WF061', 'error', spanOf(text, '{{ project }}')],
        ['WF061', 'error', spanOf(text, '{{ secret }}')],
        ['WF061', 'error', spanOf(text, '{{ vol }}')],
      ],
    );
    assert.match(diagnostics[0].message, /renders as 'My Project': not a valid Compose project name/);
    assert.match(diagnostics[1].message, /renders as '••••••': not a valid Docker container name/);
    assert.ok(!diagnostics[1].message.includes('not valid!'));
    assert.match(diagnostics[2].message, /volume 'other' is not declared under the top-level `volumes`/);
  });

  it('WF061 stays silent where an undefined name is the cause (WF020 reports it there)', () => {
    const text = stack({
      template: '  image: "{{ imaeg }}"',
      variables: '  image:\n    type: string\n    label: I\n    default: busybox',
    });
    assert.deepEqual(found(text), []);
    assert.deepEqual(
      diagnose(text)
        .filter((d) => d.code === 'WF020')
        .map((d) => d.span),
      [spanOf(text, 'imaeg')],
    );
  });

  it('WF061: Kubernetes names after rendering; env() is never evaluated', () => {
    process.env.WINDFLOW_RENDERED_TEST = 'Leaked_Value';
    try {
      const text = stack({
        targetType: 'kubernetes',
        template:
          '  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: "{{ app }}"\n    namespace: "{{ env(\'WINDFLOW_RENDERED_TEST\') }}"',
        variables: '  app:\n    type: string\n    label: A\n    default: My_App',
      });
      const diagnostics = found(text);
      assert.deepEqual(
        diagnostics.map((d) => [d.code, d.span]),
        [['WF061', spanOf(text, '{{ app }}')]],
      );
      assert.match(diagnostics[0].message, /renders as 'My_App': not a valid DNS-1123 subdomain/);
      assert.ok(diagnose(text).every((d) => !d.message.includes('Leaked_Value')));
    } finally {
      delete process.env.WINDFLOW_RENDERED_TEST;
    }
  });

  it('WF062: codenames that some draws make invalid, through variable defaults and deployment_name', () => {
    const text = stack({
      targetType: 'kubernetes',
      extraMetadata: '  deployment_name: "{{ app }}"',
      template:
        '  apiVersion: v1\n  kind: Service\n  metadata:\n    name: "{{ deployment_name }}"\n    namespace: "{{ generate_mythologyname(\'team\') }}"',
      variables: '  app:\n    type: string\n    label: A\n    default: "{{ generate_cosmicname(\'web\') }}"',
    });
    const diagnostics = found(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.span]),
      [
        ['WF062', 'warning', spanOf(text, '{{ deployment_name }}')],
        ['WF061', 'error', spanOf(text, "{{ generate_mythologyname('team') }}")],
      ],
    );
    assert.match(
      diagnostics[0].message,
      /comes from generate_cosmicname\(\), which can produce 'web-[a-z]+-[a-z]+_[a-z]+', not a valid DNS-1035 label/,
    );
  });

  it("WF062: a codename without a prefix starts with '-' and fails the variable's own pattern", () => {
    const text = stack({
      template: '  image: "busybox"\n  labels:\n    name: "{{ nick }}"',
      variables:
        '  nick:\n    type: string\n    label: N\n    pattern: "^[a-z][a-z-]*$"\n    default: "{{ generate_animalname() }}"',
    });
    const [d] = found(text);
    assert.deepEqual([d.code, d.span], ['WF062', spanOf(text, '{{ generate_animalname() }}')]);
    assert.match(
      d.message,
      /can produce '-[a-z]+-[a-z]+', not a valid value for its own pattern \^\[a-z\]\[a-z-\]\*\$: give it a name prefix/,
    );
  });

  it('WF044: vm and physical stacks are not deployable here (information on target_type)', () => {
    for (const targetType of ['vm', 'physical']) {
      const text = stack({ targetType, template: '  script: "echo {{ tag }}"' });
      const diagnostics = diagnose(text).filter((d) => d.code === 'WF044');
      assert.deepEqual(
        diagnostics.map((d) => [d.severity, d.span]),
        [['information', spanOf(text, targetType, { after: 'target_type' })]],
      );
      assert.match(diagnostics[0].message, /not deployable by this extension; validation and rendering still work/);
    }
  });

  it('is deterministic: the same file gives the same diagnostics every time', () => {
    const text = readSample('upstream-postgresql.yaml');
    assert.deepEqual(diagnose(text), diagnose(text));
    assert.deepEqual(found(text), []);
  });
});
