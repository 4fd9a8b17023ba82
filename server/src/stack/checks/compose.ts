import { Document, isAlias, isMap, isScalar, isSeq, Node, Scalar, YAMLMap } from 'yaml';
import { DiagnosticSink } from '../diagnostics';
import { hasJinja, JinjaReference } from '../jinja';
import { getIn, getPair, leafSpan, spanOf, StackModel, VariableDecl } from '../model';
import { interpolateComposeDefaults, parsePortSpec, parseVolumeSpec } from '../specs';
import { closest } from '../suggest';
import { Span } from '../text';
import { checkDeploymentName, checkTargetParameters, literalText } from './docker';
import { checkComposeTemplateSchema } from './templateSchema';

/** Merge chains deeper than this are not followed (aliases cannot recurse, but a file can nest many). */
const MAX_MERGE_DEPTH = 20;

/** A mapping entry after YAML merge keys (`<<: *base`) are applied: explicit keys win over merged ones. */
interface Entry {
  name: string;
  key: Scalar;
  value: Node | null;
}

interface ServiceInfo {
  name: string;
  key: Scalar;
  fields: Map<string, Entry>;
}

interface Dependency {
  from: string;
  to: string;
  span: Span;
}

/**
 * The services of a Compose template with the keys written on each (merge keys not followed): for the checks that
 * judge a service key by its name alone (WF048, WF160).
 */
export function serviceKeys(model: StackModel): { name: string; service: YAMLMap; keys: Scalar<string>[] }[] {
  const services = getIn(model.root, ['template', 'services']);
  if (!isMap(services)) return [];
  return services.items.flatMap((pair) => {
    const service = pair.value;
    if (!isScalar(pair.key) || !isMap(service)) return [];
    const keys = service.items
      .map((entry) => entry.key)
      .filter((key): key is Scalar<string> => isScalar(key) && typeof key.value === 'string');
    return [{ name: String(pair.key.value), service, keys }];
  });
}

/** Compose templates (`docker_compose`, `docker_swarm`): what WindFlow or `docker compose` rejects or misreads. */
export function checkCompose(model: StackModel, sink: DiagnosticSink): void {
  checkTargetParameters(model, sink);
  checkDeploymentName(model, sink);
  if (model.targetType === 'docker_swarm') {
    sink.add(
      'WF044',
      'information',
      'this extension deploys docker_swarm stacks as Swarm stacks on a Swarm manager; upstream WindFlow runs them with `docker compose up` on one host',
      spanOf(getIn(model.root, ['metadata', 'target_type'])),
      { upstreamOnly: true },
    );
  }
  const templatePair = getPair(model.root, 'template');
  if (!templatePair || !isMap(templatePair.value)) return;
  const document = model.document;
  const template = entries(templatePair.value, document);

  if (!template.has('version')) {
    sink.add(
      'WF042',
      'warning',
      'upstream WindFlow refuses a Compose template without a top-level `version` ("Version du compose manquante"); add version: "3.9" (this extension does not need it)',
      spanOf(templatePair.key),
      { upstreamOnly: true, data: { insert: 'version: "3.9"' } },
    );
  }
  // Keys, types and values inside the document: the Compose schema (WF100–WF108).
  checkComposeTemplateSchema(model, sink);

  const include = template.get('include');
  if (include) reportFilesBesideTheComposeFile('include', include.key, sink);
  const servicesEntry = template.get('services');
  if (!servicesEntry) {
    sink.add(
      'WF042',
      'error',
      'a Compose template needs `services`: WindFlow rejects it without',
      spanOf(templatePair.key),
    );
    return;
  }
  // Another shape than a mapping is the schema's wrong-type error.
  if (!isMap(servicesEntry.value)) return;
  if (servicesEntry.value.items.length === 0) {
    sink.add(
      'WF042',
      'error',
      '`services` must be a non-empty mapping of service names to definitions',
      spanOf(servicesEntry.value, spanOf(servicesEntry.key)),
    );
    return;
  }

  const services = readServices(servicesEntry.value, document, model.targetType, sink);
  const serviceNames = [...services.keys()];
  const networkNames = declaredNames(template.get('networks'), document);
  const volumeNames = declaredNames(template.get('volumes'), document);
  const configNames = declaredNames(template.get('configs'), document);
  const secretNames = declaredNames(template.get('secrets'), document);
  const dependencies: Dependency[] = [];
  for (const service of services.values()) {
    checkContainerName(service, model.targetType, sink);
    checkDependsOn(service, services, serviceNames, document, dependencies, sink);
    checkServiceNetworks(service, networkNames, document, sink);
    checkServiceConfigsAndSecrets(service, configNames, secretNames, document, sink);
    checkServiceVolumes(service, volumeNames, document, sink);
    checkMountTargets(service, document, sink);
    checkServicePorts(service, document, sink);
    for (const key of ['env_file', 'label_file']) {
      const entry = service.fields.get(key);
      if (entry) reportFilesBesideTheComposeFile(key, entry.key, sink);
    }
  }
  checkDependencyCycles(dependencies, sink);
  checkDollarSigns(model, sink);
  checkGeneratedPasswords(model, sink);
}

function readServices(
  services: Node,
  document: Document,
  targetType: string | undefined,
  sink: DiagnosticSink,
): Map<string, ServiceInfo> {
  const result = new Map<string, ServiceInfo>();
  for (const entry of entries(services, document).values()) {
    // Keys are never rendered, so a Jinja service name is taken literally; it cannot be checked meaningfully.
    if (hasJinja(entry.name)) continue;
    // A service that is not a mapping is the schema's wrong-type error.
    if (!isMap(entry.value)) continue;
    const fields = entries(entry.value, document);
    if (!fields.has('image') && !fields.has('build')) {
      sink.add(
        'WF042',
        'error',
        `service '${entry.name}' has neither \`image\` nor \`build\`: WindFlow rejects the template`,
        spanOf(entry.key),
      );
    } else if (!fields.has('image') && targetType === 'docker_swarm') {
      sink.add(
        'WF042',
        'error',
        `service '${entry.name}' needs an \`image\`: a Swarm stack cannot build images`,
        spanOf(entry.key),
      );
    }
    result.set(entry.name, { name: entry.name, key: entry.key, fields });
  }
  return result;
}

function checkContainerName(service: ServiceInfo, targetType: string | undefined, sink: DiagnosticSink): void {
  const value = service.fields.get('container_name')?.value;
  if (!isScalar(value) || typeof value.value !== 'string' || hasJinja(value.value)) return;
  // A Swarm stack skips container_name altogether: checks/swarm.ts says so (WF160).
  if (targetType === 'docker_swarm') return;
  sink.add(
    'WF043',
    'warning',
    `fixed container_name '${value.value}': a second deployment of this stack on the same host fails with a name conflict; remove it (Compose names containers <project>-${service.name}-1)`,
    spanOf(value),
  );
}

function checkDependsOn(
  service: ServiceInfo,
  services: Map<string, ServiceInfo>,
  serviceNames: string[],
  document: Document,
  dependencies: Dependency[],
  sink: DiagnosticSink,
): void {
  const dependsOn = service.fields.get('depends_on')?.value ?? null;
  const targets: { name: string; node: Node; condition?: Node | null }[] = [];
  if (isSeq(dependsOn)) {
    for (const item of dependsOn.items) {
      const node = resolve(item as Node, document);
      if (isScalar(node) && typeof node.value === 'string') targets.push({ name: node.value, node });
    }
  } else if (isMap(dependsOn)) {
    for (const entry of entries(dependsOn, document).values()) {
      const condition = isMap(entry.value) ? entries(entry.value, document).get('condition')?.value : undefined;
      targets.push({ name: entry.name, node: entry.key, condition });
    }
  }
  for (const target of targets) {
    if (hasJinja(target.name)) continue;
    const span = spanOf(target.node);
    const dependency = services.get(target.name);
    if (!dependency) {
      const suggestion = closest(target.name, serviceNames);
      sink.add(
        'WF043',
        'error',
        `service '${service.name}' depends on '${target.name}', which is not a service of this template${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
        span,
        { data: { suggestion } },
      );
      continue;
    }
    dependencies.push({ from: service.name, to: target.name, span });
    // A condition outside the allowed ones is the schema's WF103.
    if (isScalar(target.condition) && typeof target.condition.value === 'string' && !hasJinja(target.condition.value)) {
      const condition = target.condition.value;
      if (condition === 'service_healthy' && !hasHealthcheck(dependency, document)) {
        sink.add(
          'WF043',
          'warning',
          `'${target.name}' has no healthcheck (its image may define one; otherwise the deployment waits until it fails)`,
          spanOf(target.condition),
        );
      }
    }
  }
}

function hasHealthcheck(service: ServiceInfo, document: Document): boolean {
  const healthcheck = service.fields.get('healthcheck')?.value;
  if (!isMap(healthcheck)) return false;
  const fields = entries(healthcheck, document);
  const disable = fields.get('disable')?.value;
  if (isScalar(disable) && disable.value === true) return false;
  const test = fields.get('test')?.value;
  const head = isSeq(test) ? test.items[0] : test;
  return !(isScalar(head) && head.value === 'NONE');
}

function checkServiceConfigsAndSecrets(
  service: ServiceInfo,
  configNames: Set<string>,
  secretNames: Set<string>,
  document: Document,
  sink: DiagnosticSink,
): void {
  for (const [kind, declared] of [
    ['configs', configNames],
    ['secrets', secretNames],
  ] as const) {
    const list = service.fields.get(kind)?.value;
    for (const rawItem of isSeq(list) ? list.items : []) {
      const item = resolve(rawItem as Node, document);
      const sourceNode = isMap(item) ? entries(item, document).get('source')?.value : item;
      const source = scalarString(sourceNode);
      if (!sourceNode || source === undefined || hasJinja(source) || declared.has(source)) continue;
      const suggestion = closest(source, declared);
      sink.add(
        'WF043',
        'error',
        `service '${service.name}' uses ${kind.slice(0, -1)} '${source}', which is not declared under the top-level \`${kind}\`${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
        spanOf(sourceNode),
        { data: { suggestion } },
      );
    }
  }
}

function checkServiceNetworks(
  service: ServiceInfo,
  networkNames: Set<string>,
  document: Document,
  sink: DiagnosticSink,
): void {
  const networks = service.fields.get('networks')?.value ?? null;
  const used: { name: string; node: Node }[] = [];
  if (isSeq(networks)) {
    for (const item of networks.items) {
      const node = resolve(item as Node, document);
      if (isScalar(node) && typeof node.value === 'string') used.push({ name: node.value, node });
    }
  } else if (isMap(networks)) {
    for (const entry of entries(networks, document).values()) used.push({ name: entry.name, node: entry.key });
  }
  for (const { name, node } of used) {
    if (name === 'default' || networkNames.has(name) || hasJinja(name)) continue;
    const suggestion = closest(name, networkNames);
    sink.add(
      'WF043',
      'error',
      `service '${service.name}' uses network '${name}', which is not declared under the top-level \`networks\`${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
      spanOf(node),
      { data: { suggestion } },
    );
  }
}

function checkServiceVolumes(
  service: ServiceInfo,
  volumeNames: Set<string>,
  document: Document,
  sink: DiagnosticSink,
): void {
  const volumes = service.fields.get('volumes')?.value;
  if (!isSeq(volumes)) return;
  for (const rawItem of volumes.items) {
    const item = resolve(rawItem as Node, document);
    if (isScalar(item) && typeof item.value === 'string') {
      checkShortVolume(service, item as Scalar<string>, volumeNames, sink);
    } else if (isMap(item)) {
      const fields = entries(item, document);
      const type = scalarString(fields.get('type')?.value);
      const source = fields.get('source')?.value;
      const sourceText = scalarString(source);
      if (sourceText === undefined || hasJinja(sourceText) || !isScalar(source)) continue;
      if (type === 'volume') checkNamedVolume(service, sourceText, spanOf(source), volumeNames, sink);
      else if (type === 'bind' && sourceText.startsWith('.')) reportRelativeBind(sourceText, spanOf(source), sink);
    }
  }
}

function checkShortVolume(
  service: ServiceInfo,
  item: Scalar<string>,
  volumeNames: Set<string>,
  sink: DiagnosticSink,
): void {
  const text = item.value;
  const span = spanOf(item);
  if (hasJinja(text)) {
    // The literal start of the string is known before rendering.
    if (text.startsWith('.')) reportRelativeBind(text.split(':')[0], { start: span.start, end: span.end }, sink);
    return;
  }
  // `${MEDIA_PATH}:/media` is whatever the environment says; a default (`${DATA:-./data}`) is checked.
  const interpolated = interpolateComposeDefaults(text);
  if (interpolated === undefined) return;
  const parsed = parseVolumeSpec(interpolated);
  if (!parsed.ok) {
    sink.add('WF043', 'error', `invalid volume: ${parsed.error}`, span);
    return;
  }
  const { volume } = parsed;
  if (volume.type === 'volume' && volume.source !== undefined) {
    checkNamedVolume(service, volume.source, span, volumeNames, sink);
  } else if (volume.type === 'bind' && volume.source?.startsWith('.')) {
    reportRelativeBind(volume.source, span, sink);
  }
}

function checkNamedVolume(
  service: ServiceInfo,
  name: string,
  span: Span,
  volumeNames: Set<string>,
  sink: DiagnosticSink,
): void {
  if (volumeNames.has(name)) return;
  const suggestion = closest(name, volumeNames);
  sink.add(
    'WF043',
    'error',
    `service '${service.name}' mounts volume '${name}', which is not declared under the top-level \`volumes\`${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
    span,
    { data: { suggestion } },
  );
}

function reportRelativeBind(source: string, span: Span, sink: DiagnosticSink): void {
  sink.add(
    'WF043',
    'warning',
    `relative bind mount '${source}' has no directory to resolve against: upstream WindFlow writes the Compose file to /tmp/windflow-deployments/<id>/, where it does not exist (Docker creates an empty directory instead), and the Docker Engine API needs absolute paths; use a named volume or \`configs\``,
    span,
  );
}

/**
 * `include`, `env_file` and `label_file` read files next to the Compose file (WF109). A WindFlow template has none:
 * upstream writes the rendered file alone into a folder of its own, and this extension deploys through the Engine API.
 */
function reportFilesBesideTheComposeFile(key: string, keyNode: Scalar, sink: DiagnosticSink): void {
  const instead =
    key === 'include'
      ? 'write the included services into this template'
      : key === 'env_file'
        ? 'put the values in `environment` (stack variables make them configurable)'
        : 'put the labels in `labels`';
  sink.add(
    'WF109',
    'warning',
    `\`${key}\` reads files next to the Compose file, and a WindFlow deployment has none: upstream docker compose fails to find them and this extension's deploy does not apply it; ${instead}`,
    spanOf(keyNode),
  );
}

/** Two mounts on one path (a bind and a config, say): only one of them is visible in the container. */
function checkMountTargets(service: ServiceInfo, document: Document, sink: DiagnosticSink): void {
  const mounts: { target: string; node: Node; label: string }[] = [];
  const volumes = service.fields.get('volumes')?.value;
  for (const rawItem of isSeq(volumes) ? volumes.items : []) {
    const item = resolve(rawItem as Node, document);
    const text = scalarString(item);
    const interpolated = text === undefined ? undefined : interpolateComposeDefaults(text);
    if (item && text !== undefined && interpolated !== undefined && !hasJinja(text)) {
      const parsed = parseVolumeSpec(interpolated);
      if (parsed.ok) mounts.push({ target: parsed.volume.target, node: item, label: `volume '${text}'` });
    } else if (isMap(item)) {
      const targetNode = entries(item, document).get('target')?.value;
      const target = scalarString(targetNode);
      if (targetNode && target !== undefined)
        mounts.push({ target, node: targetNode, label: `volume target '${target}'` });
    }
  }
  for (const [kind, defaultDirectory] of [
    ['configs', '/'],
    ['secrets', '/run/secrets/'],
  ] as const) {
    const list = service.fields.get(kind)?.value;
    for (const rawItem of isSeq(list) ? list.items : []) {
      const item = resolve(rawItem as Node, document);
      const fields = isMap(item) ? entries(item, document) : undefined;
      const sourceNode = fields ? fields.get('source')?.value : item;
      const targetNode = fields?.get('target')?.value;
      const source = scalarString(sourceNode);
      const target = scalarString(targetNode) ?? (source === undefined ? undefined : `${defaultDirectory}${source}`);
      const node = targetNode ?? sourceNode;
      if (target !== undefined && node)
        mounts.push({ target, node, label: `${kind.slice(0, -1)} '${source ?? target}'` });
    }
  }
  const seen = new Map<string, string>();
  for (const mount of mounts) {
    const earlier = seen.get(mount.target);
    if (earlier) {
      sink.add(
        'WF043',
        'warning',
        `service '${service.name}' mounts '${mount.target}' twice (also as ${earlier}): only one of the two is visible in the container; keep one`,
        spanOf(mount.node),
      );
    } else seen.set(mount.target, mount.label);
  }
}

function checkServicePorts(service: ServiceInfo, document: Document, sink: DiagnosticSink): void {
  const ports = service.fields.get('ports')?.value;
  if (!isSeq(ports)) return;
  for (const rawItem of ports.items) {
    const item = resolve(rawItem as Node, document);
    if (!isScalar(item)) continue;
    if (typeof item.value === 'string' && hasJinja(item.value)) continue;
    if (typeof item.value !== 'string' && typeof item.value !== 'number') continue;
    const spec = typeof item.value === 'string' ? interpolateComposeDefaults(item.value) : item.value;
    if (spec === undefined) continue;
    const parsed = parsePortSpec(spec);
    if (!parsed.ok)
      sink.add('WF043', 'error', `invalid port mapping in service '${service.name}': ${parsed.error}`, spanOf(item));
  }
}

/** Reports each `depends_on` cycle once, on the entry that closes it. Iterative: long chains must not overflow. */
function checkDependencyCycles(dependencies: Dependency[], sink: DiagnosticSink): void {
  const edges = new Map<string, Dependency[]>();
  for (const dependency of dependencies) {
    const list = edges.get(dependency.from);
    if (list) list.push(dependency);
    else edges.set(dependency.from, [dependency]);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  for (const root of edges.keys()) {
    if (state.has(root)) continue;
    const path: { name: string; next: number }[] = [{ name: root, next: 0 }];
    state.set(root, 'visiting');
    while (path.length > 0) {
      const frame = path[path.length - 1];
      const edge = edges.get(frame.name)?.[frame.next++];
      if (!edge) {
        state.set(frame.name, 'done');
        path.pop();
        continue;
      }
      const seen = state.get(edge.to);
      if (seen === 'visiting') {
        const names = path.map((step) => step.name);
        const members = names.slice(names.indexOf(edge.to));
        // A long cycle is shown by its ends; the services in between are easy to follow from there.
        const cycle =
          members.length > 8
            ? [...members.slice(0, 3), `… (${members.length - 5} more)`, ...members.slice(-2), edge.to]
            : [...members, edge.to];
        sink.add(
          'WF043',
          'error',
          `depends_on cycle: ${cycle.join(' → ')}; Compose cannot start any of these services`,
          edge.span,
        );
      } else if (seen === undefined) {
        state.set(edge.to, 'visiting');
        path.push({ name: edge.to, next: 0 });
      }
    }
  }
}

/** `$` that docker compose would interpolate: `$NAME`, `${NAME…}`, or a lone `$` (which it rejects). `$$` escapes. */
const DOLLAR = /\$(\$|\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*)?/g;

function checkDollarSigns(model: StackModel, sink: DiagnosticSink): void {
  for (const leaf of model.leaves) {
    if (leaf.scope !== 'template' || !leaf.value.includes('$')) continue;
    // `$` produced by an expression is covered by checkGeneratedPasswords; only literal text is looked at here.
    const literal = literalText(leaf.value, leaf.scan.segments);
    for (const match of literal.matchAll(DOLLAR)) {
      const written = match[0];
      if (written === '$$') continue;
      const span = leafSpan(leaf, { start: match.index, end: match.index + written.length });
      const fallback = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?-(.*)\}$/s.exec(written)?.[1];
      if (fallback !== undefined) {
        // With a default the value is known: only the way to configure it differs.
        sink.add(
          'WF043',
          'information',
          `docker compose takes \`${written}\` from the environment it runs in, where WindFlow sets nothing, so it is '${fallback}'; a stack variable (\`{{ … }}\`) makes it configurable in the deploy form`,
          span,
        );
        continue;
      }
      const message =
        written === '$'
          ? 'a lone `$` makes docker compose reject the file ("invalid interpolation format"): write `$$`'
          : `docker compose replaces \`${written}\` with a variable of the environment it runs in (upstream: the WindFlow API process, where it is normally unset, so it becomes empty): write \`$${written}\` to keep it literally`;
      sink.add('WF043', 'warning', message, span, { data: { replacement: `$${written}` } });
    }
  }
}

/**
 * A value that reaches the Compose file through `{{ … }}` is interpolated by docker compose too: a generated password
 * with special characters may contain `$`, and a literal default with `$` certainly does. Reported where the value
 * enters the template, since that is where escaping would be needed.
 */
function checkGeneratedPasswords(model: StackModel, sink: DiagnosticSink): void {
  const generated = new Set<VariableDecl>();
  for (const site of model.references) {
    const owner = site.leaf.owner;
    if (
      site.leaf.scope === 'variables' &&
      owner &&
      site.leaf.path.at(-1) === 'default' &&
      mayContainDollar(site.reference)
    ) {
      generated.add(owner);
    }
  }
  for (const site of model.references) {
    if (site.leaf.scope !== 'template') continue;
    const decl = site.member ?? site.variable;
    if (site.reference.name === 'generate_password' && !site.variable && mayContainDollar(site.reference)) {
      sink.add(
        'WF043',
        'information',
        'generate_password() here may produce `$`, which docker compose interpolates: use generate_password(n, False) in a Compose file',
        site.span,
      );
    } else if (decl && generated.has(decl)) {
      sink.add(
        'WF043',
        'information',
        `the generated default of '${decl.qualifiedName}' may contain \`$\`, which docker compose interpolates: use generate_password(n, False) for values that end up in a Compose file`,
        site.fullSpan,
      );
    } else if (decl && hasUnescapedDollar(decl.definition.default)) {
      // The value itself is not repeated: it may be a password.
      sink.add(
        'WF043',
        'warning',
        `the default of '${decl.qualifiedName}' contains \`$\`, which docker compose interpolates when it reaches the Compose file: write \`$$\` in the default`,
        site.fullSpan,
      );
    }
  }
}

function hasUnescapedDollar(value: unknown): boolean {
  return typeof value === 'string' && !hasJinja(value) && value.replaceAll('$$', '').includes('$');
}

function mayContainDollar(reference: JinjaReference): boolean {
  if (reference.name !== 'generate_password' || !reference.call) return false;
  const args = reference.call.args;
  const includeSpecial = args.find((arg) => arg.keyword === 'include_special') ?? args.filter((arg) => !arg.keyword)[1];
  if (!includeSpecial) return true;
  return !(
    includeSpecial.isLiteral &&
    (includeSpecial.literal === false || includeSpecial.literal === 0 || includeSpecial.literal === null)
  );
}

function declaredNames(entry: Entry | undefined, document: Document): Set<string> {
  return new Set(isMap(entry?.value) ? entries(entry.value, document).keys() : []);
}

/** The entries of a mapping with YAML 1.1 merge keys applied (explicit keys first, then merged ones not overridden). */
export function entries(node: Node | null | undefined, document: Document, depth = 0): Map<string, Entry> {
  const result = new Map<string, Entry>();
  const map = resolve(node, document);
  if (!isMap(map) || depth > MAX_MERGE_DEPTH) return result;
  const merged: Entry[] = [];
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    if (typeof pair.key.value === 'symbol' || pair.key.source === '<<') {
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const source of sources) merged.push(...entries(source as Node, document, depth + 1).values());
      continue;
    }
    const value = resolve(pair.value as Node | null, document);
    result.set(String(pair.key.value), { name: String(pair.key.value), key: pair.key, value });
  }
  for (const entry of merged) if (!result.has(entry.name)) result.set(entry.name, entry);
  return result;
}

function resolve(node: Node | null | undefined, document: Document): Node | null {
  if (isAlias(node)) return (node.resolve(document) as Node | undefined) ?? null;
  return node ?? null;
}

function scalarString(node: Node | null | undefined): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}
