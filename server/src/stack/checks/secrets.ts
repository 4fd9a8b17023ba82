/**
 * Secrets that end up where anyone with read access to the engine or cluster sees them: labels and annotations,
 * container names, command lines (all in `docker inspect`, `docker ps`, `kubectl get -o yaml`), and deployment notes
 * (shown after every deploy). Environment variables are the intended channel and are not flagged.
 * Which strings carry a secret is found the way secretTaint.ts finds it: two renders that differ only in the
 * secrets, so every filter, method or default that computes from a secret is followed.
 */
import { DiagnosticSink } from '../diagnostics';
import { FUNCTIONS_BY_NAME } from '../functions';
import { leafSpan, Path, spanOf, StackModel, StringLeaf } from '../model';
import { renderLeaves } from '../render';
import { perturbSecret, variantOptions } from '../secretTaint';

/** A stand-in for passwords the user gives only at deploy time (the edit-time check needs some value). */
const SAMPLE_PASSWORD = 'Sample-Secret-42';

const DOCKER_PLACES: Record<string, string> = {
  labels: 'a label',
  container_name: 'the container name',
  hostname: 'the host name',
  command: 'the command line',
  entrypoint: 'the command line',
};

/** Where a template string sits, in words, when that place is visible to anyone who can read the engine. */
function visiblePlace(model: StackModel, path: Path): string | undefined {
  if (path[0] === 'deployment_notes') return 'the deployment notes';
  if (path[0] !== 'template') return undefined;
  const keys = path.map(String);
  if (model.targetType === 'docker') return DOCKER_PLACES[keys[1]];
  if (model.targetType === 'docker_compose' || model.targetType === 'docker_swarm') {
    if (keys[1] !== 'services') return undefined;
    if (keys[3] === 'deploy' && keys[4] === 'labels') return 'a label';
    return DOCKER_PLACES[keys[3]];
  }
  if (model.targetType === 'kubernetes') {
    if (keys.includes('labels')) return 'a label';
    if (keys.includes('annotations')) return 'an annotation';
    if (keys.includes('command') || keys.includes('args')) return 'the command line';
    if (keys.at(-1) === 'name' && keys.at(-2) === 'metadata') return 'an object name';
  }
  return undefined;
}

function usesSecrets(model: StackModel): boolean {
  return (
    [...model.declarations.values()].some((decl) => decl.type === 'password') ||
    model.references.some((site) => FUNCTIONS_BY_NAME.get(site.reference.name)?.secret === true)
  );
}

/** The `{{ … }}` of a string, or the whole string when it has none. */
function expressionSpan(leaf: StringLeaf) {
  const segment = leaf.scan.segments.find((s) => s.kind === 'expression') ?? leaf.scan.segments[0];
  return segment ? leafSpan(leaf, segment.span) : spanOf(leaf.node);
}

export function checkSecretExposure(model: StackModel, sink: DiagnosticSink): void {
  if (!usesSecrets(model)) return;
  const candidates = model.leaves.filter(
    (leaf) => leaf.scan.segments.length > 0 && visiblePlace(model, leaf.path) !== undefined,
  );
  if (candidates.length === 0) return;
  const passwords = new Map<string, string>();
  for (const decl of model.declarations.values())
    if (decl.type === 'password') passwords.set(decl.qualifiedName, SAMPLE_PASSWORD);
  const options = { allowEnv: false };
  // Only the strings in visible places are rendered, twice: with the secrets, and with the secrets changed.
  const same = renderLeaves(
    model,
    candidates,
    variantOptions(options, passwords, (secret) => secret),
  ).texts;
  const changed = renderLeaves(model, candidates, variantOptions(options, passwords, perturbSecret)).texts;
  for (const leaf of candidates) {
    if (same.get(leaf) === changed.get(leaf)) continue;
    if (leaf.path[0] === 'deployment_notes') {
      sink.add(
        'WF151',
        'warning',
        'the deployment notes show a value computed from a secret: WindFlow Stacks masks it, but upstream WindFlow and anyone reading the stored notes see it',
        expressionSpan(leaf),
      );
      continue;
    }
    sink.add(
      'WF151',
      'warning',
      `a secret flows into ${visiblePlace(model, leaf.path) as string}, which anyone with read access to the ${model.targetType === 'kubernetes' ? 'cluster' : 'engine'} can see: pass it through an environment variable (or a secret) instead`,
      expressionSpan(leaf),
    );
  }
}
