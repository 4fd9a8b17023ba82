/**
 * Reading a stack file for deploy: parse, refuse on error diagnostics, take values (defaults, then --values FILE,
 * then --set k=v), check them against the variables' types and rules, render. Anything wrong stops here, before
 * a target is touched.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkStack, decodeStackBytes, parseStack } from '../../../server/src/stack';
import type { StackModel } from '../../../server/src/stack';
import { maskSecrets, renderStack } from '../../../server/src/stack/render';
import {
  coerceAndValidateValues,
  loadValuesFile,
  parseSetArguments,
  ValuesError,
} from '../../../server/src/stack/values';
import type { RenderedStack } from '../targets/target';
import { InputFileError, readBoundedFile } from './boundedRead';
import { UsageError } from './command';
import { displayPath } from './files';

export interface StackInputRequest {
  /** The stack file as typed on the command line. */
  file: string;
  cwd: string;
  valuesFile?: string;
  sets: string[];
  deploymentName?: string;
}

export type StackInput =
  | { ok: true; file: string; model: StackModel; rendered: RenderedStack }
  /** Every reason the stack cannot be deployed, already in `file:line:col: error …` form. */
  | { ok: false; problems: string[] };

/** A stack or values file: regular files up to the size limit only; anything else is a usage problem (exit 2). */
async function readText(file: string, shown: string): Promise<Buffer> {
  try {
    return await readBoundedFile(file, shown);
  } catch (error) {
    throw error instanceof InputFileError ? new UsageError(error.message) : error;
  }
}

/** Collects the supplied values: --values FILE first, then each --set on top (later ones win). */
export async function suppliedValues(
  request: Pick<StackInputRequest, 'cwd' | 'valuesFile' | 'sets'>,
): Promise<Record<string, unknown>> {
  let supplied: Record<string, unknown> = {};
  if (request.valuesFile) {
    const text = (await readText(path.resolve(request.cwd, request.valuesFile), request.valuesFile)).toString('utf8');
    try {
      supplied = { ...loadValuesFile(text, request.valuesFile) };
    } catch (error) {
      throw error instanceof ValuesError ? new UsageError(error.message) : error;
    }
  }
  try {
    return { ...supplied, ...parseSetArguments(request.sets) };
  } catch (error) {
    throw error instanceof ValuesError ? new UsageError(error.message) : error;
  }
}

/** The stack file named on the command line, read and parsed; a file that cannot be read is a usage problem. */
export async function readStackModel(request: Pick<StackInputRequest, 'cwd' | 'file'>): Promise<StackModel> {
  const file = path.resolve(request.cwd, request.file);
  return parseStack(decodeStackBytes(await readText(file, request.file)).text, pathToFileURL(file).href);
}

export async function readStackInput(request: StackInputRequest): Promise<StackInput> {
  const file = path.resolve(request.cwd, request.file);
  const shown = displayPath(file, request.cwd);
  const model = await readStackModel(request);
  const errors = checkStack(model).filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0) {
    return {
      ok: false,
      problems: errors.map((diagnostic) => {
        const { line, character } = model.lines.positionAt(diagnostic.span.start);
        return `${shown}:${line + 1}:${character + 1}: error ${diagnostic.code} ${diagnostic.message}`;
      }),
    };
  }
  const checked = coerceAndValidateValues(model, await suppliedValues(request));
  if (checked.problems.length > 0)
    return {
      ok: false,
      problems: checked.problems.map((problem) => `${shown}: error: value '${problem.name}': ${problem.message}`),
    };
  const result = renderStack(model, { values: checked.values, deploymentName: request.deploymentName, allowEnv: true });
  if (!result.ok) {
    const problems = result.errors.map((error) => {
      const where = error.span ? `:${model.lines.positionAt(error.span.start).line + 1}` : '';
      return `${shown}${where}: error: ${maskSecrets(error.message, result.secrets)}`;
    });
    return { ok: false, problems: problems.length > 0 ? problems : [`${shown}: error: the stack did not render`] };
  }
  return { ok: true, file, model, rendered: result };
}
