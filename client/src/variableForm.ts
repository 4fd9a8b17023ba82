/**
 * The rules of the deploy form, shared by the webview (validation as you type) and the extension host (validation
 * again on submit, since a webview message is input like any other). Pure: no DOM, no VS Code.
 */
import type { VariableInfo } from '../../server/src/protocol';
import type { FieldValue, FormValues } from './webview/messages';

/** Every variable that takes a value (group members included, groups themselves excluded), in file order. */
export function valueFields(variables: readonly VariableInfo[]): VariableInfo[] {
  const fields: VariableInfo[] = [];
  for (const variable of variables) {
    if (variable.type === 'group' && variable.children?.length) fields.push(...valueFields(variable.children));
    else if (variable.type !== 'group') fields.push(variable);
  }
  return fields;
}

/** The values the form starts with: each default (generated ones included), or an empty value of the right kind. */
export function initialValues(variables: readonly VariableInfo[]): FormValues {
  const values: FormValues = {};
  for (const field of valueFields(variables)) {
    values[field.qualifiedName] = toFieldValue(field, field.default);
  }
  return values;
}

function toFieldValue(field: VariableInfo, value: unknown): FieldValue {
  if (field.type === 'boolean') return value === true || value === 'true' || value === 'True';
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Whether `depends_on` lets the field show: every named variable must hold the expected value (a list means any of
 * them). Names are looked up as written, then as siblings inside the field's own group.
 */
export function dependenciesMet(field: VariableInfo, values: FormValues): boolean {
  if (!field.dependsOn) return true;
  const groupPrefix = field.qualifiedName.includes('.')
    ? field.qualifiedName.slice(0, field.qualifiedName.lastIndexOf('.') + 1)
    : '';
  return Object.entries(field.dependsOn).every(([name, expected]) => {
    const actual = name in values ? values[name] : values[groupPrefix + name];
    const accepted = Array.isArray(expected) ? expected : [expected];
    return accepted.some((candidate) => sameValue(actual, candidate));
  });
}

/** Compares as WindFlow's form does: by printed value, so `true`, `"true"` and `True` agree. */
function sameValue(actual: unknown, expected: unknown): boolean {
  const print = (value: unknown) => (typeof value === 'boolean' ? String(value) : String(value ?? '')).toLowerCase();
  return print(actual) === print(expected);
}

/** Whether the user sees the field: `visible: false` hides it for good, `depends_on` while unmet. */
export function isShown(field: VariableInfo, values: FormValues): boolean {
  return field.visible !== false && dependenciesMet(field, values);
}

/** Turns what an input holds into the value submitted for the field's type; numbers stay text when not numeric. */
export function coerceInput(field: VariableInfo, raw: string | boolean): FieldValue {
  if (typeof raw === 'boolean') return raw;
  if ((field.type === 'integer' || field.type === 'number') && raw.trim() !== '') {
    const parsed = Number(raw);
    return Number.isFinite(parsed) ? parsed : raw;
  }
  return raw;
}

/** Why the value is not acceptable for the field, or undefined when it is. */
export function validateValue(field: VariableInfo, value: FieldValue | undefined): string | undefined {
  const empty = value === undefined || value === '';
  if (empty) return field.required ? `${field.label} is required.` : undefined;
  if (field.enum && field.enum.length > 0 && !field.enum.some((option) => sameValue(value, option))) {
    return `${field.label} must be one of ${field.enum.map(String).join(', ')}.`;
  }
  switch (field.type) {
    case 'integer':
    case 'number':
      return validateNumber(field, value);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${field.label} must be true or false.`;
    default:
      return validateText(field, String(value));
  }
}

function validateNumber(field: VariableInfo, value: FieldValue): string | undefined {
  if (typeof value !== 'number') return `${field.label} must be a number.`;
  if (field.type === 'integer' && !Number.isInteger(value)) return `${field.label} must be a whole number.`;
  if (field.minimum !== undefined && value < field.minimum) return `${field.label} must be at least ${field.minimum}.`;
  if (field.maximum !== undefined && value > field.maximum) return `${field.label} must be at most ${field.maximum}.`;
  return undefined;
}

function validateText(field: VariableInfo, text: string): string | undefined {
  if (field.minLength !== undefined && text.length < field.minLength) {
    return `${field.label} needs at least ${field.minLength} characters.`;
  }
  if (field.maxLength !== undefined && text.length > field.maxLength) {
    return `${field.label} allows at most ${field.maxLength} characters.`;
  }
  if (field.pattern !== undefined) {
    const pattern = compilePattern(field.pattern);
    // A pattern that does not compile is reported in the editor (WF032); it cannot reject input here.
    if (pattern && !pattern.test(text)) return `${field.label} must match the pattern ${field.pattern}.`;
  }
  return undefined;
}

function compilePattern(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

/** Errors by qualified name for the fields the user can see (hidden fields keep their defaults unchecked). */
export function validateForm(variables: readonly VariableInfo[], values: FormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of valueFields(variables)) {
    if (!isShown(field, values)) continue;
    const problem = validateValue(field, values[field.qualifiedName]);
    if (problem) errors[field.qualifiedName] = problem;
  }
  return errors;
}

/** The name rules of what a deployment name becomes: a container name, a Compose project, a Kubernetes label value. */
const DEPLOYMENT_NAME_RULES: Record<string, { pattern: RegExp; rule: string }> = {
  docker: {
    pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/,
    rule: 'letters, digits, "_", "." and "-", starting with a letter or digit (a Docker container name)',
  },
  docker_compose: {
    pattern: /^[a-z0-9][a-z0-9_-]*$/,
    rule: 'lowercase letters, digits, "_" and "-", starting with a letter or digit (a Compose project name)',
  },
  kubernetes: {
    pattern: /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/,
    rule: 'lowercase letters, digits, "." and "-", starting and ending with a letter or digit (a Kubernetes name)',
  },
};
DEPLOYMENT_NAME_RULES.docker_swarm = DEPLOYMENT_NAME_RULES.docker_compose;

/** Why the deployment name cannot be used for this target_type, or undefined when it can. */
export function validateDeploymentName(name: string, targetType: string): string | undefined {
  if (name.trim() === '') return 'A deployment name is required.';
  if (name.length > 63) return 'A deployment name has at most 63 characters.';
  const rules = DEPLOYMENT_NAME_RULES[targetType];
  if (rules && !rules.pattern.test(name)) return `Use ${rules.rule}.`;
  return undefined;
}

/** The form's rules applied again on the host: a webview message is input, not a promise that it was checked. */
export function submissionProblems(
  variables: readonly VariableInfo[],
  targetType: string,
  deploymentName: string,
  values: FormValues,
): string[] {
  const problems = Object.values(validateForm(variables, values));
  const nameProblem = validateDeploymentName(deploymentName, targetType);
  if (nameProblem) problems.unshift(nameProblem);
  return problems;
}

/** The form's shape (fields, types, choices, rules) without the defaults: when it is unchanged the form is updated in place. */
export function variablesShape(variables: readonly VariableInfo[]): string {
  return JSON.stringify(variables, (key, value: unknown) => (key === 'default' ? undefined : value));
}

/**
 * The values after the stack file changed: what the user edited stays, a generated value already shown stays (the
 * server generates a new one on each read), every other field takes the file's new default.
 */
export function mergeValues(
  variables: readonly VariableInfo[],
  previous: FormValues,
  edited: ReadonlySet<string>,
): FormValues {
  const fresh = initialValues(variables);
  for (const field of valueFields(variables)) {
    const name = field.qualifiedName;
    if (!(name in previous)) continue;
    if (edited.has(name) || (field.generated && previous[name] !== '')) fresh[name] = previous[name];
  }
  return fresh;
}

export interface FormReadiness {
  ready: boolean;
  /** Why Deploy is off, in words. */
  reason?: string;
}

/** Whether Deploy can be pressed now, and if not why: the file's errors first, then the target, then the fields. */
export function formReadiness(state: {
  blockingErrors: number;
  target: string;
  deployableBy: string;
  nameProblem?: string;
  invalidFields: string[];
}): FormReadiness {
  if (state.blockingErrors > 0) {
    const count = state.blockingErrors === 1 ? 'an error' : `${state.blockingErrors} errors`;
    return { ready: false, reason: `The stack file has ${count}: fix the file to deploy.` };
  }
  if (!state.target) return { ready: false, reason: `Choose a target: this stack deploys to ${state.deployableBy}.` };
  if (state.nameProblem) return { ready: false, reason: `Deployment name: ${state.nameProblem}` };
  if (state.invalidFields.length > 0) return { ready: false, reason: `Check ${state.invalidFields.join(', ')}.` };
  return { ready: true };
}
