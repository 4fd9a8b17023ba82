/**
 * Structure of a stack file (WF001–WF007, WF010, WF011): what WindFlow's Pydantic schema rejects, and keys it silently
 * drops. Generic required/type problems come from ajv on schemas/stack.schema.json; the rest needs the YAML nodes
 * (source spellings, key types) and is checked here. Problems inside `template` belong to the target-shape families.
 */
import { isMap, isScalar, isSeq, Node, Pair, Scalar } from 'yaml';
import { DiagnosticSink, Severity } from '../diagnostics';
import { getPair, spanOf, StackModel, TARGET_TYPES, VARIABLE_TYPES, VariableDecl } from '../model';
import { keysAt, knownKeysAt, SchemaError, validateStructure } from '../schema';
import { closest } from '../suggest';
import type { Span } from '../text';

const VARIABLE_TYPE_LIST = VARIABLE_TYPES.join(', ');
const TARGET_TYPE_LIST = TARGET_TYPES.join(', ');
const METADATA_FIELDS = knownKeysAt(['metadata']);
const TOP_LEVEL_KEYS = knownKeysAt([]);
const VARIABLE_KEYS = knownKeysAt(['variables', 'any']);
const METADATA_REQUIRED = keysAt(['metadata'])
  .filter((key) => key.required)
  .map((key) => key.name);
/** The JSON pointer of a variable definition, top level or group member. */
const VARIABLE_DEFINITION_PATH = /^\/variables\/[^/]+(\/variables\/[^/]+)*$/;
/** Keys the web form documents but the schema drops, and what to write instead. */
const VARIABLE_KEY_REPLACEMENTS: Record<string, string> = { min: 'minimum', max: 'maximum' };

/** Strings and numbers Pydantic's lax mode turns into booleans instead of rejecting them. */
const LAX_BOOLEAN_STRINGS = new Set(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off', 't', 'f', 'y', 'n']);

export function checkStructure(model: StackModel, sink: DiagnosticSink): void {
  if (!model.root) {
    reportRootNotMapping(model, sink);
    return;
  }
  if (model.uri && /\.yml$/i.test(model.uri)) {
    sink.add(
      'WF011',
      'information',
      'WindFlow loads only *.yaml files from its stacks folder: rename this file to .yaml',
      firstKeySpan(model),
    );
  }
  if (model.data !== undefined) {
    for (const error of validateStructure(model.data)) reportSchemaError(model, error, sink);
  }
  checkVersion(model, sink);
  checkTargetType(model, sink);
  checkUnknownKeys(
    model.root.items,
    TOP_LEVEL_KEYS,
    (key) => `unknown top-level key '${key}'`,
    sink,
    (key) => {
      // `x-` keys hold YAML anchors for the template, as in Compose files; WindFlow ignoring them is the point.
      if (key.startsWith('x-')) return { skip: true };
      if (METADATA_FIELDS.includes(key)) return { hint: `; '${key}' belongs under metadata`, suggestion: undefined };
      return {};
    },
  );
  const metadata = getPair(model.root, 'metadata')?.value;
  if (isMap(metadata))
    checkUnknownKeys(metadata.items, METADATA_FIELDS, (key) => `unknown metadata field '${key}'`, sink);
  for (const decl of model.declarations.values()) checkVariableDefinition(model.text, decl, sink);
}

function reportRootNotMapping(model: StackModel, sink: DiagnosticSink): void {
  // A syntax error already explains an unreadable file; do not pile a second error on it.
  if (model.readDiagnostics.some((d) => d.severity === 'error')) return;
  const contents = model.document.contents;
  if (!contents) {
    sink.add('WF001', 'error', 'the file is empty: a stack needs metadata and template', {
      start: 0,
      end: model.text.length,
    });
    return;
  }
  const kind = isSeq(contents) ? 'a list' : 'a single value';
  sink.add(
    'WF001',
    'error',
    `a stack file must be a mapping with metadata and template, not ${kind}`,
    spanOf(contents),
  );
}

/** The first key of the file: where file-wide findings go. */
function firstKeySpan(model: StackModel): Span {
  const first = model.root?.items[0];
  return first ? spanOf(first.key as Node) : { start: 0, end: 0 };
}

interface Located {
  pair?: Pair;
  node?: Node | null;
}

/** The decoded segments of a JSON pointer (ajv's instancePath). */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The pair and value node at an ajv instancePath. */
function locate(model: StackModel, pointer: string): Located {
  let located: Located = { node: model.root };
  for (const segment of pointerSegments(pointer)) {
    const current = located.node;
    if (isMap(current)) {
      const pair = current.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) return {};
      located = { pair, node: pair.value as Node | null };
    } else if (isSeq(current)) {
      located = { node: current.items[Number(segment)] as Node | null };
    } else {
      return {};
    }
  }
  return located;
}

function keySpanOf(located: Located, fallback: Span): Span {
  return located.pair && isScalar(located.pair.key) ? spanOf(located.pair.key) : fallback;
}

/** The value's span; for an empty value (`key:` with nothing after it) the key's. */
function valueSpanOf(located: Located, fallback: Span): Span {
  const node = located.node;
  if (node && !(isScalar(node) && node.value === null && spanOf(node).end === spanOf(node).start)) return spanOf(node);
  return keySpanOf(located, fallback);
}

/** Human name of a data path: `metadata.tags[0]`, or `'minimum' of variable 'db.port'`. */
function describePath(pointer: string): string {
  const segments = pointerSegments(pointer);
  if (segments[0] === 'variables' && segments.length >= 3) {
    const names: string[] = [segments[1]];
    let index = 2;
    while (segments[index] === 'variables' && index + 1 < segments.length - 1) {
      names.push(segments[index + 1]);
      index += 2;
    }
    const rest = segments.slice(index).join('.');
    return `'${rest}' of variable '${names.join('.')}'`;
  }
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

function expectedText(type: unknown): string {
  const types = (Array.isArray(type) ? type : String(type).split(',')).filter((t) => t !== 'null');
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

function actualText(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return String(value);
}

function valueAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const segment of pointerSegments(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Pydantic (lax mode) accepts some mismatches by coercing them: flag those as information, not errors. */
function coercedByPydantic(value: unknown, expected: unknown): boolean {
  const types = Array.isArray(expected) ? expected : [expected];
  if (types.includes('boolean')) {
    return (typeof value === 'string' && LAX_BOOLEAN_STRINGS.has(value.toLowerCase())) || value === 0 || value === 1;
  }
  if (types.includes('integer')) return typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value);
  return false;
}

function isInsideTemplate(error: SchemaError): boolean {
  return error.instancePath.startsWith('/template/') || error.schemaPath.startsWith('#/allOf');
}

/** Paths checked by dedicated code with better messages than a generic schema error. */
function handledElsewhere(error: SchemaError): boolean {
  const path = error.instancePath;
  if (path === '/metadata/version' || path === '/metadata/target_type') return true;
  // Variable type/label presence and type values are WF005, checked on the declarations.
  if (VARIABLE_DEFINITION_PATH.test(path) && error.keyword === 'required') return true;
  return /^\/variables\/[^/]+(\/variables\/[^/]+)*\/type$/.test(path);
}

function reportSchemaError(model: StackModel, error: SchemaError, sink: DiagnosticSink): void {
  if (isInsideTemplate(error) || handledElsewhere(error)) return;
  const path = error.instancePath;
  const located = locate(model, path);
  const fallback = firstKeySpan(model);
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: string }).missingProperty);
    if (path === '') {
      sink.add('WF001', 'error', `the stack has no '${missing}' section: WindFlow rejects the file`, fallback, {
        data: { missing },
      });
    } else if (path === '/metadata') {
      sink.add('WF002', 'error', `metadata is missing the required field '${missing}'`, keySpanOf(located, fallback), {
        data: { missing },
      });
    }
    return;
  }
  const value = valueAt(model.data, path);
  if (path === '/template') {
    const message =
      error.keyword === 'minProperties' || value === null
        ? 'template is empty: it must be a mapping with at least one key'
        : `template must be a non-empty mapping, not ${actualText(value)}`;
    sink.add('WF001', 'error', message, valueSpanOf(located, fallback));
    return;
  }
  if (path === '/metadata' && error.keyword === 'type') {
    const message =
      value === null
        ? `metadata is empty: it needs the fields ${METADATA_REQUIRED.join(', ')}`
        : `metadata must be a mapping of fields, not ${actualText(value)}`;
    sink.add('WF001', 'error', message, valueSpanOf(located, fallback));
    return;
  }
  if (VARIABLE_DEFINITION_PATH.test(path) && error.keyword === 'type') {
    const name = path.slice('/variables/'.length).split('/variables/').join('.');
    const message =
      value === null
        ? `variable '${name}' has no definition: give it at least a type and a label`
        : `variable '${name}' must be a mapping with a type and a label, not ${actualText(value)}`;
    sink.add('WF005', 'error', message, valueSpanOf(located, fallback));
    return;
  }
  if (error.keyword === 'type') {
    const expected = (error.params as { type: unknown }).type;
    if (value === null) {
      sink.add(
        'WF007',
        'error',
        `${describePath(path)} is empty but must be ${expectedText(expected)}`,
        valueSpanOf(located, fallback),
      );
      return;
    }
    const severity: Severity = coercedByPydantic(value, expected) ? 'information' : 'error';
    const accepted = severity === 'information' ? ' (WindFlow converts it, but write the proper type)' : '';
    sink.add(
      'WF007',
      severity,
      `${describePath(path)} must be ${expectedText(expected)}, not ${actualText(value)}${accepted}`,
      valueSpanOf(located, fallback),
    );
    return;
  }
  if (error.keyword === 'pattern' && path.startsWith('/metadata/')) return;
  sink.add(
    'WF007',
    'error',
    `${describePath(path)} is not valid: ${error.message ?? error.keyword}`,
    valueSpanOf(located, fallback),
  );
}

function checkVersion(model: StackModel, sink: DiagnosticSink): void {
  const pair = getPair(getPair(model.root, 'metadata')?.value, 'version');
  const node = pair?.value;
  if (!pair || !isScalar(node)) return;
  const source = model.text.slice(spanOf(node).start, spanOf(node).end);
  if (node.value === null) {
    const message = 'metadata.version is empty: write a version string such as "1.0.0"';
    sink.add('WF004', 'error', message, valueSpanOf({ pair, node }, spanOf(pair.key as Node)));
  } else if (typeof node.value !== 'string') {
    const quoted = JSON.stringify(source);
    const readAs = typeof node.value === 'number' ? 'a number' : actualText(node.value);
    sink.add(
      'WF004',
      'error',
      `metadata.version must be a string: unquoted ${source} is read as ${readAs}; write ${quoted}`,
      spanOf(node),
      {
        data: { quoted },
      },
    );
  } else if (node.value.trim() === '') {
    sink.add('WF004', 'error', 'metadata.version must not be blank', spanOf(node));
  } else if (!/^\d+\.\d+\.\d+$/.test(node.value)) {
    sink.add(
      'WF004',
      'information',
      `metadata.version '${node.value}' is not in the X.Y.Z form the WindFlow docs ask for (e.g. 1.0.0)`,
      spanOf(node),
    );
  }
}

/** The allowed target type meant by a misspelling: `docker-compose` and `Docker` are unambiguous. */
function suggestTargetType(written: string): string | undefined {
  const normalized = written.trim().toLowerCase().replace(/-/g, '_');
  if ((TARGET_TYPES as readonly string[]).includes(normalized)) return normalized;
  return closest(normalized, TARGET_TYPES);
}

function checkTargetType(model: StackModel, sink: DiagnosticSink): void {
  const pair = getPair(getPair(model.root, 'metadata')?.value, 'target_type');
  if (!pair) return;
  const node = pair.value;
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value === 'string' && (TARGET_TYPES as readonly string[]).includes(value)) return;
  const suggestion = typeof value === 'string' ? suggestTargetType(value) : undefined;
  const hint = suggestion ? `; did you mean ${suggestion}?` : '';
  sink.add(
    'WF003',
    'error',
    `target_type must be one of ${TARGET_TYPE_LIST}${hint}`,
    valueSpanOf({ pair, node }, spanOf(pair.key as Node)),
    {
      data: suggestion ? { suggestion } : undefined,
    },
  );
}

interface UnknownKeyAdvice {
  skip?: boolean;
  hint?: string;
  suggestion?: string;
}

function checkUnknownKeys(
  pairs: Pair[],
  known: string[],
  describe: (key: string) => string,
  sink: DiagnosticSink,
  advise: (key: string) => UnknownKeyAdvice = () => ({}),
): void {
  for (const pair of pairs) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (known.includes(key)) continue;
    const advice = advise(key);
    if (advice.skip) continue;
    const suggestion = 'suggestion' in advice ? advice.suggestion : closest(key, known);
    const hint = advice.hint ?? (suggestion ? `; did you mean '${suggestion}'?` : '');
    sink.add('WF010', 'warning', `${describe(key)}: WindFlow ignores it${hint}`, spanOf(pair.key), {
      data: suggestion ? { suggestion } : undefined,
    });
  }
}

function checkVariableDefinition(text: string, decl: VariableDecl, sink: DiagnosticSink): void {
  if (!isMap(decl.valueNode)) return; // A definition that is not a mapping comes from the schema errors (WF005).
  const label = `variable '${decl.qualifiedName}'`;
  const typePair = getPair(decl.valueNode, 'type');
  if (!typePair) {
    sink.add('WF005', 'error', `${label} has no type (one of ${VARIABLE_TYPE_LIST})`, decl.keySpan, {
      data: { missing: 'type' },
    });
  } else {
    checkVariableType(label, typePair, sink);
  }
  if (!getPair(decl.valueNode, 'label')) {
    sink.add('WF005', 'error', `${label} has no label: WindFlow requires one, also for groups`, decl.keySpan, {
      data: { missing: 'label' },
    });
  }
  checkEnumLabels(text, decl, sink);
  checkUnknownKeys(
    decl.valueNode.items,
    VARIABLE_KEYS,
    (key) => `unknown key '${key}' in ${label}`,
    sink,
    (key) => {
      const replacement = VARIABLE_KEY_REPLACEMENTS[key];
      if (!replacement) return {};
      return {
        suggestion: replacement,
        hint: `; write '${replacement}' (the web form reads '${key}', but WindFlow drops it)`,
      };
    },
  );
}

function checkVariableType(label: string, typePair: Pair<Scalar, Node | null>, sink: DiagnosticSink): void {
  const node = typePair.value;
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value === 'string' && (VARIABLE_TYPES as readonly string[]).includes(value)) return;
  const span = valueSpanOf({ pair: typePair, node }, spanOf(typePair.key));
  if (value === 'enum' || value === 'select') {
    sink.add(
      'WF005',
      'error',
      `'${value}' is not a variable type: write 'type: string' and list the choices under 'enum:'`,
      span,
      {
        data: { suggestion: 'string' },
      },
    );
    return;
  }
  const suggestion = typeof value === 'string' ? closest(value, VARIABLE_TYPES) : undefined;
  const hint = suggestion ? `; did you mean ${suggestion}?` : '';
  sink.add('WF005', 'error', `the type of ${label} must be one of ${VARIABLE_TYPE_LIST}${hint}`, span, {
    data: suggestion ? { suggestion } : undefined,
  });
}

/** How Python's str() prints an enum item, which is what enum_labels keys are compared with. */
export function pythonString(value: unknown, source: string): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  // A YAML float like 10.0 is the JS number 10, but Python prints it as 10.0.
  if (typeof value === 'number' && Number.isInteger(value) && /[.eE]/.test(source)) return value.toFixed(1);
  return String(value);
}

function checkEnumLabels(text: string, decl: VariableDecl, sink: DiagnosticSink): void {
  const labelsPair = getPair(decl.valueNode, 'enum_labels');
  if (!labelsPair || !isMap(labelsPair.value)) return;
  const enumNode = getPair(decl.valueNode, 'enum')?.value;
  if (!isSeq(enumNode)) {
    sink.add(
      'WF006',
      'error',
      `enum_labels of variable '${decl.qualifiedName}' needs an 'enum' list`,
      spanOf(labelsPair.key),
    );
    return;
  }
  const sourceText = (node: Node): string => text.slice(spanOf(node).start, spanOf(node).end);
  const enumStrings = enumNode.items.filter(isScalar).map((item) => pythonString(item.value, sourceText(item)));
  for (const pair of labelsPair.value.items) {
    if (!isScalar(pair.key)) continue;
    const key = pair.key.value;
    const keySpan = spanOf(pair.key);
    if (typeof key !== 'string') {
      const quoted = JSON.stringify(pythonString(key, sourceText(pair.key)));
      sink.add('WF006', 'error', `enum_labels keys must be strings: quote it as ${quoted}`, keySpan, {
        data: { quoted },
      });
    } else if (!enumStrings.includes(key)) {
      const suggestion = closest(key, enumStrings);
      const hint = suggestion ? `; did you mean '${suggestion}'?` : '';
      sink.add(
        'WF006',
        'error',
        `enum_labels key '${key}' is not one of the enum values (${enumStrings.join(', ')})${hint}`,
        keySpan,
        {
          data: suggestion ? { suggestion } : undefined,
        },
      );
    }
  }
}
