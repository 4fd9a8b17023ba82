import assert from 'node:assert/strict';
import { describeTargetKinds, targetKindsFor, targetTypeInText } from '../../../client/src/targets/kinds';
import { sectionLine } from '../../../client/src/catalogue';

describe('target kinds for a stack', () => {
  it('maps each target_type to the kinds of target that deploy it', () => {
    assert.deepEqual(targetKindsFor('docker'), ['docker']);
    assert.deepEqual(targetKindsFor('docker_compose'), ['docker']);
    assert.deepEqual(targetKindsFor('kubernetes'), ['kubernetes']);
    assert.deepEqual(targetKindsFor('vm'), []);
  });

  it('says in words what deploys a stack', () => {
    assert.equal(describeTargetKinds('kubernetes'), 'a Kubernetes cluster (a kubeconfig context)');
    assert.equal(describeTargetKinds('docker'), 'a Docker engine');
    assert.equal(describeTargetKinds('docker_swarm'), 'a Docker engine in swarm mode');
    assert.match(describeTargetKinds('physical'), /does not deploy target_type physical/);
  });

  it('reads metadata.target_type from the text, quoted or not, and nothing else', () => {
    assert.equal(targetTypeInText('metadata:\n  name: x\n  target_type: kubernetes\ntemplate: {}\n'), 'kubernetes');
    assert.equal(targetTypeInText('metadata:\n  target_type: "docker" # one container\n'), 'docker');
    assert.equal(targetTypeInText('metadata:\n  name: x\ntemplate:\n  target_type: docker\n'), undefined);
    assert.equal(targetTypeInText('template: {}\n'), undefined);
  });
});

describe('diagnostics catalogue sections', () => {
  const catalogue =
    '# Diagnostics\n\n| [WF041](#wf041) | warning |\n\n### WF040 — docker\n\ntext\n\n### WF041 — keys\n';
  it('finds the heading line of a code, not its row in the summary table', () => {
    assert.equal(sectionLine(catalogue, 'WF041'), 9);
    assert.equal(sectionLine(catalogue, 'WF040'), 5);
  });
  it('knows no section for an unknown code', () => assert.equal(sectionLine(catalogue, 'WF999'), undefined));
});
