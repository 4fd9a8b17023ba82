/** The default deployment name every target accepts (derived from metadata.name), and WF152 saying how upstream differs. */
import assert from 'node:assert/strict';
import { parseStack } from '../../server/src/stack';
import {
  defaultDeploymentName,
  deploymentNameStem,
  upstreamDefaultDeploymentName,
} from '../../server/src/stack/deploymentName';
import { renderStack } from '../../server/src/stack/render';
import { isValidComposeProjectName, isValidContainerName } from '../../server/src/stack/specs';
import { diagnose, spanOf, stack, withCode } from './util';

const NOW = new Date(Date.UTC(2026, 11, 1, 21, 34, 17));
const KUBERNETES_LABEL_VALUE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

describe('default deployment name', () => {
  it('derives a name valid for containers, Compose projects and Kubernetes labels from metadata.name', () => {
    assert.equal(defaultDeploymentName('Hello web', NOW), 'hello-web-20261201-213417');
    assert.equal(upstreamDefaultDeploymentName('Hello web', NOW), 'Hello web-20261201-213417');
    for (const name of ['Hello web', 'Café Crème!', '  --Über__App--  ', '数据库', '', 'x'.repeat(300), 'A.B_C-D']) {
      const derived = defaultDeploymentName(name, NOW);
      assert.ok(isValidContainerName(derived), derived);
      assert.ok(isValidComposeProjectName(derived), derived);
      assert.match(derived, KUBERNETES_LABEL_VALUE);
    }
    assert.equal(deploymentNameStem('Café Crème!'), 'cafe-creme');
    assert.equal(deploymentNameStem('数据库'), 'stack');
    assert.equal(defaultDeploymentName('x'.repeat(300), NOW).length, 63);
  });

  it('is what a render without a name uses', () => {
    const text = stack({ template: '  image: local/busybox:1' }).replace('name: demo', 'name: Hello web');
    const result = renderStack(parseStack(text), { now: () => NOW });
    assert.equal(result.deploymentName, 'hello-web-20261201-213417');
  });

  it('WF152 says on metadata.name what upstream would do differently, unless deployment_name is set', () => {
    const text = stack({ template: '  image: local/busybox:1' }).replace('name: demo', 'name: Hello web');
    const found = withCode(diagnose(text), 'WF152');
    assert.deepEqual(
      found.map((d) => [d.span, d.severity]),
      [[spanOf(text, 'Hello web'), 'information']],
    );
    assert.match(
      found[0].message,
      /^deployments of this stack are named 'hello-web-<YYYYmmdd-HHMMSS>' by default here; upstream WindFlow uses the name as it is \('Hello web-<YYYYmmdd-HHMMSS>'\)/,
    );
    assert.deepEqual(
      withCode(diagnose(text.replace('name: Hello web', 'name: Hello web\n  deployment_name: hello')), 'WF152'),
      [],
    );
    assert.deepEqual(withCode(diagnose(stack({})), 'WF152'), []);
  });
});
