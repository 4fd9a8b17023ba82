import { isMap, isScalar, isSeq, Node, Pair } from 'yaml';
import { DiagnosticSink } from '../diagnostics';
import { hasJinja } from '../jinja';
import { getIn, getPair, isPlainObject, spanOf, StackModel, StringLeaf } from '../model';
import {
  isValidComposeProjectName,
  isValidContainerName,
  isValidKubernetesLabelValue,
  parseDuration,
  parsePortSpec,
  parseVolumeSpec,
} from '../specs';
import { didYouMean } from '../suggest';
import { checkDockerTemplateSchema } from './templateSchema';

/** Keys WindFlow's single-container path reads (format spec §9.1). */
const WINDFLOW_DOCKER_KEYS = [
  'image',
  'container_name',
  'environment',
  'ports',
  'volumes',
  'restart_policy',
  'healthcheck',
  'labels',
];
/** Keys our deployer honours although upstream WindFlow ignores them (product §5). */
const EXTENSION_DOCKER_KEYS = ['command', 'entrypoint', 'user', 'working_dir', 'networks', 'network_mode'];
const HEALTHCHECK_KEYS = ['test', 'interval', 'timeout', 'start_period', 'retries'];
const HEALTHCHECK_DURATIONS = ['interval', 'timeout', 'start_period'];
const RESTART_POLICY = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;
const DEPLOYMENT_NAME_ONLY = /^\s*\{\{-?\s*deployment_name\s*-?\}\}\s*$/;

/** Single-container templates (`target_type: docker`): what WindFlow rejects, ignores or runs differently. */
export function checkDocker(model: StackModel, sink: DiagnosticSink): void {
  checkTargetParameters(model, sink);
  checkDeploymentName(model, sink);
  checkDockerTemplateSchema(model, sink);
  const templatePair = getPair(model.root, 'template');
  const template = templatePair?.value;
  if (!templatePair || !isMap(template)) return;

  // model.data has YAML merge keys (`<<: *base`) applied, so an image from an anchor counts.
  const templateData = isPlainObject(model.data) ? model.data.template : undefined;
  if (!isPlainObject(templateData) || !('image' in templateData)) {
    sink.add(
      'WF040',
      'error',
      'a docker template needs an `image`: WindFlow rejects the deployment without it',
      spanOf(templatePair.key),
    );
  }
  for (const pair of template.items) {
    // Merge keys hold a Symbol; what they bring in is checked where the anchor is written.
    if (!isScalar(pair.key) || typeof pair.key.value === 'symbol') continue;
    const key = String(pair.key.value);
    const value = pair.value as Node | null;
    switch (key) {
      case 'image':
        checkImage(value, sink);
        break;
      case 'container_name':
        checkContainerName(value, sink);
        break;
      case 'environment':
        checkEnvironment(value, sink);
        break;
      case 'ports':
        checkPorts(value, sink);
        break;
      case 'volumes':
        checkVolumes(value, sink);
        break;
      case 'restart_policy':
        checkRestartPolicy(value, sink);
        break;
      case 'healthcheck':
        checkHealthcheck(value, sink);
        break;
      case 'labels':
        if (!isMap(value)) {
          sink.add(
            'WF040',
            'error',
            '`labels` must be a mapping of label names to values',
            spanOf(value, spanOf(pair.key)),
          );
        }
        break;
      default:
        checkOtherKey(pair, key, sink);
    }
  }
}

function checkOtherKey(pair: Pair, key: string, sink: DiagnosticSink): void {
  if (hasJinja(key)) return;
  const keySpan = spanOf(pair.key as Node);
  if (EXTENSION_DOCKER_KEYS.includes(key)) {
    sink.add(
      'WF041',
      'information',
      `\`${key}\` is applied by this extension but ignored by upstream WindFlow, which deploys the container without it`,
      keySpan,
      { upstreamOnly: true },
    );
  } else if (key === 'restart') {
    sink.add(
      'WF041',
      'warning',
      '`restart` is the Compose spelling: a docker template uses `restart_policy`',
      keySpan,
      {
        data: { replacement: 'restart_policy' },
      },
    );
  } else {
    sink.add(
      'WF041',
      'warning',
      `\`${key}\` is ignored when deploying a docker template${didYouMean(key, [...WINDFLOW_DOCKER_KEYS, ...EXTENSION_DOCKER_KEYS])}`,
      keySpan,
    );
  }
}

function checkImage(value: Node | null, sink: DiagnosticSink): void {
  if (isScalar(value) && typeof value.value === 'string') {
    if (value.value.trim() === '')
      sink.add('WF040', 'error', '`image` is empty: WindFlow rejects the deployment', spanOf(value));
    return;
  }
  sink.add('WF040', 'error', '`image` must be a string such as "postgres:16"', spanOf(value));
}

function checkContainerName(value: Node | null, sink: DiagnosticSink): void {
  if (!isScalar(value)) return;
  const name = String(value.value ?? '');
  if (DEPLOYMENT_NAME_ONLY.test(name)) return;
  if (!hasJinja(name) && !isValidContainerName(name)) {
    sink.add(
      'WF040',
      'error',
      `container_name '${name}' is not a valid Docker name (letters, digits, '_', '.', '-', starting with a letter or digit): WindFlow rejects the deployment`,
      spanOf(value),
    );
    return;
  }
  sink.add(
    'WF041',
    'information',
    'the container is always named after the deployment (as upstream WindFlow does): write "{{ deployment_name }}" here',
    spanOf(value),
    { data: { replacement: '"{{ deployment_name }}"' } },
  );
}

function checkEnvironment(value: Node | null, sink: DiagnosticSink): void {
  if (isMap(value)) return;
  if (isSeq(value)) {
    sink.add(
      'WF040',
      'error',
      'upstream WindFlow rejects `environment` as a list (this extension accepts it): write a mapping `NAME: value`',
      spanOf(value),
      { upstreamOnly: true },
    );
    return;
  }
  sink.add('WF040', 'error', '`environment` must be a mapping `NAME: value`', spanOf(value));
}

function checkPorts(value: Node | null, sink: DiagnosticSink): void {
  if (!isSeq(value)) {
    sink.add('WF040', 'error', '`ports` must be a list of "host:container" strings', spanOf(value));
    return;
  }
  for (const item of value.items) {
    if (!isScalar(item)) {
      sink.add('WF040', 'error', 'a port mapping must be a string "host:container"', spanOf(item as Node));
      continue;
    }
    if (typeof item.value !== 'string') {
      sink.add(
        'WF040',
        'error',
        `WindFlow requires each port as a string containing ':' ("${String(item.value)}:${String(item.value)}"), not a number`,
        spanOf(item),
      );
      continue;
    }
    // Rendered values are checked by the rendered family, on the `{{ … }}` that produced them.
    if (hasJinja(item.value)) continue;
    const parsed = parsePortSpec(item.value);
    if (!parsed.ok) sink.add('WF040', 'error', `invalid port mapping: ${parsed.error}`, spanOf(item));
    else if (!item.value.includes(':')) {
      sink.add(
        'WF040',
        'error',
        `WindFlow requires "host:container" port mappings; '${item.value}' has no ':'`,
        spanOf(item),
      );
    }
  }
}

function checkVolumes(value: Node | null, sink: DiagnosticSink): void {
  if (!isSeq(value)) {
    sink.add('WF040', 'error', '`volumes` must be a list of "source:/path" strings', spanOf(value));
    return;
  }
  for (const item of value.items) {
    if (!isScalar(item) || typeof item.value !== 'string') {
      sink.add(
        'WF040',
        'error',
        'a volume must be a string "name:/path[:ro]" or "/host/path:/path"',
        spanOf(item as Node),
      );
      continue;
    }
    if (hasJinja(item.value)) continue;
    const parsed = parseVolumeSpec(item.value);
    if (!parsed.ok) sink.add('WF040', 'error', `invalid volume: ${parsed.error}`, spanOf(item));
  }
}

function checkRestartPolicy(value: Node | null, sink: DiagnosticSink): void {
  if (!isScalar(value) || typeof value.value !== 'string' || hasJinja(value.value)) return;
  if (!RESTART_POLICY.test(value.value)) {
    sink.add(
      'WF040',
      'error',
      `restart_policy '${value.value}' is not one of no, always, unless-stopped, on-failure[:N]: Docker refuses to run the container`,
      spanOf(value),
    );
  }
}

function checkHealthcheck(value: Node | null, sink: DiagnosticSink): void {
  if (!isMap(value)) {
    sink.add(
      'WF040',
      'error',
      '`healthcheck` must be a mapping with `test`, `interval`, `timeout`, `retries`…',
      spanOf(value),
    );
    return;
  }
  for (const pair of value.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const node = pair.value as Node | null;
    if (key === 'test') checkHealthcheckTest(node, sink);
    else if (HEALTHCHECK_DURATIONS.includes(key)) checkHealthcheckDuration(key, node, sink);
    else if (key === 'retries') {
      if (isScalar(node) && !hasJinja(String(node.value)) && !/^\d+$/.test(String(node.value))) {
        sink.add(
          'WF040',
          'error',
          `healthcheck.retries must be a whole number, not '${String(node.value)}'`,
          spanOf(node),
        );
      }
    } else if (!hasJinja(key)) {
      sink.add(
        'WF041',
        'warning',
        `healthcheck.${key} is ignored when deploying a docker template${didYouMean(key, HEALTHCHECK_KEYS)}`,
        spanOf(pair.key),
      );
    }
  }
}

function checkHealthcheckTest(node: Node | null, sink: DiagnosticSink): void {
  if (!isSeq(node)) return;
  const first = node.items[0];
  const head = isScalar(first) ? String(first.value) : undefined;
  if (head === 'CMD-SHELL') return;
  const span = spanOf(first as Node | undefined, spanOf(node));
  if (head === 'CMD') {
    const joined = node.items.map((item) => (isScalar(item) ? String(item.value) : '…')).join(' ');
    sink.add(
      'WF041',
      'warning',
      `upstream WindFlow joins every item into the shell command \`${joined}\`, which fails: use ["CMD-SHELL", "${joined.slice(4)}"]`,
      span,
      { upstreamOnly: true, data: { replacement: 'CMD-SHELL' } },
    );
  } else if (head === 'NONE') {
    sink.add(
      'WF041',
      'warning',
      'upstream WindFlow runs `NONE` as a shell command instead of disabling the healthcheck: remove `healthcheck`',
      span,
      { upstreamOnly: true },
    );
  } else {
    sink.add(
      'WF041',
      'warning',
      'a healthcheck.test list starts with "CMD-SHELL" (or "CMD"/"NONE"); Docker rejects anything else',
      span,
    );
  }
}

function checkHealthcheckDuration(key: string, node: Node | null, sink: DiagnosticSink): void {
  if (!isScalar(node)) return;
  if (typeof node.value !== 'string') {
    sink.add(
      'WF041',
      'error',
      `healthcheck.${key} must be a string such as "${String(node.value)}s": upstream WindFlow crashes on a number and the deployment fails`,
      spanOf(node),
      { upstreamOnly: true, data: { replacement: `"${String(node.value)}s"` } },
    );
    return;
  }
  if (hasJinja(node.value)) return;
  const parsed = parseDuration(node.value);
  if (!parsed.ok) sink.add('WF041', 'error', `healthcheck.${key}: ${parsed.error}; Docker refuses it`, spanOf(node));
}

/** `target_parameters` (format spec §6): only `volumes` of a docker stack is read, when a deployment is deleted. */
export function checkTargetParameters(model: StackModel, sink: DiagnosticSink): void {
  const pair = getPair(model.root, 'target_parameters');
  if (!pair || !isMap(pair.value)) return;
  if (model.targetType !== 'docker') {
    if (pair.value.items.length > 0) {
      sink.add(
        'WF045',
        'information',
        `target_parameters is only read for docker stacks (volumes removed with the data); it has no effect for ${model.targetType ?? 'this target type'}`,
        spanOf(pair.key),
        { tags: ['unnecessary'] },
      );
    }
    return;
  }
  for (const entry of pair.value.items) {
    if (!isScalar(entry.key)) continue;
    const key = String(entry.key.value);
    if (key !== 'volumes') {
      sink.add(
        'WF045',
        'warning',
        `target_parameters.${key} is read by no code: only \`volumes\` is used`,
        spanOf(entry.key),
        {
          tags: ['unnecessary'],
        },
      );
      continue;
    }
    if (!isSeq(entry.value)) {
      sink.add(
        'WF045',
        'warning',
        'target_parameters.volumes must be a list of volume names; anything else is ignored',
        spanOf(entry.value as Node),
      );
      continue;
    }
    const leaves = new Map(
      model.leaves.filter((leaf) => leaf.scope === 'target_parameters').map((leaf) => [leaf.node as Node, leaf]),
    );
    for (const item of entry.value.items) checkVolumeToRemove(item as Node, leaves.get(item as Node), sink);
  }
}

function checkVolumeToRemove(item: Node, leaf: StringLeaf | undefined, sink: DiagnosticSink): void {
  if (!isScalar(item) || typeof item.value !== 'string') {
    sink.add('WF045', 'warning', 'only strings are removed with the data: this entry is ignored', spanOf(item));
    return;
  }
  // Only the literal text around `{{ … }}` is known before rendering.
  const colon = leaf ? literalText(item.value, leaf.scan.segments).indexOf(':') : item.value.indexOf(':');
  if (colon >= 0) {
    sink.add(
      'WF045',
      'warning',
      `'${item.value}' is a mount, not a volume name: \`docker volume rm\` fails on it and the data is kept; list the bare name`,
      spanOf(item),
      { data: { replacement: item.value.slice(0, colon) } },
    );
  } else if (!hasJinja(item.value) && !isValidContainerName(item.value)) {
    // Docker volume names follow the container name rule.
    sink.add('WF045', 'warning', `'${item.value}' is not a valid volume name: nothing is removed`, spanOf(item));
  }
}

/** The value with every Jinja segment blanked out by spaces, so indices still match the value. */
export function literalText(value: string, segments: { span: { start: number; end: number } }[]): string {
  const parts: string[] = [];
  let cursor = 0;
  for (const { span } of segments) {
    parts.push(value.slice(cursor, span.start), ' '.repeat(span.end - span.start));
    cursor = span.end;
  }
  parts.push(value.slice(cursor));
  return parts.join('');
}

/**
 * `metadata.deployment_name` pre-fills the deployment name. A constant gives every deployment the same name, so
 * WindFlow answers 409 for the second one; the name must also suit the target (format spec §10.2).
 */
export function checkDeploymentName(model: StackModel, sink: DiagnosticSink): void {
  const rule = deploymentNameRule(model.targetType);
  const node = getIn(model.root, ['metadata', 'deployment_name']);
  if (isScalar(node) && typeof node.value === 'string' && !hasJinja(node.value) && node.value.trim() !== '') {
    const name = node.value;
    sink.add(
      'WF046',
      'warning',
      `deployment_name '${name}' is a constant: every deployment gets this name and upstream WindFlow refuses the second one (409); derive it from a variable, e.g. "{{ app_name }}" with a generate_animalname() default`,
      spanOf(node),
      { upstreamOnly: true },
    );
    if (rule && !rule.valid(name)) {
      sink.add(
        'WF046',
        'error',
        `deployment_name '${name}' is not a valid ${rule.what}: the deployment fails unless the name is changed`,
        spanOf(node),
      );
    }
  }
  const nameNode = getIn(model.root, ['metadata', 'name']);
  if (rule && isScalar(nameNode) && typeof nameNode.value === 'string') {
    // WindFlow appends a numeric timestamp; any digits stand for it here.
    const generated = `${nameNode.value}-20250101-120000`;
    if (!rule.valid(generated)) {
      sink.add(
        'WF046',
        'information',
        `upstream WindFlow names a deployment '<metadata.name>-<timestamp>' when no name is given; '${generated}' is not a valid ${rule.what}, so such a deployment fails`,
        spanOf(nameNode),
        { upstreamOnly: true },
      );
    }
  }
}

interface NameRule {
  what: string;
  valid: (name: string) => boolean;
}

/** The rule the deployment name must satisfy on each target (format spec §10.2; Kubernetes label values here). */
export function deploymentNameRule(targetType: string | undefined): NameRule | undefined {
  switch (targetType) {
    case 'docker':
      return {
        what: "container name (letters, digits, '_', '.', '-', starting with a letter or digit)",
        valid: isValidContainerName,
      };
    case 'docker_compose':
    case 'docker_swarm':
      return {
        what: "Compose project name (lowercase letters, digits, '-', '_', starting with a letter or digit)",
        valid: isValidComposeProjectName,
      };
    case 'kubernetes':
      // Our Kubernetes deployer writes the name into the `windflow.io/deployment` label.
      return {
        what: "Kubernetes label value (at most 63 letters, digits, '-', '_', '.')",
        valid: isValidKubernetesLabelValue,
      };
    default:
      return undefined;
  }
}
