import { DiagnosticSink } from '../diagnostics';
import { getIn, spanOf, StackModel } from '../model';
import { checkDeploymentName, checkTargetParameters } from './docker';

/** `vm` and `physical` stacks: nothing deploys them here, but their names and target parameters are still checked. */
export function checkUndeployable(model: StackModel, sink: DiagnosticSink): void {
  sink.add(
    'WF044',
    'information',
    `${model.targetType} stacks are not deployable by this extension; validation and rendering still work`,
    spanOf(getIn(model.root, ['metadata', 'target_type'])),
  );
  checkTargetParameters(model, sink);
  checkDeploymentName(model, sink);
}
