/**
 * Completion and hover inside `template` from the target's schema (server/src/stack/schemas): keys at every level with
 * their documentation (required ones first), enum values, the skeleton of a new entry (a Compose service), and the
 * Compose names a value refers to. Any schema registered in stack/schemas/index.ts gets all of it.
 */
import {
  CompletionItem,
  CompletionItemKind,
  CompletionItemTag,
  InsertTextFormat,
  Range,
} from 'vscode-languageserver-types';
import { getIn, isPlainObject, Path, StackModel } from '../stack/model';
import { JsonSchema, SchemaDescription } from '../stack/schemaEngine';
import { templateSchemaAt } from '../stack/schemas';
import { scalarPairs } from './locate';

function templateData(model: StackModel): unknown {
  return isPlainObject(model.data) ? model.data.template : undefined;
}

function locate(model: StackModel, path: Path) {
  if (path[0] !== 'template') return undefined;
  return templateSchemaAt(model.targetType, templateData(model), path.slice(1));
}

/**
 * The types to show: `null` only when it is the only one — optional fields are nullable in the generated Kubernetes
 * schemas, and an empty value is not something to suggest writing.
 */
function shownTypes(described: SchemaDescription): string {
  const types = described.types.filter((type) => type !== 'null');
  return (types.length ? types : described.types).join(' | ');
}

/** Markdown for a key: its description, type, allowed values, default and the reference page. */
export function describeSchemaKey(name: string, described: SchemaDescription): string {
  const lines = [`**${name}**${described.description ? `: ${described.description}` : ''}`];
  const facts: string[] = [];
  const types = shownTypes(described);
  if (types) facts.push(`Type: \`${types}\``);
  if (described.enum) facts.push(`One of: ${described.enum.map((value) => `\`${String(value)}\``).join(', ')}`);
  if (described.default !== undefined) facts.push(`Default: \`${JSON.stringify(described.default)}\``);
  if (described.minimum !== undefined || described.maximum !== undefined)
    facts.push(`Range: ${described.minimum ?? '…'} to ${described.maximum ?? '…'}`);
  if (described.deprecated) facts.push('Deprecated.');
  if (facts.length) lines.push(facts.join('  \n'));
  if (described.documentation) lines.push(`[Reference](${described.documentation})`);
  return lines.join('\n\n');
}

/** Hover on a key inside `template`, when the target's schema knows it. */
export function templateKeyHover(model: StackModel, path: Path): string | undefined {
  const location = locate(model, path);
  if (!location || location.schemas.length === 0) return undefined;
  const name = String(path[path.length - 1]);
  const described = location.compiled.describe(location.schemas, path.slice(1));
  if (!described.description && described.types.length === 0 && !described.enum) return undefined;
  return describeSchemaKey(name, described);
}

/** The keys that may be written in the mapping at `parent`; undefined when no template schema applies there. */
export function templateKeyItems(
  model: StackModel,
  parent: Path,
  range: Range,
  present: Set<string>,
): CompletionItem[] | undefined {
  const location = locate(model, parent);
  if (!location || location.schemas.length === 0) return undefined;
  const { compiled, schemas } = location;
  const items: CompletionItem[] = compiled
    .keysOf(schemas)
    .filter((key) => !present.has(key.name))
    .map((key) => {
      const described = compiled.describe(key.schemas, [...parent.slice(1), key.name]);
      return {
        label: key.name,
        kind: CompletionItemKind.Property,
        detail: [key.required ? 'required' : undefined, shownTypes(described) || undefined].filter(Boolean).join(' · '),
        documentation: { kind: 'markdown', value: describeSchemaKey(key.name, described) },
        sortText: `${key.required ? 0 : 1}${key.name}`,
        tags: key.deprecated ? [CompletionItemTag.Deprecated] : undefined,
        textEdit: { range, newText: `${key.name}: ` },
      };
    });
  items.push(...skeletonItems(compiled.alternatives.bind(compiled), schemas, range));
  return items;
}

/** A snippet for a new entry of a mapping whose entries carry one (`x-windflow-snippet`), e.g. a Compose service. */
function skeletonItems(
  alternatives: (schema: JsonSchema) => JsonSchema[],
  schemas: JsonSchema[],
  range: Range,
): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const schema of schemas) {
    const entrySchemas = [
      ...Object.values(schema.patternProperties ?? {}),
      ...(typeof schema.additionalProperties === 'object' ? [schema.additionalProperties] : []),
    ].flatMap(alternatives);
    for (const entry of entrySchemas) {
      const snippet = entry['x-windflow-snippet'];
      if (!snippet || items.some((item) => item.textEdit?.newText === snippet)) continue;
      const title = entry['x-windflow-title'] ?? 'entry';
      items.push({
        label: `new ${title.replace(/^an? /, '')}`,
        kind: CompletionItemKind.Snippet,
        detail: `skeleton of ${title}`,
        documentation: {
          kind: 'markdown',
          value: `\`\`\`yaml\n${snippet.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$0/g, '')}\n\`\`\``,
        },
        sortText: '0',
        insertTextFormat: InsertTextFormat.Snippet,
        textEdit: { range, newText: snippet },
      });
    }
  }
  return items;
}

/** Values for the key at `path`: its enum, booleans, and Compose names where a value names a config or secret. */
export function templateValueItems(model: StackModel, path: Path, range: Range): CompletionItem[] | undefined {
  const named = composeSourceNames(model, path);
  if (named)
    return named.map((name) => ({
      label: name,
      kind: CompletionItemKind.Reference,
      textEdit: { range, newText: name },
    }));
  const location = locate(model, path);
  if (!location || location.schemas.length === 0) return undefined;
  const described = location.compiled.describe(location.schemas, path.slice(1));
  const values = described.enum?.map(String) ?? (described.types.includes('boolean') ? ['true', 'false'] : []);
  return values.map((value) => ({
    label: value,
    kind: CompletionItemKind.EnumMember,
    detail: described.default !== undefined && String(described.default) === value ? 'default' : undefined,
    textEdit: { range, newText: value },
  }));
}

/**
 * `source:` of a service's long-syntax `configs`, `secrets` or volume mount: the names declared at the top level;
 * `extends.service`: the other services.
 */
function composeSourceNames(model: StackModel, path: Path): string[] | undefined {
  if (model.targetType !== 'docker_compose' && model.targetType !== 'docker_swarm') return undefined;
  if (
    path.length === 5 &&
    path[0] === 'template' &&
    path[1] === 'services' &&
    path[3] === 'extends' &&
    path[4] === 'service'
  )
    return scalarPairs(getIn(model.root, ['template', 'services']))
      .map(({ key }) => key)
      .filter((name) => name !== path[2]);
  if (path.length !== 6 || path[0] !== 'template' || path[1] !== 'services' || path[5] !== 'source') return undefined;
  const kind = path[3];
  if (kind !== 'configs' && kind !== 'secrets' && kind !== 'volumes') return undefined;
  return scalarPairs(getIn(model.root, ['template', kind])).map(({ key }) => key);
}
