/**
 * Our own Jinja2 3.1 interpreter (WindFlow's default Environment: no autoescape, default Undefined, trim_blocks,
 * lstrip_blocks and keep_trailing_newline off). A sandbox by construction: no eval, no JavaScript object reachable.
 */
import { parseTemplate } from './parser';
import { DEFAULT_LIMITS, Limits, RandomSource, Runtime, Scope } from './runtime';

export { TemplateSyntaxError } from './lexer';
export { parseTemplate } from './parser';
export type { Expr, Node, Template } from './parser';
export { DEFAULT_LIMITS, Runtime, Scope } from './runtime';
export type { Limits, RandomSource } from './runtime';
export { jinjaGlobals } from './globals';
export { FILTERS } from './filters';
export { TESTS } from './tests';
export { fromJs, JinjaError, PyCallable, pyStr, toJs } from './values';
export type { CallArgs, Value } from './values';

/** Renders a template source in its own scope on top of `context` (assignments do not leak into `context`). */
export function renderTemplate(
  source: string,
  context: Scope,
  random: RandomSource,
  limits: Limits = DEFAULT_LIMITS,
): string {
  const template = parseTemplate(source);
  return new Runtime(limits, random).render(template, new Scope(context));
}
