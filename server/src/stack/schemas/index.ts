/**
 * The schema of `template` for each target type, for completion and hover (the checks call their schema directly).
 * A target type registers a function from the template data and a path inside it to the schemas that apply there,
 * so a family whose schema depends on the content (Kubernetes: `apiVersion` and `kind`) can pick it.
 */
import type { Path } from '../model';
import { CompiledSchema, JsonSchema } from '../schemaEngine';
import { composeSchema } from './compose';
import { locateKubernetes } from './kubernetesTemplate';

export interface SchemaLocation {
  compiled: CompiledSchema;
  /** The subschemas at the path (every alternative that has it); empty when the path leaves the schema. */
  schemas: JsonSchema[];
}

type Locate = (template: unknown, path: Path) => SchemaLocation | undefined;

const composeLocate: Locate = (_template, path) => ({ compiled: composeSchema, schemas: composeSchema.schemaAt(path) });

const TEMPLATE_SCHEMAS: Record<string, Locate> = {
  docker_compose: composeLocate,
  docker_swarm: composeLocate,
  kubernetes: locateKubernetes,
};

/** The schemas at `path` inside `template` (`path` without the leading 'template'). */
export function templateSchemaAt(
  targetType: string | undefined,
  template: unknown,
  path: Path,
): SchemaLocation | undefined {
  const locate = targetType ? TEMPLATE_SCHEMAS[targetType] : undefined;
  return locate?.(template, path);
}
