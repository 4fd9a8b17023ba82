/**
 * The evaluator: walks the AST of parser.ts with Jinja2's semantics (scoping, loops, macros, undefined values)
 * under work limits. Attributes are looked up only in our own tables (methods.ts, PyDict keys, PyObject maps), so a
 * template can never reach a JavaScript object.
 */
import { FILTERS, FilterFunction } from './filters';
import { attributeOf } from './methods';
import { binaryOperation, compare, unaryOperation } from './operators';
import { Expr, Node, Template } from './parser';
import { TESTS } from './tests';
import {
  CallArgs,
  hashKey,
  isIterable,
  iterate,
  JinjaError,
  Markup,
  pyLength,
  PyCallable,
  PyDict,
  PyObject,
  pyRepr,
  pyStr,
  PyTuple,
  PyUndefined,
  truthy,
  typeError,
  typeName,
  Value,
  valueError,
} from './values';

export interface Limits {
  /** Evaluation steps per render. */
  steps: number;
  /** Characters of output (and of any string or list built on the way). */
  outputLength: number;
  /** Items of one range(). */
  rangeLength: number;
  /** Nested macro calls and recursive loops. */
  depth: number;
  /** Bits of the largest int. */
  intBits: number;
}

export const DEFAULT_LIMITS: Limits = {
  steps: 50_000,
  outputLength: 5_000_000,
  rangeLength: 10_000,
  depth: 100,
  intBits: 100_000,
};

export interface RandomSource {
  /** An integer in [min, maxExclusive). */
  int(min: number, maxExclusive: number): number;
}

export class Scope {
  readonly vars = new Map<string, Value>();
  constructor(readonly parent?: Scope) {}

  lookup(name: string): Value | undefined {
    const value = this.vars.get(name);
    return value !== undefined ? value : this.parent?.lookup(name);
  }
}

class Output {
  private readonly parts: string[] = [];
  private length = 0;
  constructor(private readonly limit: number) {}

  write(text: string): void {
    this.length += text.length;
    if (this.length > this.limit)
      throw new JinjaError('MemoryError', `the rendered text is longer than ${this.limit} characters`);
    this.parts.push(text);
  }
  text(): string {
    return this.parts.join('');
  }
}

export class Runtime {
  private steps = 0;
  private depth = 0;

  constructor(
    readonly limits: Limits,
    readonly random: RandomSource,
  ) {}

  step(): void {
    if (++this.steps > this.limits.steps)
      throw new JinjaError('LimitError', `rendering takes more than ${this.limits.steps} steps (a loop that is too large?)`); // prettier-ignore
  }

  private enter(): void {
    if (++this.depth > this.limits.depth)
      throw new JinjaError('RecursionError', `maximum recursion depth exceeded (${this.limits.depth} nested calls)`);
  }
  private leave(): void {
    this.depth--;
  }

  render(template: Template, scope: Scope): string {
    const output = new Output(this.limits.outputLength);
    this.execute(template.body, scope, output);
    return output.text();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Statements.

  private execute(nodes: Node[], scope: Scope, output: Output): void {
    for (const node of nodes) {
      this.step();
      switch (node.kind) {
        case 'data':
          output.write(node.text);
          break;
        case 'output':
          output.write(pyStr(this.evaluate(node.expr, scope)));
          break;
        case 'if':
          this.execute(truthy(this.evaluate(node.test, scope)) ? node.body : node.else_, scope, output);
          break;
        case 'for':
          this.executeFor(node, scope, output);
          break;
        case 'set':
          this.assign(node.target, this.evaluate(node.expr, scope), scope);
          break;
        case 'setblock': {
          const inner = new Output(this.limits.outputLength);
          this.execute(node.body, scope, inner);
          const text = inner.text();
          this.assign(node.target, node.filter ? this.evaluate(node.filter, scope, text) : text, scope);
          break;
        }
        case 'macro':
          scope.vars.set(node.name, this.macro(node.name, node.params, node.defaults, node.body, scope));
          break;
        case 'callblock': {
          const caller = this.macro('caller', node.params, node.defaults, node.body, scope);
          const call = node.call as Extract<Expr, { kind: 'call' }>;
          output.write(pyStr(this.evaluateCall(call, scope, caller)));
          break;
        }
        case 'filterblock': {
          const inner = new Output(this.limits.outputLength);
          this.execute(node.body, new Scope(scope), inner);
          output.write(pyStr(this.evaluate(node.filter, scope, inner.text())));
          break;
        }
        case 'with': {
          const inner = new Scope(scope);
          const values = node.values.map((value) => this.evaluate(value, scope));
          node.targets.forEach((target, index) => this.assign(target, values[index], inner));
          this.execute(node.body, inner, output);
          break;
        }
        case 'scope':
          this.execute(node.body, new Scope(scope), output);
          break;
        case 'unsupported':
          throw typeError(node.message);
      }
    }
  }

  private assign(target: Expr, value: Value, scope: Scope): void {
    if (target.kind === 'name') {
      scope.vars.set(target.name, value);
    } else if (target.kind === 'nsref') {
      const namespace = scope.lookup(target.name);
      if (!(namespace instanceof PyObject) || !namespace.assignable)
        throw new JinjaError('TemplateRuntimeError', 'cannot assign attribute on non-namespace object');
      namespace.attributes.set(target.attr, value);
    } else if (target.kind === 'tuple') {
      if (value instanceof PyUndefined) throw value.fail();
      if (!isIterable(value)) throw typeError(`cannot unpack non-iterable ${typeName(value)} object`);
      const items = iterate(value);
      if (items.length < target.items.length)
        throw valueError(`not enough values to unpack (expected ${target.items.length}, got ${items.length})`);
      if (items.length > target.items.length)
        throw valueError(`too many values to unpack (expected ${target.items.length})`);
      target.items.forEach((item, index) => this.assign(item, items[index], scope));
    }
  }

  private executeFor(node: Extract<Node, { kind: 'for' }>, scope: Scope, output: Output): void {
    const render = (iterable: Value, depth: number, into: Output) => {
      let items = iterate(iterable);
      if (node.test) {
        const test = node.test;
        items = items.filter((item) => {
          const inner = new Scope(scope);
          this.assign(node.target, item, inner);
          return truthy(this.evaluate(test, inner));
        });
      }
      if (items.length === 0) {
        this.execute(node.else_, new Scope(scope), into);
        return;
      }
      let lastChanged: Value[] | undefined;
      items.forEach((item, index) => {
        this.step();
        const inner = new Scope(scope);
        const attributes = new Map<string, Value>([
          ['index', BigInt(index + 1)],
          ['index0', BigInt(index)],
          ['revindex', BigInt(items.length - index)],
          ['revindex0', BigInt(items.length - index - 1)],
          ['first', index === 0],
          ['last', index === items.length - 1],
          ['length', BigInt(items.length)],
          ['depth', BigInt(depth)],
          ['depth0', BigInt(depth - 1)],
          [
            'previtem',
            index > 0 ? items[index - 1] : new PyUndefined('previtem', undefined, 'there is no previous item'),
          ],
          [
            'nextitem',
            index < items.length - 1
              ? items[index + 1]
              : new PyUndefined('nextitem', undefined, 'there is no next item'),
          ],
          [
            'cycle',
            new PyCallable('cycle', ({ positional }) => {
              if (positional.length === 0) throw typeError('no items for cycling given');
              return positional[index % positional.length];
            }),
          ],
          [
            'changed',
            new PyCallable('changed', ({ positional }) => {
              const changed = !lastChanged || pyRepr(new PyTuple(lastChanged)) !== pyRepr(new PyTuple(positional));
              lastChanged = positional;
              return changed;
            }),
          ],
        ]);
        const loop = new PyObject(
          'LoopContext',
          attributes,
          () => `<LoopContext ${index + 1}/${items.length}>`,
          false,
          node.recursive
            ? ({ positional }) => {
                if (positional.length !== 1) throw typeError('loop() takes exactly one argument');
                this.enter();
                try {
                  const nested = new Output(this.limits.outputLength);
                  render(positional[0], depth + 1, nested);
                  return nested.text();
                } finally {
                  this.leave();
                }
              }
            : undefined,
        );
        inner.vars.set('loop', loop);
        this.assign(node.target, item, inner);
        this.execute(node.body, inner, into);
      });
    };
    render(this.evaluate(node.iter, scope), 1, output);
  }

  private macro(
    name: string,
    params: string[],
    defaults: (Expr | undefined)[],
    body: Node[],
    scope: Scope,
  ): PyCallable {
    const catchVarargs = mentions(body, 'varargs');
    const catchKwargs = mentions(body, 'kwargs');
    const acceptsCaller = mentions(body, 'caller');
    const call = ({ positional, keywords }: CallArgs): Value => {
      const inner = new Scope(scope);
      if (positional.length > params.length && !catchVarargs)
        throw typeError(`macro '${name}' takes not more than ${params.length} argument(s)`);
      const remaining = new Map(keywords);
      params.forEach((param, index) => {
        let value: Value | undefined;
        if (index < positional.length) {
          if (remaining.has(param)) throw typeError(`macro '${name}' got multiple values for argument '${param}'`);
          value = positional[index];
        } else if (remaining.has(param)) {
          value = remaining.get(param);
          remaining.delete(param);
        } else if (defaults[index]) value = this.evaluate(defaults[index]!, inner);
        else value = new PyUndefined(param, undefined, `parameter '${param}' was not provided`);
        inner.vars.set(param, value!);
      });
      if (acceptsCaller) {
        inner.vars.set('caller', remaining.get('caller') ?? new PyUndefined('caller', undefined, 'No caller defined'));
        remaining.delete('caller');
      }
      if (catchVarargs) inner.vars.set('varargs', new PyTuple(positional.slice(params.length)));
      if (catchKwargs) inner.vars.set('kwargs', PyDict.from(remaining));
      else if (remaining.size > 0)
        throw typeError(`macro '${name}' takes no keyword argument '${[...remaining.keys()][0]}'`);
      this.enter();
      try {
        const output = new Output(this.limits.outputLength);
        this.execute(body, inner, output);
        return output.text();
      } finally {
        this.leave();
      }
    };
    const attributes = new Map<string, Value>([
      ['name', name],
      ['arguments', new PyTuple(params)],
      ['catch_kwargs', catchKwargs],
      ['catch_varargs', catchVarargs],
      ['caller', acceptsCaller],
    ]);
    return new PyCallable(name, call, `<Macro '${name}'>`, (attribute) => attributes.get(attribute));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Expressions.

  /** Evaluates an expression; `hole` is the value of the innermost filter of a filter block or block set. */
  evaluate(expr: Expr, scope: Scope, hole?: Value): Value {
    this.step();
    switch (expr.kind) {
      case 'const':
        return expr.value;
      case 'name': {
        const value = scope.lookup(expr.name);
        return value === undefined ? new PyUndefined(expr.name) : value;
      }
      case 'tuple':
        return new PyTuple(expr.items.map((item) => this.evaluate(item, scope)));
      case 'list':
        return expr.items.map((item) => this.evaluate(item, scope));
      case 'dict': {
        const dict = new PyDict();
        for (const [key, value] of expr.pairs) dict.set(this.evaluate(key, scope), this.evaluate(value, scope));
        return dict;
      }
      case 'getattr':
        return this.getattr(this.evaluate(expr.node, scope), expr.attr);
      case 'getitem': {
        const owner = this.evaluate(expr.node, scope);
        if (expr.arg.kind === 'slice') return this.slice(owner, expr.arg, scope, expr.node.kind === 'const');
        return this.getitem(owner, this.evaluate(expr.arg, scope));
      }
      case 'slice':
        throw typeError('a slice is only valid inside []');
      case 'call':
        return this.evaluateCall(expr, scope);
      case 'filter': {
        const value = expr.node ? this.evaluate(expr.node, scope, hole) : (hole ?? '');
        const filter = FILTERS.get(expr.name);
        if (!filter) throw new JinjaError('TemplateRuntimeError', `No filter named '${expr.name}' found.`, expr.name);
        return this.applyFilter(filter, value, this.callArgs(expr, scope));
      }
      case 'test': {
        const value = this.evaluate(expr.node, scope, hole);
        const test = TESTS.get(expr.name);
        if (!test) throw new JinjaError('TemplateRuntimeError', `No test named '${expr.name}' found.`, expr.name);
        return test(this, value, this.callArgs(expr, scope));
      }
      case 'unary': {
        const value = this.evaluate(expr.node, scope, hole);
        return expr.op === 'not' ? !truthy(value) : unaryOperation(expr.op, value);
      }
      case 'binary': {
        const left = this.evaluate(expr.left, scope);
        if (expr.op === 'and') return truthy(left) ? this.evaluate(expr.right, scope) : left;
        if (expr.op === 'or') return truthy(left) ? left : this.evaluate(expr.right, scope);
        const right = this.evaluate(expr.right, scope);
        if (expr.op === '~') return this.concat(pyStr(left), pyStr(right));
        return binaryOperation(expr.op, left, right, this.limits);
      }
      case 'compare': {
        let left = this.evaluate(expr.expr, scope);
        for (const [op, operand] of expr.ops) {
          const right = this.evaluate(operand, scope);
          if (!compare(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'condexpr':
        if (truthy(this.evaluate(expr.test, scope))) return this.evaluate(expr.expr1, scope);
        return expr.expr2
          ? this.evaluate(expr.expr2, scope)
          : new PyUndefined(undefined, undefined, 'the inline if-expression evaluated to false and no else section was defined.'); // prettier-ignore
      case 'nsref':
        throw typeError('a namespace reference is only valid as an assignment target');
    }
  }

  concat(left: string, right: string): string {
    if (left.length + right.length > this.limits.outputLength)
      throw new JinjaError('MemoryError', `the rendered text is longer than ${this.limits.outputLength} characters`);
    return left + right;
  }

  applyFilter(filter: FilterFunction, value: Value, args: CallArgs): Value {
    return filter(this, value, args);
  }

  private callArgs(expr: Extract<Expr, { kind: 'call' | 'filter' | 'test' }>, scope: Scope): CallArgs {
    const positional = expr.args.map((arg) => this.evaluate(arg, scope));
    const keywords = new Map<string, Value>();
    for (const [key, value] of expr.kwargs) keywords.set(key, this.evaluate(value, scope));
    if (expr.dynArgs) positional.push(...iterate(this.evaluate(expr.dynArgs, scope)));
    if (expr.dynKwargs) {
      const extra = this.evaluate(expr.dynKwargs, scope);
      if (!(extra instanceof PyDict)) throw typeError(`argument after ** must be a mapping, not ${typeName(extra)}`);
      for (const [key, value] of extra.items()) keywords.set(pyStr(key), value);
    }
    return { positional, keywords };
  }

  private evaluateCall(expr: Extract<Expr, { kind: 'call' }>, scope: Scope, caller?: PyCallable): Value {
    const callee = this.evaluate(expr.node, scope);
    const args = this.callArgs(expr, scope);
    if (caller) args.keywords.set('caller', caller);
    return this.call(callee, args, expr.node.kind === 'name' ? expr.node.name : undefined);
  }

  call(callee: Value, args: CallArgs, name?: string): Value {
    if (callee instanceof PyUndefined) {
      const error = callee.fail();
      throw new JinjaError(error.kind, error.message, name ?? error.reference);
    }
    if (callee instanceof PyCallable) return callee.call(args);
    if (callee instanceof PyObject && callee.callable) return callee.callable(args);
    throw typeError(`'${typeName(callee)}' object is not callable`);
  }

  /** Jinja2's getattr: the attribute, else the item, else an undefined naming both. */
  getattr(owner: Value, name: string): Value {
    if (owner instanceof PyUndefined) throw owner.fail();
    const attribute = attributeOf(this, owner, name);
    if (attribute !== undefined) return attribute;
    if (owner instanceof PyDict) {
      const item = owner.get(name);
      if (item !== undefined) return item;
    }
    return new PyUndefined(name, { value: owner });
  }

  /** Jinja2's getitem: the item, else (for a string key) the attribute, else an undefined. */
  getitem(owner: Value, key: Value): Value {
    if (owner instanceof PyUndefined) throw owner.fail();
    const item = this.itemOf(owner, key);
    if (item !== undefined) return item;
    if (typeof key === 'string') {
      const attribute = attributeOf(this, owner, key);
      if (attribute !== undefined) return attribute;
    }
    if (typeof key === 'string') return new PyUndefined(key, { value: owner });
    return new PyUndefined(pyStr(key), { value: owner }, `${typeName(owner)} object has no element ${pyRepr(key)}`);
  }

  private itemOf(owner: Value, key: Value): Value | undefined {
    if (owner instanceof PyDict) {
      try {
        hashKey(key);
      } catch {
        return undefined;
      }
      return owner.get(key);
    }
    const sequence = Array.isArray(owner)
      ? owner
      : owner instanceof PyObject && owner.type === 'range'
        ? owner.items
        : owner instanceof PyTuple
          ? owner.items
          : typeof owner === 'string' || owner instanceof Markup
            ? [...pyStr(owner)]
            : undefined;
    if (!sequence) return undefined;
    if (typeof key !== 'bigint' && typeof key !== 'boolean') return undefined;
    let index = Number(key);
    if (index < 0) index += sequence.length;
    if (index < 0 || index >= sequence.length) return undefined;
    return sequence[index];
  }

  /** `constant`: Jinja2 folds a slice of a literal at compile time, where a failure becomes an undefined value. */
  private slice(owner: Value, slice: Extract<Expr, { kind: 'slice' }>, scope: Scope, constant: boolean): Value {
    if (owner instanceof PyUndefined) throw owner.fail();
    const bound = (expr: Expr | undefined) => {
      if (!expr) return undefined;
      const value = this.evaluate(expr, scope);
      if (value === null) return undefined;
      if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
      throw typeError('slice indices must be integers or None or have an __index__ method');
    };
    const [lower, upper, step] = [bound(slice.lower), bound(slice.upper), bound(slice.step)];
    const apply = <T>(items: T[]): T[] => sliceItems(items, lower, upper, step);
    if (Array.isArray(owner)) return apply(owner);
    if (owner instanceof PyTuple) return new PyTuple(apply(owner.items));
    if (typeof owner === 'string') return apply([...owner]).join('');
    if (owner instanceof Markup) return new Markup(apply([...owner.text]).join(''));
    if (owner instanceof PyObject && owner.type === 'range' && owner.items) return apply(owner.items);
    if (constant) return new PyUndefined(undefined, { value: owner }, `${objectTypeName(owner)} is not subscriptable`);
    // Jinja2 compiles a slice to a plain Python subscript: no undefined fallback.
    if (owner instanceof PyDict) throw typeError("unhashable type: 'slice'");
    throw typeError(`'${typeName(owner)}' object is not subscriptable`);
  }

  /** A filter called by name from map/select (`map('upper')`). */
  filterByName(name: string): FilterFunction {
    const filter = FILTERS.get(name);
    if (!filter) throw new JinjaError('TemplateRuntimeError', `No filter named '${name}'.`, name);
    return filter;
  }

  testByName(name: string) {
    const test = TESTS.get(name);
    if (!test) throw new JinjaError('TemplateRuntimeError', `No test named '${name}'.`, name);
    return test;
  }

  length(value: Value): number {
    return pyLength(value);
  }
}

function objectTypeName(value: Value): string {
  return `'${typeName(value)} object'`;
}

/** Python's slice semantics on a list. */
export function sliceItems<T>(items: T[], lower?: number, upper?: number, step?: number): T[] {
  const length = items.length;
  const stride = step ?? 1;
  if (stride === 0) throw valueError('slice step cannot be zero');
  const clamp = (value: number | undefined, fallback: number, min: number, max: number) => {
    if (value === undefined) return fallback;
    const index = value < 0 ? value + length : value;
    return Math.min(Math.max(index, min), max);
  };
  const result: T[] = [];
  if (stride > 0) {
    const start = clamp(lower, 0, 0, length);
    const stop = clamp(upper, length, 0, length);
    for (let i = start; i < stop; i += stride) result.push(items[i]);
  } else {
    const start = clamp(lower, length - 1, -1, length - 1);
    const stop = clamp(upper, -1, -1, length - 1);
    for (let i = start; i > stop; i += stride) result.push(items[i]);
  }
  return result;
}

/** Whether a macro body mentions a name (Jinja2 gives varargs/kwargs/caller only to macros that use them). */
function mentions(nodes: Node[], name: string): boolean {
  const seen = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.some(seen);
    if (!value || typeof value !== 'object') return false;
    const record = value as Record<string, unknown>;
    if (record.kind === 'name' && record.name === name) return true;
    // A nested macro has its own varargs/kwargs/caller.
    if (record.kind === 'macro') return false;
    return Object.keys(record).some((key) => key !== 'start' && key !== 'end' && seen(record[key]));
  };
  return seen(nodes);
}
