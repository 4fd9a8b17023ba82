import { DiagnosticSink, StackDiagnostic } from './diagnostics';
import { checkCompose } from './checks/compose';
import { checkDocker } from './checks/docker';
import { checkKubernetes } from './checks/kubernetes';
import { checkDefaultDeploymentName } from './checks/naming';
import { checkReferences } from './checks/references';
import { checkSecretExposure } from './checks/secrets';
import { checkRendered } from './checks/rendered';
import { checkStructure } from './checks/structure';
import { checkComposeDeploy } from './checks/composeDeploy';
import { checkSwarm } from './checks/swarm';
import { checkVariables } from './checks/variables';
import { checkUndeployable } from './checks/undeployable';
import { checkYaml11 } from './checks/yaml11';
import { StackModel } from './model';

export interface CheckOptions {
  /** Skip the checks that render the stack (they evaluate helper functions). */
  skipRendered?: boolean;
  /** The Kubernetes version stacks are deployed to (`1.30`): decides which apiVersions are removed or deprecated. */
  kubernetesVersion?: string;
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
    if (model.targetType === 'docker_compose') checkComposeDeploy(model, sink);
    else if (model.targetType === 'docker_swarm') checkSwarm(model, sink);
    else if (model.targetType === 'kubernetes') checkKubernetes(model, sink, options.kubernetesVersion);
    else if (model.targetType === 'vm' || model.targetType === 'physical') checkUndeployable(model, sink);
    checkDefaultDeploymentName(model, sink);
    if (!options.skipRendered) {
      checkRendered(model, sink);
      checkSecretExposure(model, sink);
    }
  }
  const reported = options.upstreamCompatibility ? sink.items : sink.items.filter((item) => !item.upstreamOnly);
  return dedupe(withoutWhatUnquotedJinjaExplains(reported)).sort(
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

/**
 * An unquoted `{{ x }}` (WF107) is read as a mapping: that one fault explains whatever else is said about the same
 * value (not a string, not a list…), and the variables written in it are used once it is quoted.
 */
function withoutWhatUnquotedJinjaExplains(items: StackDiagnostic[]): StackDiagnostic[] {
  const unquoted = items.filter((item) => item.code === 'WF107');
  if (unquoted.length === 0) return items;
  const spans = new Set(unquoted.map((item) => `${item.span.start}:${item.span.end}`));
  const names = new Set(unquoted.flatMap((item) => (item.data?.names as string[] | undefined) ?? []));
  return items.filter(
    (item) =>
      item.code === 'WF107' ||
      (!spans.has(`${item.span.start}:${item.span.end}`) &&
        !(item.code === 'WF033' && names.has(String(item.data?.name)))),
  );
}
