/** How deployments of this stack are named by default, where that differs from upstream WindFlow (WF152). */
import { deploymentNameStem } from '../deploymentName';
import { DiagnosticSink } from '../diagnostics';
import { getIn, spanOf, StackModel } from '../model';
import { isScalar } from 'yaml';

const UNDEPLOYABLE = new Set(['vm', 'physical']);

export function checkDefaultDeploymentName(model: StackModel, sink: DiagnosticSink): void {
  if (!model.root || UNDEPLOYABLE.has(model.targetType ?? '')) return;
  // metadata.deployment_name sets the default on both sides: nothing differs then.
  if (getIn(model.root, ['metadata', 'deployment_name']) != null) return;
  const nameNode = getIn(model.root, ['metadata', 'name']);
  if (!isScalar(nameNode) || typeof nameNode.value !== 'string' || nameNode.value === '') return;
  const name = nameNode.value;
  const stem = deploymentNameStem(name);
  if (stem === name) return;
  sink.add(
    'WF152',
    'information',
    `deployments of this stack are named '${stem}-<YYYYmmdd-HHMMSS>' by default here; upstream WindFlow uses the name as it is ('${name}-<YYYYmmdd-HHMMSS>'), which Docker, Compose or Kubernetes may refuse: set metadata.deployment_name (e.g. "${stem}") to get the same default everywhere`,
    spanOf(nameNode),
  );
}
