/**
 * Jinja2's grammar: a recursive-descent parser from tokens to an AST whose nodes keep source offsets (for the
 * editor's diagnostics). Precedence and the shape of each statement follow Jinja2 3.1's parser.
 */
import { normaliseSource, TemplateAssertionError, TemplateSyntaxError, Token, tokenize } from './lexer';

interface Located {
  start: number;
  end: number;
}

export interface CallArguments {
  args: Expr[];
  kwargs: [string, Expr][];
  dynArgs?: Expr;
  dynKwargs?: Expr;
}

export type Expr = Located &
  (
    | { kind: 'const'; value: null | boolean | bigint | number | string }
    | { kind: 'name'; name: string }
    | { kind: 'tuple'; items: Expr[] }
    | { kind: 'list'; items: Expr[] }
    | { kind: 'dict'; pairs: [Expr, Expr][] }
    | { kind: 'getattr'; node: Expr; attr: string; attrStart: number }
    | { kind: 'getitem'; node: Expr; arg: Expr }
    | { kind: 'slice'; lower?: Expr; upper?: Expr; step?: Expr }
    | ({ kind: 'call'; node: Expr } & CallArguments)
    | ({ kind: 'filter'; node?: Expr; name: string; nameStart: number } & CallArguments)
    | ({ kind: 'test'; node: Expr; name: string; nameStart: number } & CallArguments)
    | { kind: 'unary'; op: 'not' | '-' | '+'; node: Expr }
    | { kind: 'binary'; op: string; left: Expr; right: Expr }
    | { kind: 'compare'; expr: Expr; ops: [string, Expr][] }
    | { kind: 'condexpr'; test: Expr; expr1: Expr; expr2?: Expr }
    | { kind: 'nsref'; name: string; attr: string }
  );

export type Node = Located &
  (
    | { kind: 'data'; text: string }
    | { kind: 'output'; expr: Expr }
    | { kind: 'if'; test: Expr; body: Node[]; else_: Node[] }
    | {
        kind: 'for';
        target: Expr;
        iter: Expr;
        body: Node[];
        else_: Node[];
        test?: Expr;
        recursive: boolean;
      }
    | { kind: 'set'; target: Expr; expr: Expr }
    | { kind: 'setblock'; target: Expr; body: Node[]; filter?: Expr }
    | { kind: 'macro'; name: string; params: string[]; defaults: (Expr | undefined)[]; body: Node[] }
    | { kind: 'callblock'; call: Expr; params: string[]; defaults: (Expr | undefined)[]; body: Node[] }
    | { kind: 'filterblock'; filter: Expr; body: Node[] }
    | { kind: 'with'; targets: Expr[]; values: Expr[]; body: Node[] }
    | { kind: 'scope'; body: Node[] }
    | { kind: 'unsupported'; message: string }
  );

export interface Template {
  body: Node[];
  /** Maps an offset of the normalised text back to the source given to parseTemplate. */
  sourceOffset: (offset: number) => number;
}

const parseCache = new Map<string, Template | TemplateSyntaxError>();
const PARSE_CACHE_LIMIT = 20_000;

/** Parses a template (cached by source: templates are immutable once parsed). Throws TemplateSyntaxError. */
export function parseTemplate(source: string): Template {
  let result = parseCache.get(source);
  if (!result) {
    if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.clear();
    const normalised = normaliseSource(source);
    try {
      const body = new Parser(tokenize(normalised.text)).parse();
      checkNames(body, false);
      result = { body, sourceOffset: normalised.sourceOffset };
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      const Failure = error instanceof TemplateAssertionError ? TemplateAssertionError : TemplateSyntaxError;
      result = new Failure(error.message, normalised.sourceOffset(error.offset ?? 0));
    }
    parseCache.set(source, result);
  }
  if (result instanceof TemplateSyntaxError) throw result;
  return result;
}

/** Filter and test names the compiler knows; set by the runtime (filters.ts, tests.ts) to keep this module leaf. */
export const KNOWN_NAMES = { filters: new Set<string>(), tests: new Set<string>() };

/**
 * Jinja2's compiler refuses an unknown filter or test, except in a "soft" frame (an `if` branch or a conditional
 * expression), where the name is only looked up when reached. Statements that open a new frame (for, macro, call,
 * filter, with, block set) are checked again.
 */
function checkNames(value: unknown, soft: boolean): void {
  if (Array.isArray(value)) {
    for (const item of value) checkNames(item, soft);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const node = value as Record<string, unknown> & { kind?: string };
  const childSoft = node.kind === 'if' || node.kind === 'condexpr' ? true : NEW_FRAMES.has(node.kind ?? '') ? false : soft; // prettier-ignore
  if (!soft && (node.kind === 'filter' || node.kind === 'test')) {
    const names = node.kind === 'filter' ? KNOWN_NAMES.filters : KNOWN_NAMES.tests;
    if (names.size > 0 && !names.has(node.name as string))
      throw new TemplateAssertionError(`No ${node.kind} named '${String(node.name)}'.`, node.nameStart as number);
  }
  for (const key of Object.keys(node)) if (key !== 'start' && key !== 'end') checkNames(node[key], childSoft);
}

const NEW_FRAMES = new Set(['for', 'macro', 'callblock', 'filterblock', 'with', 'setblock']);

const COMPARE_OPERATORS = new Set(['==', '!=', '>', '>=', '<', '<=']);
const TOKEN_DESCRIPTIONS: Record<string, string> = {
  variable_end: 'end of print statement',
  block_end: 'end of statement block',
  eof: 'end of template',
};

function describe(token: Token): string {
  if (token.type in TOKEN_DESCRIPTIONS) return TOKEN_DESCRIPTIONS[token.type];
  if (token.type === 'string') return 'string';
  if (token.type === 'integer') return 'integer';
  if (token.type === 'float') return 'float';
  return token.value;
}

/** End tags each block statement waits for, for Jinja2's "looking for" messages. */
interface Expectation {
  tag: string;
  ends: string[];
}

class Parser {
  private index = 0;
  private readonly stack: Expectation[] = [];

  constructor(private readonly tokens: Token[]) {}

  private get current(): Token {
    return this.tokens[this.index];
  }
  private look(): Token {
    return this.tokens[Math.min(this.index + 1, this.tokens.length - 1)];
  }
  private next(): Token {
    const token = this.current;
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }
  private is(type: string, value?: string): boolean {
    const token = this.current;
    if (type === 'operator' || type === 'name') return token.type === type && (value === undefined || token.value === value); // prettier-ignore
    return token.type === type;
  }
  private skipIf(type: string, value?: string): boolean {
    if (!this.is(type, value)) return false;
    this.next();
    return true;
  }
  private fail(message: string, token: Token = this.current): never {
    throw new TemplateSyntaxError(message, token.start);
  }
  private expect(type: string, value?: string): Token {
    if (this.is(type, value)) return this.next();
    const wanted = value ?? TOKEN_DESCRIPTIONS[type] ?? type;
    if (this.current.type === 'eof') this.fail(`unexpected end of template, expected '${wanted}'.`);
    this.fail(`expected token '${wanted}', got '${describe(this.current)}'`);
  }

  parse(): Node[] {
    return this.subparse([]);
  }

  /** Nodes until one of `ends` (a block tag name) is the next tag; the tag is not consumed. */
  private subparse(ends: string[]): Node[] {
    const body: Node[] = [];
    for (;;) {
      const token = this.current;
      if (token.type === 'data') {
        this.next();
        body.push({ kind: 'data', text: token.value, start: token.start, end: token.end });
      } else if (token.type === 'variable_begin') {
        this.next();
        const expr = this.parseTuple({ withCondexpr: true });
        this.expect('variable_end');
        body.push({ kind: 'output', expr, start: token.start, end: expr.end });
      } else if (token.type === 'block_begin') {
        this.next();
        if (ends.length > 0 && this.current.type === 'name' && ends.includes(this.current.value)) return body;
        body.push(this.parseStatement());
        this.expect('block_end');
      } else if (token.type === 'eof') {
        if (ends.length > 0) this.failUnknownTag(undefined);
        return body;
      } else this.fail(`unexpected '${describe(token)}'`);
    }
  }

  private failUnknownTag(name: string | undefined): never {
    const messages: string[] = [];
    messages.push(name === undefined ? 'Unexpected end of template.' : `Encountered unknown tag '${name}'.`);
    const expected = this.stack.at(-1);
    if (expected) {
      const tags = expected.ends.map((tag) => `'${tag}'`).join(' or ');
      const isPending = name !== undefined && this.stack.some((entry) => entry.ends.includes(name));
      if (name === undefined) messages.push(`Jinja was looking for the following tags: ${tags}.`);
      else if (isPending)
        messages.push(
          `You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for ${tags}.`,
        );
      else messages.push(`Jinja was looking for the following tags: ${tags}.`);
      messages.push(`The innermost block that needs to be closed is '${expected.tag}'.`);
    }
    this.fail(messages.join(' '));
  }

  private body(tag: string, ends: string[], dropEnd = true): Node[] {
    this.expect('block_end');
    this.stack.push({ tag, ends });
    const nodes = this.subparse(ends);
    this.stack.pop();
    if (dropEnd) this.next();
    return nodes;
  }

  private parseStatement(): Node {
    const token = this.current;
    if (token.type !== 'name') this.fail('tag name expected');
    switch (token.value) {
      case 'if':
        return this.parseIf();
      case 'for':
        return this.parseFor();
      case 'set':
        return this.parseSet();
      case 'macro':
        return this.parseMacro();
      case 'call':
        return this.parseCallBlock();
      case 'filter':
        return this.parseFilterBlock();
      case 'with':
        return this.parseWith();
      case 'print':
        return this.parsePrint();
      case 'block':
        return this.parseBlock();
      case 'autoescape':
        return this.parseAutoescape();
      case 'extends':
      case 'include':
      case 'import':
      case 'from':
        return this.parseLoading();
    }
    this.failUnknownTag(token.value);
  }

  private parsePrint(): Node {
    const start = this.next().start;
    const items: Expr[] = [];
    while (!this.is('block_end')) {
      if (items.length > 0) this.expect('operator', ',');
      items.push(this.parseExpression());
    }
    const end = this.current.start;
    return {
      kind: 'scope',
      body: items.map((expr) => ({ kind: 'output', expr, start: expr.start, end: expr.end })),
      start,
      end,
    };
  }

  private parseIf(): Node {
    const start = this.next().start;
    const test = this.parseTuple({ withCondexpr: false });
    const body = this.body('if', ['elif', 'else', 'endif'], false);
    const node: Node = { kind: 'if', test, body, else_: [], start, end: test.end };
    const tag = this.next();
    if (tag.value === 'elif') {
      node.else_ = [this.parseIfContinuation(tag)];
    } else if (tag.value === 'else') {
      node.else_ = this.body('if', ['endif']);
    }
    return node;
  }

  private parseIfContinuation(tag: Token): Node {
    const test = this.parseTuple({ withCondexpr: false });
    const body = this.body('if', ['elif', 'else', 'endif'], false);
    const node: Node = { kind: 'if', test, body, else_: [], start: tag.start, end: test.end };
    const next = this.next();
    if (next.value === 'elif') node.else_ = [this.parseIfContinuation(next)];
    else if (next.value === 'else') {
      node.else_ = this.body('if', ['endif']);
    }
    return node;
  }

  private parseFor(): Node {
    const start = this.next().start;
    const target = this.parseAssignTarget({ extraEnd: ['in'] });
    this.expect('name', 'in');
    const iter = this.parseTuple({ withCondexpr: false, extraEnd: ['recursive'] });
    const test = this.skipIf('name', 'if') ? this.parseExpression() : undefined;
    const recursive = this.skipIf('name', 'recursive');
    const body = this.body('for', ['endfor', 'else'], false);
    const else_ = this.next().value === 'else' ? this.body('for', ['endfor']) : [];
    return { kind: 'for', target, iter, body, else_, test, recursive, start, end: iter.end };
  }

  private parseSet(): Node {
    const start = this.next().start;
    const target = this.parseAssignTarget({ withNamespace: true });
    if (this.skipIf('operator', '=')) {
      const expr = this.parseTuple({ withCondexpr: true });
      return { kind: 'set', target, expr, start, end: expr.end };
    }
    const filter = this.parseFilter(undefined);
    const body = this.body('set', ['endset']);
    return { kind: 'setblock', target, body, filter, start, end: target.end };
  }

  private parseMacro(): Node {
    const start = this.next().start;
    const name = this.expect('name').value;
    const { params, defaults } = this.parseSignature();
    const body = this.body('macro', ['endmacro']);
    if (this.is('name')) this.next();
    return { kind: 'macro', name, params, defaults, body, start, end: start };
  }

  private parseSignature(): { params: string[]; defaults: (Expr | undefined)[] } {
    const params: string[] = [];
    const defaults: (Expr | undefined)[] = [];
    this.expect('operator', '(');
    while (!this.is('operator', ')')) {
      if (params.length > 0) this.expect('operator', ',');
      const name = this.expect('name');
      if (['true', 'false', 'none', 'True', 'False', 'None'].includes(name.value))
        this.fail(`can't assign to '${name.value}'`, name);
      params.push(name.value);
      if (this.skipIf('operator', '=')) defaults.push(this.parseExpression());
      else if (defaults.some((value) => value !== undefined))
        this.fail('non-default argument follows default argument');
      else defaults.push(undefined);
    }
    this.expect('operator', ')');
    return { params, defaults };
  }

  private parseCallBlock(): Node {
    const start = this.next().start;
    const signature = this.is('operator', '(') ? this.parseSignature() : { params: [], defaults: [] };
    const call = this.parseExpression();
    if (call.kind !== 'call') this.fail('expected call', this.current);
    const body = this.body('call', ['endcall']);
    return { kind: 'callblock', call, ...signature, body, start, end: call.end };
  }

  private parseFilterBlock(): Node {
    const start = this.next().start;
    const filter = this.parseFilter(undefined, true)!;
    const body = this.body('filter', ['endfilter']);
    return { kind: 'filterblock', filter, body, start, end: filter.end };
  }

  private parseWith(): Node {
    const start = this.next().start;
    const targets: Expr[] = [];
    const values: Expr[] = [];
    while (!this.is('block_end')) {
      if (targets.length > 0) this.expect('operator', ',');
      targets.push(this.parseAssignTarget({}));
      this.expect('operator', '=');
      values.push(this.parseExpression());
    }
    const body = this.body('with', ['endwith']);
    return { kind: 'with', targets, values, body, start, end: start };
  }

  private parseBlock(): Node {
    const start = this.next().start;
    const name = this.expect('name').value;
    this.skipIf('name', 'scoped');
    this.skipIf('name', 'required');
    if (this.current.type === 'operator' && this.current.value === '-') this.fail("Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead."); // prettier-ignore
    const body = this.body('block', ['endblock']);
    if (this.is('name')) {
      const closing = this.next();
      if (closing.value !== name) this.fail(`'${closing.value}' does not match block name '${name}'`, closing);
    }
    return { kind: 'scope', body, start, end: start };
  }

  private parseAutoescape(): Node {
    const start = this.next().start;
    this.parseExpression();
    const body = this.body('autoescape', ['endautoescape']);
    return { kind: 'scope', body, start, end: start };
  }

  /** extends/include/import/from parse like Jinja2, and fail at render time: WindFlow has no template loader. */
  private parseLoading(): Node {
    const tag = this.next();
    this.parseExpression();
    while (!this.is('block_end') && !this.is('eof')) this.next();
    return { kind: 'unsupported', message: 'no loader for this environment specified', start: tag.start, end: tag.end };
  }

  private parseAssignTarget(options: { extraEnd?: string[]; withNamespace?: boolean }): Expr {
    let target: Expr;
    if (options.withNamespace && this.look().type === 'operator' && this.look().value === '.') {
      const name = this.expect('name');
      this.next();
      const attr = this.expect('name');
      target = { kind: 'nsref', name: name.value, attr: attr.value, start: name.start, end: attr.end };
    } else {
      target = this.parseTuple({ simplified: true, extraEnd: options.extraEnd });
    }
    this.checkAssignable(target);
    return target;
  }

  private checkAssignable(target: Expr): void {
    if (target.kind === 'tuple') target.items.forEach((item) => this.checkAssignable(item));
    else if (target.kind === 'name') {
      if (['true', 'false', 'none', 'True', 'False', 'None'].includes(target.name))
        throw new TemplateSyntaxError(`can't assign to '${target.name}'`, target.start);
    } else if (target.kind !== 'nsref')
      throw new TemplateSyntaxError(`can't assign to '${target.kind === 'const' ? 'const' : target.kind}'`, target.start); // prettier-ignore
  }

  // ------------------------------------------------------------------------------------------------------------
  // Expressions.

  parseExpression(withCondexpr = true): Expr {
    return withCondexpr ? this.parseCondexpr() : this.parseOr();
  }

  private parseCondexpr(): Expr {
    let expr1 = this.parseOr();
    while (this.skipIf('name', 'if')) {
      const test = this.parseOr();
      const expr2 = this.skipIf('name', 'else') ? this.parseCondexpr() : undefined;
      expr1 = { kind: 'condexpr', test, expr1, expr2, start: expr1.start, end: (expr2 ?? test).end };
    }
    return expr1;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.skipIf('name', 'or')) {
      const right = this.parseAnd();
      left = { kind: 'binary', op: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.skipIf('name', 'and')) {
      const right = this.parseNot();
      left = { kind: 'binary', op: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.is('name', 'not')) {
      const start = this.next().start;
      const node = this.parseNot();
      return { kind: 'unary', op: 'not', node, start, end: node.end };
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const expr = this.parseMath1();
    const ops: [string, Expr][] = [];
    for (;;) {
      const token = this.current;
      if (token.type === 'operator' && COMPARE_OPERATORS.has(token.value)) {
        this.next();
        ops.push([token.value, this.parseMath1()]);
      } else if (this.skipIf('name', 'in')) {
        ops.push(['in', this.parseMath1()]);
      } else if (this.is('name', 'not') && this.look().type === 'name' && this.look().value === 'in') {
        this.next();
        this.next();
        ops.push(['notin', this.parseMath1()]);
      } else break;
    }
    if (ops.length === 0) return expr;
    return { kind: 'compare', expr, ops, start: expr.start, end: ops.at(-1)![1].end };
  }

  private binaryLevel(operators: string[], operand: () => Expr): Expr {
    let left = operand();
    while (this.current.type === 'operator' && operators.includes(this.current.value)) {
      const op = this.next().value;
      const right = operand();
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseMath1(): Expr {
    return this.binaryLevel(['+', '-'], () => this.parseConcat());
  }
  private parseConcat(): Expr {
    return this.binaryLevel(['~'], () => this.parseMath2());
  }
  private parseMath2(): Expr {
    return this.binaryLevel(['*', '/', '//', '%'], () => this.parsePow());
  }
  private parsePow(): Expr {
    return this.binaryLevel(['**'], () => this.parseUnary());
  }

  private parseUnary(withFilter = true): Expr {
    let node: Expr;
    const token = this.current;
    if (token.type === 'operator' && (token.value === '-' || token.value === '+')) {
      this.next();
      const operand = this.parseUnary(false);
      node = { kind: 'unary', op: token.value, node: operand, start: token.start, end: operand.end };
    } else node = this.parsePrimary();
    node = this.parsePostfix(node);
    if (withFilter) node = this.parseFilterExpr(node);
    return node;
  }

  private parsePrimary(): Expr {
    const token = this.current;
    const at = { start: token.start, end: token.end };
    if (token.type === 'name') {
      this.next();
      if (token.value === 'true' || token.value === 'True') return { kind: 'const', value: true, ...at };
      if (token.value === 'false' || token.value === 'False') return { kind: 'const', value: false, ...at };
      if (token.value === 'none' || token.value === 'None') return { kind: 'const', value: null, ...at };
      return { kind: 'name', name: token.value, ...at };
    }
    if (token.type === 'string') {
      this.next();
      let value = token.value;
      let end = token.end;
      while (this.current.type === 'string') {
        value += this.current.value;
        end = this.next().end;
      }
      return { kind: 'const', value, start: token.start, end };
    }
    if (token.type === 'integer' || token.type === 'float') {
      this.next();
      return { kind: 'const', value: token.number!, ...at };
    }
    if (this.is('operator', '(')) {
      this.next();
      const expr = this.parseTuple({ explicitParentheses: true });
      const close = this.expect('operator', ')');
      return { ...expr, start: token.start, end: close.end };
    }
    if (this.is('operator', '[')) return this.parseList();
    if (this.is('operator', '{')) return this.parseDict();
    this.fail(`unexpected '${describe(token)}'`);
  }

  parseTuple(options: {
    simplified?: boolean;
    withCondexpr?: boolean;
    extraEnd?: string[];
    explicitParentheses?: boolean;
  }): Expr {
    const start = this.current.start;
    const parse = options.simplified
      ? () => this.parsePrimary()
      : () => this.parseExpression(options.withCondexpr ?? true);
    const items: Expr[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length > 0) this.expect('operator', ',');
      if (this.isTupleEnd(options.extraEnd)) break;
      items.push(parse());
      if (this.is('operator', ',')) isTuple = true;
      else break;
    }
    const end = items.length > 0 ? items.at(-1)!.end : this.current.start;
    if (!isTuple) {
      if (items.length > 0) return items[0];
      if (!options.explicitParentheses) this.fail(`Expected an expression, got '${describe(this.current)}'`);
    }
    return { kind: 'tuple', items, start, end };
  }

  private isTupleEnd(extraEnd?: string[]): boolean {
    const token = this.current;
    if (token.type === 'variable_end' || token.type === 'block_end') return true;
    if (token.type === 'operator' && token.value === ')') return true;
    return !!extraEnd && token.type === 'name' && extraEnd.includes(token.value);
  }

  private parseList(): Expr {
    const start = this.expect('operator', '[').start;
    const items: Expr[] = [];
    while (!this.is('operator', ']')) {
      if (items.length > 0) this.expect('operator', ',');
      if (this.is('operator', ']')) break;
      items.push(this.parseExpression());
    }
    const end = this.expect('operator', ']').end;
    return { kind: 'list', items, start, end };
  }

  private parseDict(): Expr {
    const start = this.expect('operator', '{').start;
    const pairs: [Expr, Expr][] = [];
    while (!this.is('operator', '}')) {
      if (pairs.length > 0) this.expect('operator', ',');
      if (this.is('operator', '}')) break;
      const key = this.parseExpression();
      this.expect('operator', ':');
      pairs.push([key, this.parseExpression()]);
    }
    const end = this.expect('operator', '}').end;
    return { kind: 'dict', pairs, start, end };
  }

  private parsePostfix(node: Expr): Expr {
    for (;;) {
      if (this.is('operator', '.') || this.is('operator', '[')) node = this.parseSubscript(node);
      else if (this.is('operator', '(')) node = this.parseCall(node);
      else return node;
    }
  }

  private parseFilterExpr(node: Expr): Expr {
    for (;;) {
      if (this.is('operator', '|')) node = this.parseFilter(node)!;
      else if (this.is('name', 'is')) node = this.parseTest(node);
      else if (this.is('operator', '(')) node = this.parseCall(node);
      else return node;
    }
  }

  private parseSubscript(node: Expr): Expr {
    const token = this.next();
    if (token.value === '.') {
      const attr = this.next();
      if (attr.type === 'name')
        return { kind: 'getattr', node, attr: attr.value, attrStart: attr.start, start: node.start, end: attr.end };
      if (attr.type !== 'integer') this.fail('expected name or number', attr);
      const arg: Expr = { kind: 'const', value: attr.number!, start: attr.start, end: attr.end };
      return { kind: 'getitem', node, arg, start: node.start, end: attr.end };
    }
    const args: Expr[] = [];
    while (!this.is('operator', ']')) {
      if (args.length > 0) {
        this.expect('operator', ',');
        if (this.is('operator', ']')) break;
      }
      args.push(this.parseSubscribed());
    }
    const end = this.expect('operator', ']').end;
    const arg: Expr =
      args.length === 1 && !(this.tokens[this.index - 2].value === ',')
        ? args[0]
        : { kind: 'tuple', items: args, start: token.start, end };
    return { kind: 'getitem', node, arg, start: node.start, end };
  }

  private parseSubscribed(): Expr {
    const start = this.current.start;
    const parts: (Expr | undefined)[] = [];
    if (this.is('operator', ':')) {
      this.next();
      parts.push(undefined);
    } else {
      const expr = this.parseExpression();
      if (!this.is('operator', ':')) return expr;
      this.next();
      parts.push(expr);
    }
    if (this.is('operator', ':')) parts.push(undefined);
    else if (!this.is('operator', ']') && !this.is('operator', ',')) parts.push(this.parseExpression());
    else parts.push(undefined);
    if (this.skipIf('operator', ':')) {
      if (!this.is('operator', ']') && !this.is('operator', ',')) parts.push(this.parseExpression());
      else parts.push(undefined);
    } else parts.push(undefined);
    return { kind: 'slice', lower: parts[0], upper: parts[1], step: parts[2], start, end: this.current.start };
  }

  private parseCallArguments(): CallArguments & { end: number } {
    this.expect('operator', '(');
    const result: CallArguments = { args: [], kwargs: [] };
    let first = true;
    const ensure = (ok: boolean) => {
      if (!ok) this.fail('invalid syntax for function call expression');
    };
    while (!this.is('operator', ')')) {
      if (!first) {
        this.expect('operator', ',');
        if (this.is('operator', ')')) break;
      }
      first = false;
      if (this.is('operator', '*')) {
        ensure(result.dynArgs === undefined && result.dynKwargs === undefined);
        this.next();
        result.dynArgs = this.parseExpression();
      } else if (this.is('operator', '**')) {
        ensure(result.dynKwargs === undefined);
        this.next();
        result.dynKwargs = this.parseExpression();
      } else if (this.current.type === 'name' && this.look().type === 'operator' && this.look().value === '=') {
        ensure(result.dynKwargs === undefined);
        const key = this.next().value;
        this.next();
        result.kwargs.push([key, this.parseExpression()]);
      } else {
        ensure(result.dynArgs === undefined && result.dynKwargs === undefined && result.kwargs.length === 0);
        result.args.push(this.parseExpression());
      }
    }
    const end = this.expect('operator', ')').end;
    return { ...result, end };
  }

  private parseCall(node: Expr): Expr {
    const args = this.parseCallArguments();
    return { kind: 'call', node, ...args, start: node.start, end: args.end };
  }

  /** `| name(args)` chains; with `node` undefined, the filter of a filter block or block set. */
  private parseFilter(node: Expr | undefined, startInline = false): Expr | undefined {
    let result = node;
    while (this.is('operator', '|') || startInline) {
      if (!startInline) this.next();
      startInline = false;
      const nameToken = this.expect('name');
      let name = nameToken.value;
      let end = nameToken.end;
      while (this.is('operator', '.')) {
        this.next();
        const part = this.expect('name');
        name += `.${part.value}`;
        end = part.end;
      }
      const args = this.is('operator', '(') ? this.parseCallArguments() : { args: [], kwargs: [], end };
      result = {
        kind: 'filter',
        node: result,
        name,
        nameStart: nameToken.start,
        ...args,
        start: result?.start ?? nameToken.start,
        end: args.end,
      };
    }
    return result;
  }

  private parseTest(node: Expr): Expr {
    this.next();
    const negated = this.skipIf('name', 'not');
    const nameToken = this.expect('name');
    let name = nameToken.value;
    let end = nameToken.end;
    while (this.is('operator', '.')) {
      this.next();
      const part = this.expect('name');
      name += `.${part.value}`;
      end = part.end;
    }
    let args: CallArguments = { args: [], kwargs: [] };
    const current = this.current;
    if (this.is('operator', '(')) {
      const parsed = this.parseCallArguments();
      args = parsed;
      end = parsed.end;
    } else if (
      (['name', 'string', 'integer', 'float'].includes(current.type) ||
        (current.type === 'operator' && (current.value === '[' || current.value === '{'))) &&
      !(current.type === 'name' && ['else', 'or', 'and'].includes(current.value))
    ) {
      if (current.type === 'name' && current.value === 'is') this.fail('You cannot chain multiple tests with is');
      const arg = this.parsePostfix(this.parsePrimary());
      args = { args: [arg], kwargs: [] };
      end = arg.end;
    }
    const test: Expr = { kind: 'test', node, name, nameStart: nameToken.start, ...args, start: node.start, end };
    return negated ? { kind: 'unary', op: 'not', node: test, start: node.start, end } : test;
  }
}
