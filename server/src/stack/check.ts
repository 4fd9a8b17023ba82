import { DiagnosticSink, StackDiagnostic } from './diagnostics';
import { checkCompose } from './checks/compose';
import { checkDocker } from './checks/docker';
import { checkKubernetes } from './checks/kubernetes';
import { checkReferences } from './checks/references';
import { checkRendered } from './checks/rendered';
import { checkStructure } from './checks/structure';
import { checkVariables } from './checks/variables';
import { checkUndeployable } from './checks/undeployable';
import { checkYaml11 } from './checks/yaml11';
import { StackModel } from './model';

export interface CheckOptions {
  /** Skip the checks that render the stack (they evaluate helper functions). */
  skipRendered?: boolean;
  /** Also report what only matters when deploying through an upstream WindFlow server (off by default). */
  upstreamCompatibility?: boolean;
}

/** Every diagnostic for a stack file, sorted by position. */
export function checkStack(model: StackModel, options: CheckOptions = {}): StackDiagnostic[] {
  const sink = new DiagnosticSink();
  sink.items.push(...model.readDiagnostics);
  checkStructure(model, sink);
  if (model.root) {
    checkReferences(model, sink);
    checkVariables(model, sink);
    checkYaml11(model, sink);
    if (model.targetType === 'docker') checkDocker(model, sink);
    else if (model.targetType === 'docker_compose' || model.targetType === 'docker_swarm') checkCompose(model, sink);
    else if (model.targetType === 'kubernetes') checkKubernetes(model, sink);
    else if (model.targetType === 'vm' || model.targetType === 'physical') checkUndeployable(model, sink);
    if (!options.skipRendered) checkRendered(model, sink);
  }
  const reported = options.upstreamCompatibility ? sink.items : sink.items.filter((item) => !item.upstreamOnly);
  return dedupe(reported).sort(
    (a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code),
  );
}

function dedupe(items: StackDiagnostic[]): StackDiagnostic[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.code}:${item.span.start}:${item.span.end}:${item.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
