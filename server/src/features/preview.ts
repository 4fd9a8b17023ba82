import type { RenderParams, RenderResponse, VariableInfo, VariablesResponse } from '../protocol';
import { checkStack } from '../stack/check';
import { FUNCTIONS_BY_NAME } from '../stack/functions';
import { isPlainObject, StackModel, VariableDecl } from '../stack/model';
import { maskSecrets, renderedTemplateYaml, renderStack } from '../stack/render';
import { toRange } from './locate';

/** A render request that cannot be answered (file unreadable…); the message is for the user. */
export class PreviewError extends Error {}

/**
 * `windflow/render`: the rendered stack. For `preview` every secret (passwords, generated secrets) is masked in every
 * field and no secret is returned; `deploy` returns the values in clear plus the secrets to keep out of logs.
 */
export function renderPreview(model: StackModel, params: RenderParams, options: { allowEnv: boolean }): RenderResponse {
  const result = renderStack(model, {
    values: params.values,
    deploymentName: params.deploymentName,
    allowEnv: options.allowEnv,
  });
  const preview = params.purpose !== 'deploy';
  const mask = <T>(data: T): T => (preview ? (maskData(data, result.secrets) as T) : data);
  return {
    ok: result.ok,
    errors: result.errors.map((error) => ({
      message: mask(error.message),
      ...(error.span ? { range: toRange(model.lines, error.span) } : {}),
    })),
    stackName: result.stackName,
    targetType: result.targetType,
    deploymentName: mask(result.deploymentName),
    yaml: renderedTemplateYaml(result, { showSecrets: !preview }),
    template: mask(result.template),
    targetParameters: mask(result.targetParameters),
    deploymentNotes: mask(result.deploymentNotes),
    values: mask(result.values),
    secrets: preview ? [] : result.secrets,
  };
}

function maskData(data: unknown, secrets: string[]): unknown {
  if (typeof data === 'string') return maskSecrets(data, secrets);
  if (Array.isArray(data)) return data.map((item) => maskData(item, secrets));
  if (isPlainObject(data))
    return Object.fromEntries(Object.entries(data).map(([key, item]) => [key, maskData(item, secrets)]));
  return data;
}

/**
 * `windflow/variables`: what the deploy form shows, with defaults resolved (generated values included) by the same
 * render that names the deployment, so a generated name and the value it was made from agree.
 */
export function variablesOf(model: StackModel, options: { allowEnv: boolean }): VariablesResponse {
  const result = renderStack(model, { allowEnv: options.allowEnv });
  const generated = new Set<VariableDecl>();
  for (const site of model.references) {
    const owner = site.leaf.owner;
    if (owner && site.leaf.path[site.leaf.path.length - 1] === 'default' && FUNCTIONS_BY_NAME.has(site.reference.name))
      generated.add(owner);
  }
  const info = (decl: VariableDecl, values: Record<string, unknown>): VariableInfo => {
    const definition = decl.definition;
    const text = (key: string) => (typeof definition[key] === 'string' ? (definition[key] as string) : undefined);
    const number = (key: string) => (typeof definition[key] === 'number' ? (definition[key] as number) : undefined);
    const variable: VariableInfo = {
      name: decl.name,
      qualifiedName: decl.qualifiedName,
      label: text('label') ?? decl.name,
      type: decl.type ?? 'string',
      generated: generated.has(decl),
      required: definition.required === true,
      visible: definition.visible !== false,
    };
    const optional: Partial<VariableInfo> = {
      description: text('description'),
      help: text('help'),
      default: decl.type === 'group' ? undefined : values[decl.name],
      enum: Array.isArray(definition.enum) ? definition.enum : undefined,
      enumLabels: isPlainObject(definition.enum_labels)
        ? (definition.enum_labels as Record<string, string>)
        : undefined,
      pattern: text('pattern'),
      minimum: number('minimum'),
      maximum: number('maximum'),
      minLength: number('min_length'),
      maxLength: number('max_length'),
      dependsOn: isPlainObject(definition.depends_on) ? definition.depends_on : undefined,
    };
    for (const [key, value] of Object.entries(optional))
      if (value !== undefined) (variable as unknown as Record<string, unknown>)[key] = value;
    if (decl.children.length) {
      const nested = isPlainObject(values[decl.name]) ? (values[decl.name] as Record<string, unknown>) : {};
      variable.children = decl.children.map((child) => info(child, nested));
    }
    return variable;
  };
  return {
    stackName: result.stackName,
    targetType: result.targetType,
    defaultDeploymentName: result.deploymentName,
    variables: model.variables.map((decl) => info(decl, result.values)),
    blockingErrors: checkStack(model).filter((diagnostic) => diagnostic.severity === 'error').length,
  };
}
