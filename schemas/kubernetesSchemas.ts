/**
 * Generates server/src/stack/generated/kubernetes/: JSON Schemas of every built-in Kubernetes kind, read with the
 * TypeScript compiler API from the type definitions of the npm package `kubernetes-types` (one interface per API type,
 * each field with its doc comment; a field that is not optional is required).
 *
 * Output: one `<group>.<version>.json` per definitions module (`core.v1.json`: `{ "$defs": { "core.v1.Pod": … } }`,
 * references as `#/$defs/<module>.<Type>`), and `index.json` listing the top-level kinds with their apiVersion and
 * definition. The language server reads a module only when a stack uses a kind that needs it, so a Compose stack never
 * pays for Kubernetes. `npm run build` regenerates the files and a test fails when they are stale.
 *
 * Run: tsx schemas/kubernetesSchemas.ts
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const KUBERNETES_TYPES_DIRECTORY = path.resolve(__dirname, '../node_modules/kubernetes-types');
export const GENERATED_KUBERNETES_DIRECTORY = path.resolve(__dirname, '../server/src/stack/generated/kubernetes');

type JsonSchema = Record<string, unknown>;

/** The generated files by name (`index.json`, `core.v1.json`, …) with their text. */
export type GeneratedFiles = Map<string, string>;

export interface KindEntry {
  apiVersion: string;
  kind: string;
  /** Key in `$defs` of the kind's module: `apps.v1.Deployment`. */
  definition: string;
}

/**
 * Fields whose doc comment names a closed set of values; the generator checks that the comment still mentions every
 * value, so a new kubernetes-types version cannot silently make a list wrong. Keys are `<module>.<Type>.<field>`;
 * for list fields the values apply to the items.
 */
const ENUMS: Record<string, readonly string[]> = {
  'core.v1.Container.imagePullPolicy': ['Always', 'Never', 'IfNotPresent'],
  'core.v1.EphemeralContainer.imagePullPolicy': ['Always', 'Never', 'IfNotPresent'],
  'core.v1.Container.terminationMessagePolicy': ['File', 'FallbackToLogsOnError'],
  'core.v1.EphemeralContainer.terminationMessagePolicy': ['File', 'FallbackToLogsOnError'],
  'core.v1.ContainerPort.protocol': ['UDP', 'TCP', 'SCTP'],
  'core.v1.ServicePort.protocol': ['TCP', 'UDP', 'SCTP'],
  'core.v1.EndpointPort.protocol': ['TCP', 'UDP', 'SCTP'],
  'networking.v1.NetworkPolicyPort.protocol': ['TCP', 'UDP', 'SCTP'],
  'core.v1.ServiceSpec.type': ['ExternalName', 'ClusterIP', 'NodePort', 'LoadBalancer'],
  'core.v1.ServiceSpec.sessionAffinity': ['ClientIP', 'None'],
  'core.v1.ServiceSpec.externalTrafficPolicy': ['Local', 'Cluster'],
  'core.v1.ServiceSpec.internalTrafficPolicy': ['Local', 'Cluster'],
  'core.v1.PodSpec.restartPolicy': ['Always', 'OnFailure', 'Never'],
  'core.v1.PodSpec.dnsPolicy': ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'],
  'core.v1.PodSpec.preemptionPolicy': ['Never', 'PreemptLowerPriority'],
  'core.v1.Toleration.operator': ['Exists', 'Equal'],
  'core.v1.Toleration.effect': ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
  'core.v1.Taint.effect': ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
  'core.v1.NodeSelectorRequirement.operator': ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'],
  'core.v1.PersistentVolumeSpec.persistentVolumeReclaimPolicy': ['Retain', 'Delete', 'Recycle'],
  'meta.v1.LabelSelectorRequirement.operator': ['In', 'NotIn', 'Exists', 'DoesNotExist'],
  'apps.v1.DeploymentStrategy.type': ['Recreate', 'RollingUpdate'],
  'apps.v1.StatefulSetSpec.podManagementPolicy': ['OrderedReady', 'Parallel'],
  'batch.v1.CronJobSpec.concurrencyPolicy': ['Allow', 'Forbid', 'Replace'],
  'batch.v1.JobSpec.completionMode': ['NonIndexed', 'Indexed'],
  'networking.v1.HTTPIngressPath.pathType': ['Exact', 'Prefix', 'ImplementationSpecific'],
  'networking.v1.NetworkPolicySpec.policyTypes': ['Ingress', 'Egress'],
  'apiextensions.v1.CustomResourceDefinitionSpec.scope': ['Cluster', 'Namespaced'],
};

/** The few fractional numbers of the API (JSON Schema bounds in CustomResourceDefinitions); every other number is an integer. */
const FRACTIONAL_NUMBERS = new Set([
  'apiextensions.v1.JSONSchemaProps.maximum',
  'apiextensions.v1.JSONSchemaProps.minimum',
  'apiextensions.v1.JSONSchemaProps.multipleOf',
]);

/**
 * Fields the API has but kubernetes-types leaves out: the `x-kubernetes-*` extensions of a CustomResourceDefinition's
 * structural schema (their JSON names are not TypeScript identifiers). Descriptions are ours.
 */
const MISSING_FIELDS: Record<string, Record<string, JsonSchema>> = {
  'apiextensions.v1.JSONSchemaProps': {
    'x-kubernetes-embedded-resource': {
      type: 'boolean',
      description: 'The value is a whole Kubernetes object (apiVersion, kind, metadata), validated as one.',
    },
    'x-kubernetes-int-or-string': {
      type: 'boolean',
      description: 'The value may be an integer or a string (like a port or a percentage).',
    },
    'x-kubernetes-list-map-keys': {
      type: 'array',
      items: { type: 'string' },
      description: 'With `x-kubernetes-list-type: map`: the fields that identify an item of the list.',
    },
    'x-kubernetes-list-type': {
      type: 'string',
      enum: ['atomic', 'set', 'map'],
      description: 'How server-side apply merges the list: replaced whole (atomic), as a set, or by key (map).',
    },
    'x-kubernetes-map-type': {
      type: 'string',
      enum: ['granular', 'atomic'],
      description: 'How server-side apply merges the map: field by field (granular) or replaced whole (atomic).',
    },
    'x-kubernetes-preserve-unknown-fields': {
      type: 'boolean',
      description: 'Fields the schema does not declare are kept instead of pruned.',
    },
    'x-kubernetes-validations': {
      type: 'array',
      items: { $ref: '#/$defs/apiextensions.v1.ValidationRule' },
      description: 'CEL rules the value must satisfy.',
    },
  },
};

/**
 * Types that are not what their TypeScript shape says: `Quantity` is written `500m` or `2`, `Time` as RFC 3339 text,
 * `RawExtension`, `JSON` and `FieldsV1` hold anything.
 */
const SPECIAL_TYPES: Record<string, JsonSchema> = {
  'api.resource.Quantity': {
    type: ['string', 'number'],
    // The quantity syntax of apimachinery: a decimal number with a binary (Ki…Ei), decimal (n, u, m, k, M…E) or
    // exponent suffix. `512MB` or `1 Gi` are the usual mistakes.
    pattern: '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$',
    description: 'a quantity: a number with an optional suffix, such as 500m, 2, 1.5, 128Mi, 1Gi or 1G',
  },
  'meta.v1.Time': { type: 'string' },
  'meta.v1.MicroTime': { type: 'string' },
  'runtime.RawExtension': {},
  'apiextensions.v1.JSON': {},
  'meta.v1.FieldsV1': {},
};

/** `core/v1.d.ts` → `core.v1`. */
function moduleIdOf(fileName: string): string {
  return path
    .relative(KUBERNETES_TYPES_DIRECTORY, fileName)
    .replace(/\.d\.ts$/, '')
    .split(path.sep)
    .join('.');
}

function declarationFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return declarationFiles(full);
    return entry.name.endsWith('.d.ts') && entry.name !== 'version.d.ts' ? [full] : [];
  });
}

function docOf(node: ts.Node): string | undefined {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  const comment = docs?.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '').join('\n\n');
  return comment ? comment.trim() : undefined;
}

function propertyNameOf(name: ts.PropertyName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  throw new Error(`unsupported property name ${name.getText()}`);
}

/**
 * The API server reads `null` in an optional field as "not set", and kubectl writes some (`creationTimestamp: null`
 * in every generated manifest): optional scalars and lists accept it. Enums stay closed, objects stay objects.
 */
function nullable(schema: JsonSchema): JsonSchema {
  if (schema.enum || schema.type === undefined) return schema;
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  if (types.includes('object')) return schema;
  return { ...schema, type: [...types, 'null'] };
}

/** An API object: its interface has `apiVersion` and `kind` fields. */
function isObjectKind(declaration: ts.InterfaceDeclaration): boolean {
  const fields = new Set(declaration.members.map((member) => member.name?.getText()));
  return fields.has('apiVersion') && fields.has('kind');
}

class Generator {
  private readonly checker: ts.TypeChecker;
  private readonly modules = new Map<string, Record<string, JsonSchema>>();
  readonly kinds: KindEntry[] = [];

  constructor(private readonly program: ts.Program) {
    this.checker = program.getTypeChecker();
  }

  run(): void {
    const files = this.program.getSourceFiles().filter((file) => file.fileName.startsWith(KUBERNETES_TYPES_DIRECTORY));
    for (const file of files) {
      const moduleId = moduleIdOf(file.fileName);
      for (const statement of file.statements) {
        if (ts.isInterfaceDeclaration(statement)) this.addInterface(moduleId, statement);
        else if (ts.isTypeAliasDeclaration(statement)) this.addAlias(moduleId, statement);
      }
    }
    for (const field of Object.keys(ENUMS)) {
      if (!this.usedEnums.has(field)) throw new Error(`enum table names ${field}, which kubernetes-types lacks`);
    }
    this.kinds.sort((a, b) => a.apiVersion.localeCompare(b.apiVersion) || a.kind.localeCompare(b.kind));
  }

  private readonly usedEnums = new Set<string>();

  private define(moduleId: string, name: string, schema: JsonSchema): void {
    let definitions = this.modules.get(moduleId);
    if (!definitions) this.modules.set(moduleId, (definitions = {}));
    definitions[`${moduleId}.${name}`] = schema;
  }

  private addAlias(moduleId: string, alias: ts.TypeAliasDeclaration): void {
    const id = `${moduleId}.${alias.name.text}`;
    if (id in SPECIAL_TYPES) return;
    this.define(moduleId, alias.name.text, this.withDescription(this.typeSchema(alias.type, id), docOf(alias)));
  }

  private addInterface(moduleId: string, declaration: ts.InterfaceDeclaration): void {
    const name = declaration.name.text;
    const id = `${moduleId}.${name}`;
    if (id in SPECIAL_TYPES) return;
    const members = declaration.members.filter(ts.isPropertySignature);
    // An interface without fields is a free-form object in the API (for example a status subresource marker).
    if (members.length === 0) {
      this.define(moduleId, name, this.withDescription({ type: 'object' }, docOf(declaration)));
      return;
    }
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    let apiVersion: string | undefined;
    let kind: string | undefined;
    for (const member of members) {
      const field = propertyNameOf(member.name);
      const fieldId = `${id}.${field}`;
      const description = docOf(member);
      const readonly = member.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ReadonlyKeyword);
      if (readonly || (field === 'status' && isObjectKind(declaration))) {
        // Written by the cluster: accepted as is (`kubectl create -o yaml` writes `status: {}`), never checked.
        properties[field] = this.withDescription({}, description);
        continue;
      }
      if (!member.type) throw new Error(`${fieldId} has no type`);
      let schema = this.typeSchema(member.type, fieldId);
      const values = ENUMS[fieldId];
      if (values) schema = this.withEnum(schema, values, fieldId, description);
      if (member.questionToken) schema = nullable(schema);
      else required.push(field);
      properties[field] = this.withDescription(schema, description);
      const literal = ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal);
      if (literal && field === 'apiVersion') apiVersion = (member.type.literal as ts.StringLiteral).text;
      if (literal && field === 'kind') kind = (member.type.literal as ts.StringLiteral).text;
    }
    Object.assign(properties, MISSING_FIELDS[id]);
    const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
    if (required.length > 0) schema.required = required;
    this.define(moduleId, name, this.withDescription(schema, docOf(declaration)));
    // Lists of a kind (DeploymentList) are read results, and meta.v1 holds the discovery documents (APIGroup…):
    // none of them is something a stack applies.
    const applicable = !(kind?.endsWith('List') && 'items' in properties) && moduleId !== 'meta.v1';
    if (apiVersion !== undefined && kind !== undefined && applicable) {
      this.kinds.push({ apiVersion, kind, definition: id });
    }
  }

  private withEnum(schema: JsonSchema, values: readonly string[], fieldId: string, description?: string): JsonSchema {
    const missing = values.filter((value) => !description?.includes(value));
    if (missing.length > 0) throw new Error(`${fieldId}: the doc comment no longer mentions ${missing.join(', ')}`);
    this.usedEnums.add(fieldId);
    if (schema.type === 'array') return { ...schema, items: { type: 'string', enum: values } };
    if (schema.type !== 'string') throw new Error(`${fieldId} is not a string`);
    return { type: 'string', enum: values };
  }

  private withDescription(schema: JsonSchema, description: string | undefined): JsonSchema {
    return description ? { ...schema, description } : schema;
  }

  private typeSchema(node: ts.TypeNode, fieldId: string): JsonSchema {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword:
        return { type: FRACTIONAL_NUMBERS.has(fieldId) ? 'number' : 'integer' };
    }
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) {
      return { type: 'string', enum: [node.literal.text] };
    }
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.typeSchema(node.elementType, fieldId) };
    if (ts.isUnionTypeNode(node)) {
      const kinds = node.types.map((member) => member.kind);
      // `number | string`: an IntOrString (a port number or its name, a count or a percentage).
      if (
        kinds.length === 2 &&
        kinds.includes(ts.SyntaxKind.NumberKeyword) &&
        kinds.includes(ts.SyntaxKind.StringKeyword)
      ) {
        return { type: ['integer', 'string'] };
      }
      return { anyOf: node.types.map((member) => this.typeSchema(member, fieldId)) };
    }
    if (ts.isTypeLiteralNode(node)) {
      const [index] = node.members;
      if (node.members.length === 1 && index && ts.isIndexSignatureDeclaration(index)) {
        return { type: 'object', additionalProperties: this.typeSchema(index.type, fieldId) };
      }
      throw new Error(`${fieldId}: unsupported inline object type`);
    }
    if (ts.isTypeReferenceNode(node)) {
      const name = node.typeName.getText();
      if (name === 'Array' && node.typeArguments?.length === 1) {
        return { type: 'array', items: this.typeSchema(node.typeArguments[0]!, fieldId) };
      }
      const target = this.definitionIdOf(node.typeName);
      return SPECIAL_TYPES[target] ?? { $ref: `#/$defs/${target}` };
    }
    throw new Error(`${fieldId}: unsupported type ${ts.SyntaxKind[node.kind]}`);
  }

  /** `core.v1.Container` for a reference to Container, following imports across modules. */
  private definitionIdOf(name: ts.EntityName): string {
    let symbol = this.checker.getSymbolAtLocation(name);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.[0];
    if (!symbol || !declaration) throw new Error(`cannot resolve type ${name.getText()}`);
    return `${moduleIdOf(declaration.getSourceFile().fileName)}.${symbol.name}`;
  }

  /** Definitions a kind uses, directly or not: statuses, lists and API machinery nobody writes are left out. */
  private reachable(): Set<string> {
    const all = new Map([...this.modules.values()].flatMap((definitions) => Object.entries(definitions)));
    const reached = new Set<string>();
    const visit = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      for (const [keyword, child] of Object.entries(value)) {
        if (keyword === '$ref' && typeof child === 'string') {
          const id = child.slice('#/$defs/'.length);
          if (!reached.has(id)) {
            reached.add(id);
            visit(all.get(id));
          }
        } else visit(child);
      }
    };
    for (const kind of this.kinds) visit({ $ref: `#/$defs/${kind.definition}` });
    return reached;
  }

  files(): GeneratedFiles {
    const files: GeneratedFiles = new Map();
    const source = `kubernetes-types ${packageVersion()}`;
    const reachable = this.reachable();
    files.set('index.json', `${JSON.stringify({ source, kinds: this.kinds }, null, 1)}\n`);
    for (const [moduleId, definitions] of [...this.modules].sort(([a], [b]) => a.localeCompare(b))) {
      const used = Object.entries(definitions).filter(([id]) => reachable.has(id));
      if (used.length > 0) {
        files.set(`${moduleId}.json`, `${JSON.stringify({ source, $defs: Object.fromEntries(used) })}\n`);
      }
    }
    return files;
  }
}

function packageVersion(): string {
  const manifest = readFileSync(path.join(KUBERNETES_TYPES_DIRECTORY, 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** Every generated file, computed from node_modules/kubernetes-types. */
export function kubernetesSchemaFiles(): GeneratedFiles {
  const program = ts.createProgram(declarationFiles(KUBERNETES_TYPES_DIRECTORY), {
    noEmit: true,
    types: [],
    noResolve: false,
  });
  const generator = new Generator(program);
  generator.run();
  return generator.files();
}

if (require.main === module) {
  const files = kubernetesSchemaFiles();
  rmSync(GENERATED_KUBERNETES_DIRECTORY, { recursive: true, force: true });
  mkdirSync(GENERATED_KUBERNETES_DIRECTORY, { recursive: true });
  for (const [name, text] of files) writeFileSync(path.join(GENERATED_KUBERNETES_DIRECTORY, name), text);
}
