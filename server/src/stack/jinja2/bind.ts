/** Binds call arguments to a Python-style parameter list, with Python's errors. */
import { CallArgs, typeError, Value } from './values';

/** A parameter: its name, and its default when optional (`undefined` default: required). */
export type Parameter = [name: string, fallback?: Value] | string;

export interface BindOptions {
  /** Built-in methods take positional arguments only. */
  positionalOnly?: boolean;
  /** Extra positional arguments are collected instead of refused. */
  varargs?: boolean;
  /** Extra keyword arguments are collected instead of refused. */
  varkw?: boolean;
}

export interface Bound {
  values: Value[];
  varargs: Value[];
  kwargs: Map<string, Value>;
}

const REQUIRED = Symbol('required');

export function bindFull(name: string, args: CallArgs, parameters: Parameter[], options: BindOptions = {}): Bound {
  const specs = parameters.map((parameter) =>
    typeof parameter === 'string'
      ? { name: parameter, fallback: REQUIRED as Value | typeof REQUIRED }
      : { name: parameter[0], fallback: parameter.length > 1 ? (parameter[1] as Value) : REQUIRED },
  );
  const { positional, keywords } = args;
  if (options.positionalOnly && keywords.size > 0) throw typeError(`${name}() takes no keyword arguments`);
  if (positional.length > specs.length && !options.varargs) {
    const required = specs.filter((spec) => spec.fallback === REQUIRED).length;
    const range = required === specs.length ? `${specs.length}` : `from ${required} to ${specs.length}`;
    throw typeError(
      `${name}() takes ${range} positional argument${specs.length === 1 ? '' : 's'} but ${positional.length} ${positional.length === 1 ? 'was' : 'were'} given`,
    );
  }
  const values: Value[] = [];
  const remaining = new Map(keywords);
  const missing: string[] = [];
  specs.forEach((spec, index) => {
    if (index < positional.length) {
      if (remaining.has(spec.name)) throw typeError(`${name}() got multiple values for argument '${spec.name}'`);
      values.push(positional[index]);
    } else if (remaining.has(spec.name)) {
      values.push(remaining.get(spec.name)!);
      remaining.delete(spec.name);
    } else if (spec.fallback === REQUIRED) {
      missing.push(spec.name);
      values.push(null);
    } else values.push(spec.fallback as Value);
  });
  if (missing.length > 0) {
    const names = missing.map((missingName) => `'${missingName}'`);
    const listed = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    throw typeError(
      `${name}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${listed}`,
    );
  }
  if (remaining.size > 0 && !options.varkw)
    throw typeError(`${name}() got an unexpected keyword argument '${[...remaining.keys()][0]}'`);
  return { values, varargs: positional.slice(specs.length), kwargs: remaining };
}

export function bind(name: string, args: CallArgs, parameters: Parameter[], options: BindOptions = {}): Value[] {
  return bindFull(name, args, parameters, options).values;
}

export function noArgs(positional: Value[] = []): CallArgs {
  return { positional, keywords: new Map() };
}
