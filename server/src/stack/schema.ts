/**
 * The JSON Schema of a stack file (schemas/stack.schema.json): validation by the code ajv generated from it at build
 * time (schemas/structureValidator.ts), and the key documentation that completion and hover show. The JSON is
 * imported so esbuild bundles it into the server and the CLI.
 */
import type { ErrorObject } from 'ajv';
import stackSchema from '../../../schemas/stack.schema.json';
import validate from './generated/structureValidator';
import type { Path } from './model';

export type SchemaError = ErrorObject;

/** The part of a schema node that navigation and docs read. */
interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  default?: unknown;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
}

export interface KeyDescription {
  description?: string;
  enum?: unknown[];
  type?: string;
  properties?: string[];
}

export interface KeyInfo {
  name: string;
  description?: string;
  required: boolean;
}

const ROOT = stackSchema as unknown as SchemaNode & { $defs: Record<string, SchemaNode> };

/** The definition that describes `template` for each target type (vm/physical have no fixed shape). */
const TEMPLATE_DEFINITION: Record<string, string> = {
  docker: 'dockerTemplate',
  docker_compose: 'composeTemplate',
  docker_swarm: 'composeTemplate',
  kubernetes: 'kubernetesObject',
};

/** ajv errors of the parsed stack data (empty when valid). */
export function validateStructure(data: unknown): SchemaError[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  // Refs only point into $defs; the bound stops a malformed self-reference from looping.
  for (let hops = 0; current?.$ref && hops < 10; hops++) {
    const name = current.$ref.replace(/^#\/\$defs\//, '');
    current = ROOT.$defs[name];
  }
  return current;
}

function child(node: SchemaNode | undefined, segment: string | number): SchemaNode | undefined {
  const parent = resolve(node);
  if (!parent) return undefined;
  if (typeof segment === 'number') return resolve(parent.items);
  const property = parent.properties?.[segment];
  if (property) return resolve(property);
  for (const [pattern, patternNode] of Object.entries(parent.patternProperties ?? {})) {
    if (new RegExp(pattern).test(segment)) return resolve(patternNode);
  }
  return typeof parent.additionalProperties === 'object' ? resolve(parent.additionalProperties) : undefined;
}

function templateNode(targetType?: string): SchemaNode | undefined {
  const definition = targetType ? TEMPLATE_DEFINITION[targetType] : undefined;
  return definition ? ROOT.$defs[definition] : undefined;
}

/** The schema node at a document path; `template` follows the shape of the given target type. */
function nodeAt(path: Path, targetType?: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = ROOT;
  for (let index = 0; index < path.length && node; index++) {
    const segment = path[index];
    if (index === 0 && segment === 'template' && path.length > 1) {
      node = templateNode(targetType);
      continue;
    }
    node = child(node, segment);
  }
  return node;
}

function typeLabel(node: SchemaNode): string | undefined {
  if (Array.isArray(node.type)) return node.type.join(' | ');
  return node.type;
}

/** Documentation of the key at `path` (e.g. ['variables', 'db_port', 'minimum']), for hover. */
export function describeKey(path: Path, targetType?: string): KeyDescription | undefined {
  const node = nodeAt(path, targetType);
  if (!node) return undefined;
  const described: KeyDescription = {};
  if (node.description) described.description = node.description;
  if (node.enum) described.enum = node.enum;
  const type = typeLabel(node);
  if (type) described.type = type;
  const properties = keysOf(path, node, targetType).map((key) => key.name);
  if (properties.length > 0) described.properties = properties;
  return described;
}

function keysOf(path: Path, node: SchemaNode, targetType?: string): KeyInfo[] {
  // The children of `template` come from the target type's shape, not from the generic `template` node.
  const container = path.length === 1 && path[0] === 'template' ? templateNode(targetType) : node;
  if (!container?.properties) return [];
  const required = new Set(container.required ?? []);
  return Object.entries(container.properties).map(([name, property]) => ({
    name,
    description: resolve(property)?.description,
    required: required.has(name),
  }));
}

/** The keys that may be written in the mapping at `path` (e.g. ['metadata'] or ['template', 'services', 'web']). */
export function keysAt(path: Path, targetType?: string): KeyInfo[] {
  const node = nodeAt(path, targetType);
  return node ? keysOf(path, node, targetType) : [];
}

/** Names of the properties the schema declares at a path, for unknown-key checks. */
export function knownKeysAt(path: Path): string[] {
  return Object.keys(nodeAt(path)?.properties ?? {});
}
