import { DiagnosticSink } from '../diagnostics';
import { FUNCTIONS_BY_NAME, signatureLabel } from '../functions';
import { FILTER_NAMES, TEST_NAMES } from '../jinja2/catalogue';
import { JINJA_GLOBALS, JINJA_KEYWORDS } from '../jinja';
import { leafSpan, ReferenceSite, StackModel, VariableDecl } from '../model';
import { closest, didYouMean } from '../suggest';

/** Scopes where WindFlow injects `deployment_name` (format spec §8.2; notes rendered like the template). */
const DEPLOYMENT_NAME_SCOPES = new Set(['template', 'target_parameters', 'deployment_notes']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Jinja2's globals that are called like functions, offered as did-you-mean for an unknown function. */
const JINJA_CALLABLE_GLOBALS = ['range', 'dict', 'lipsum', 'cycler', 'joiner', 'namespace'];

/** Template references: Jinja syntax, undefined names, groups, functions, filters, unused and shadowed variables. */
export function checkReferences(model: StackModel, sink: DiagnosticSink): void {
  // Indexed, skipping strings without Jinja: this runs over every string of the file on a cold start.
  const leaves = model.leaves;
  for (let index = 0; index < leaves.length; index++) {
    const leaf = leaves[index];
    if (leaf.scan.segments.length === 0 && leaf.scan.errors.length === 0) continue;
    for (const error of leaf.scan.errors) {
      sink.add('WF026', 'error', `Jinja syntax: ${error.message}`, leafSpan(leaf, error.span));
    }
    for (const segment of leaf.scan.segments) {
      for (const filter of segment.filters) {
        if (!FILTER_NAMES.includes(filter.name)) {
          sink.add(
            'WF027',
            'warning',
            `unknown Jinja filter '${filter.name}'${didYouMean(filter.name, FILTER_NAMES)}`,
            leafSpan(leaf, filter.span),
            {
              data: { suggestion: closest(filter.name, FILTER_NAMES) },
            },
          );
        }
      }
      for (const test of segment.tests) {
        if (!TEST_NAMES.includes(test.name)) {
          sink.add(
            'WF140',
            'error',
            `unknown Jinja test '${test.name}': Jinja2 refuses to render it${didYouMean(test.name, TEST_NAMES)}`,
            leafSpan(leaf, test.span),
            { data: { suggestion: closest(test.name, TEST_NAMES) } },
          );
        }
      }
    }
  }
  for (const key of model.jinjaKeys) {
    sink.add('WF026', 'information', 'Jinja in a mapping key is never rendered: WindFlow renders values only', {
      start: key.node.range![0],
      end: key.node.range![1],
    });
  }

  const topLevelNames = model.variables.map((decl) => decl.name);
  const members = new Map<string, VariableDecl[]>();
  for (const decl of model.declarations.values()) {
    if (decl.parent) members.set(decl.name, [...(members.get(decl.name) ?? []), decl]);
  }

  for (const site of model.references) checkSite(model, site, topLevelNames, members, sink);
  checkUnused(model, sink);
  checkNames(model, sink);
}

function checkSite(
  model: StackModel,
  site: ReferenceSite,
  topLevelNames: string[],
  members: Map<string, VariableDecl[]>,
  sink: DiagnosticSink,
): void {
  const { reference, leaf } = site;
  const name = reference.name;
  const fn = FUNCTIONS_BY_NAME.get(name);
  if (fn) {
    // Functions win over variables of the same name (format spec §5.5), so check them first.
    if (!reference.call) {
      sink.add('WF027', 'warning', `'${name}' is a function: call it as ${signatureLabel(fn)}`, site.span);
      return;
    }
    checkCall(site, sink);
    if (name === 'env') {
      sink.add(
        'WF028',
        'warning',
        'env() reads the environment of whatever renders the stack (on WindFlow: the API server, secrets included); pass the value as a variable instead',
        site.span,
      );
    } else if (leaf.scope === 'template' && fn.secret) {
      sink.add(
        'WF028',
        'information',
        `${name}() in the template is evaluated again on every render, so each deploy gets a new value; put it in a variable default`,
        site.span,
      );
    }
    return;
  }
  if (name === 'deployment_name' && !site.variable) {
    if (!DEPLOYMENT_NAME_SCOPES.has(leaf.scope)) {
      sink.add(
        'WF024',
        'warning',
        `deployment_name does not exist yet in ${leaf.scope === 'deployment_name' ? 'metadata.deployment_name' : 'variable definitions'}: it renders empty`,
        site.span,
      );
    }
    return;
  }
  if (JINJA_GLOBALS.has(name) && !site.variable) return;
  if (reference.call && !site.variable) {
    const suggestion = closest(name, [...FUNCTIONS_BY_NAME.keys(), ...JINJA_CALLABLE_GLOBALS]);
    sink.add(
      'WF027',
      'error',
      `unknown function '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ''}: WindFlow leaves the whole string unrendered`,
      site.span,
      {
        data: { suggestion },
      },
    );
    return;
  }

  const variable = site.variable;
  if (!variable) {
    if (reference.attributes.length > 0) {
      sink.add(
        'WF022',
        'error',
        `unknown group '${name}'${didYouMean(name, groupNames(model))}: WindFlow leaves the whole string unrendered`,
        site.span,
        { data: { suggestion: closest(name, groupNames(model)) } },
      );
      return;
    }
    const owners = members.get(name);
    if (owners?.length) {
      const replacement = owners[0].qualifiedName;
      sink.add(
        'WF021',
        'error',
        `'${name}' is a member of group '${owners[0].parent!.qualifiedName}': use {{ ${replacement} }}`,
        site.span,
        {
          data: { replacement },
        },
      );
      return;
    }
    const suggestion = closest(name, topLevelNames);
    sink.add(
      'WF020',
      'error',
      `undefined variable '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ''}: it renders empty`,
      site.span,
      {
        data: { suggestion, name, inferredType: inferType(site) },
      },
    );
    return;
  }

  if (variable.type === 'group' && variable.children.length > 0) {
    if (reference.attributes.length === 0) {
      if (!reference.call) {
        sink.add(
          'WF022',
          'warning',
          `'${name}' is a group: it renders as a Python dict; use {{ ${name}.<member> }}`,
          site.span,
        );
      }
    } else if (!site.member) {
      const attribute = reference.attributes[0];
      const candidates = variable.children.map((child) => child.name);
      const suggestion = closest(attribute.name, candidates);
      sink.add(
        'WF022',
        'error',
        `group '${name}' has no member '${attribute.name}'${suggestion ? `; did you mean '${suggestion}'?` : ''}: it renders empty`,
        site.attributeSpans[0],
        { data: { suggestion } },
      );
    }
  } else if (reference.attributes.length > 0 && variable.type !== 'group' && !looksLikeMethodCall(site)) {
    sink.add(
      'WF022',
      'warning',
      `'${name}' is a ${variable.type ?? 'plain'} variable, not a group: '.${reference.attributes[0].name}' renders empty`,
      site.attributeSpans[0],
    );
  }

  checkBooleanInterpolation(site, sink);

  if (leaf.scope === 'variables' && leaf.owner) {
    sink.add(
      'WF023',
      'warning',
      `a variable default that uses '${variable.qualifiedName}' renders empty on a WindFlow server (defaults see only the helper functions); this extension resolves it`,
      site.fullSpan,
    );
  }
  if (leaf.scope === 'deployment_name' && variable.parent === undefined && variable.type === 'group') {
    sink.add('WF024', 'warning', 'metadata.deployment_name sees only top-level variables, not groups', site.fullSpan);
  }
}

/**
 * `{{ enable_email }}` alone in an expression prints Python's `True`/`False`: a non-empty string that most programs
 * read as true, and not the `true`/`false` they usually expect.
 */
function checkBooleanInterpolation(site: ReferenceSite, sink: DiagnosticSink): void {
  const declaration = site.member ?? (site.reference.attributes.length === 0 ? site.variable : undefined);
  if (declaration?.type !== 'boolean' || site.segment.kind !== 'expression') return;
  if (site.leaf.scope !== 'template' && site.leaf.scope !== 'target_parameters') return;
  const tokens = site.segment.tokens;
  const last =
    site.attributeSpans.length > 0
      ? site.reference.attributes[site.reference.attributes.length - 1].span
      : site.reference.span;
  const alone = tokens[0]?.start === site.reference.span.start && tokens[tokens.length - 1]?.end === last.end;
  if (!alone) return;
  const name = declaration.qualifiedName;
  sink.add(
    'WF034',
    'information',
    `boolean '${name}' renders as Python's True/False, which many programs read as a non-empty (true) string; write {{ '1' if ${name} else '0' }} or {{ ${name} | string | lower }} for the spelling the program expects`,
    site.fullSpan,
  );
}

/** `{{ name.upper() }}`: a Python string method on a plain variable, which Jinja allows. */
function looksLikeMethodCall(site: ReferenceSite): boolean {
  const tokens = site.segment.tokens;
  const lastAttribute = site.reference.attributes[site.reference.attributes.length - 1];
  const index = tokens.findIndex((t) => t.start === lastAttribute.span.start);
  return index >= 0 && tokens[index + 1]?.text === '(';
}

function groupNames(model: StackModel): string[] {
  return model.variables.filter((decl) => decl.type === 'group').map((decl) => decl.name);
}

function checkCall(site: ReferenceSite, sink: DiagnosticSink): void {
  const fn = FUNCTIONS_BY_NAME.get(site.reference.name)!;
  const call = site.reference.call!;
  const positional = call.args.filter((arg) => !arg.keyword);
  const variadic = fn.parameters.some((p) => p.variadic);
  const required = fn.parameters.filter((p) => p.default === undefined && !p.variadic).length;
  const max = variadic ? Infinity : fn.parameters.length;
  const count = call.args.length;
  const callSpan = leafSpan(site.leaf, call.span);
  if (variadic && count === 0) {
    sink.add('WF027', 'error', `${fn.name}() needs at least one argument: ${signatureLabel(fn)}`, callSpan);
    return;
  }
  if (count < required || count > max) {
    const expected =
      required === max ? `${required}` : max === Infinity ? `at least ${required}` : `${required} to ${max}`;
    sink.add(
      'WF027',
      'error',
      `${fn.name}() takes ${expected} argument${max === 1 ? '' : 's'}, got ${count}: ${signatureLabel(fn)}`,
      callSpan,
    );
    return;
  }
  for (const arg of call.args) {
    const index = arg.keyword ? fn.parameters.findIndex((p) => p.name === arg.keyword) : positional.indexOf(arg);
    if (arg.keyword && index < 0) {
      sink.add(
        'WF027',
        'error',
        `${fn.name}() has no parameter '${arg.keyword}': ${signatureLabel(fn)}`,
        leafSpan(site.leaf, arg.span),
      );
      continue;
    }
    const parameter = fn.parameters[Math.min(index, fn.parameters.length - 1)];
    if (!parameter || !arg.isLiteral) continue;
    if (parameter.allowed && !(arg.literal === null && parameter.default === 'None')) {
      if (typeof arg.literal !== 'string' || !parameter.allowed.includes(arg.literal)) {
        const suggestion = typeof arg.literal === 'string' ? closest(arg.literal, parameter.allowed) : undefined;
        sink.add(
          'WF027',
          'error',
          `${fn.name}() ${parameter.name} must be one of ${parameter.allowed.map((v) => `'${v}'`).join(', ')}, not ${JSON.stringify(arg.literal)}${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
          leafSpan(site.leaf, arg.span),
          { data: { suggestion } },
        );
      }
    } else if (/length|port|attempts/.test(parameter.name) && typeof arg.literal !== 'number') {
      sink.add(
        'WF027',
        'error',
        `${fn.name}() ${parameter.name} must be a whole number, not ${JSON.stringify(arg.literal)}`,
        leafSpan(site.leaf, arg.span),
      );
    } else if (
      /length|port|attempts/.test(parameter.name) &&
      typeof arg.literal === 'number' &&
      (!Number.isInteger(arg.literal) || arg.literal < 0)
    ) {
      sink.add(
        'WF027',
        'error',
        `${fn.name}() ${parameter.name} must be a whole number ≥ 0, not ${arg.literal}`,
        leafSpan(site.leaf, arg.span),
      );
    }
  }
}

/** A guess at the type of an undeclared variable from how it is used, for the "declare it" quick fix. */
function inferType(site: ReferenceSite): string {
  const path = site.leaf.path.map(String);
  const last = path[path.length - 1] ?? '';
  const name = site.reference.name.toLowerCase();
  if (/password|passwd|secret|token|api_key/.test(name)) return 'password';
  if (/port$|_port|count|workers|replicas|size|max_|min_/.test(name) || path.includes('ports')) return 'integer';
  if (/^(enable|is_|use_|has_)/.test(name)) return 'boolean';
  if (last === 'deployment_notes') return 'string';
  return 'string';
}

function checkUnused(model: StackModel, sink: DiagnosticSink): void {
  const used = new Set<VariableDecl>();
  for (const site of model.references) {
    if (!site.variable) continue;
    used.add(site.variable);
    if (site.member) used.add(site.member);
    // A group used whole, or passed on, uses all its members.
    if (site.reference.attributes.length === 0) for (const decl of descendants(site.variable)) used.add(decl);
  }
  for (const decl of model.declarations.values()) {
    if (used.has(decl)) continue;
    if (
      decl.type === 'group' &&
      decl.children.some((child) => used.has(child) || descendants(child).some((d) => used.has(d)))
    )
      continue;
    if (decl.parent && !used.has(decl.parent) && decl.parent.children.every((child) => !used.has(child))) continue; // the whole group is reported
    sink.add('WF033', 'information', `variable '${decl.qualifiedName}' is never used`, decl.keySpan, {
      tags: ['unnecessary'],
      data: { name: decl.qualifiedName },
    });
  }
}

function descendants(decl: VariableDecl): VariableDecl[] {
  return decl.children.flatMap((child) => [child, ...descendants(child)]);
}

function checkNames(model: StackModel, sink: DiagnosticSink): void {
  for (const decl of model.declarations.values()) {
    const name = decl.name;
    if (!IDENTIFIER.test(name)) {
      sink.add(
        'WF025',
        'warning',
        name.includes('.')
          ? `variable name '${name}' contains '.', which WindFlow reads as a group path in submitted values`
          : `variable name '${name}' is not a valid identifier: templates cannot reference it`,
        decl.keySpan,
      );
    } else if (JINJA_KEYWORDS.has(name)) {
      sink.add(
        'WF025',
        'warning',
        `variable name '${name}' is a Jinja keyword: templates cannot reference it`,
        decl.keySpan,
      );
    } else if (FUNCTIONS_BY_NAME.has(name)) {
      sink.add(
        'WF025',
        'warning',
        `variable '${name}' is hidden by the helper function of the same name`,
        decl.keySpan,
      );
    } else if (name === 'deployment_name' && !decl.parent) {
      sink.add(
        'WF025',
        'warning',
        "variable 'deployment_name' is always overwritten by the deployment's name",
        decl.keySpan,
      );
    } else if (JINJA_GLOBALS.has(name) && !decl.parent) {
      sink.add('WF025', 'information', `variable '${name}' hides the Jinja global of the same name`, decl.keySpan);
    }
  }
}
