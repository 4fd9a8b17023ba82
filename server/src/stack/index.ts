/** The stack model's public API: parse, check, render. Free of LSP and VS Code so the server, CLI and client share it. */
export {
  parseStack,
  declarationAt,
  referencesTo,
  leafSpan,
  spanOf,
  getIn,
  getPair,
  TARGET_TYPES,
  VARIABLE_TYPES,
} from './model';
export type { StackModel, VariableDecl, StringLeaf, ReferenceSite, RenderScope, Path } from './model';
export { checkStack } from './check';
export type { CheckOptions } from './check';
export type { StackDiagnostic, Severity } from './diagnostics';
export { HELPER_FUNCTIONS, FUNCTIONS_BY_NAME, JINJA_FILTERS, signatureLabel } from './functions';
export type { FunctionSignature } from './functions';
export { LineIndex } from './text';
export type { Span, Position } from './text';
export { decodeStackBytes } from './decode';
export { toLspDiagnostic } from './diagnosticShape';
export type { LspShapedDiagnostic } from './diagnosticShape';
export { describeKey, keysAt, validateStructure } from './schema';
export { matchPattern, compilePattern, isPatternRisky } from './safeRegex';
export { renderStack, resolveValues, maskSecrets, renderedTemplateYaml } from './render';
export type { RenderOptions, RenderResult } from './render';
export { parseSetArguments, loadValuesFile, coerceAndValidateValues } from './values';
export { IncrementalStackParser } from './incremental';
export { defaultDeploymentName, deploymentNameStem, upstreamDefaultDeploymentName } from './deploymentName';
