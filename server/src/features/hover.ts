import type { Hover, MarkupContent } from 'vscode-languageserver-types';
import { FUNCTIONS_BY_NAME, FunctionSignature, signatureLabel } from '../stack/functions';
import { Node } from 'yaml';
import { declarationAt, leafSpan, StackModel, VariableDecl } from '../stack/model';
import { describeKey } from '../stack/schema';
import { kubernetesReferenceAt } from '../stack/schemas/kubernetesTemplate';
import { Span } from '../stack/text';
import { contains, displayDefault, leafAt, pairAt, segmentAt, toRange, valueIndexAt } from './locate';
import { templateKeyHover } from './schemaCompletion';
import { filterOrTestHover } from './jinjaLibrary';

/** Markdown for a variable or group member: what the deploy form shows, with password defaults masked. */
export function describeVariable(decl: VariableDecl): string {
  const definition = decl.definition;
  const lines: string[] = [];
  const label = typeof definition.label === 'string' ? definition.label : decl.name;
  lines.push(
    `**${label}** \`${decl.qualifiedName}\`: ${decl.type ?? 'untyped'}${decl.parent ? ` (member of group \`${decl.parent.qualifiedName}\`)` : ''}`,
  );
  if (decl.type === 'group') {
    const members = decl.children.map((child) => `\`${child.name}\``).join(', ');
    if (members) lines.push(`Members: ${members}`);
  }
  const shownDefault = displayDefault(decl);
  if (shownDefault !== undefined) {
    const generated = typeof definition.default === 'string' && definition.default.includes('{{');
    lines.push(
      `Default: \`${shownDefault}\`${generated && decl.type !== 'password' ? ' (rendered at deploy time)' : ''}`,
    );
  }
  if (Array.isArray(definition.enum))
    lines.push(`One of: ${definition.enum.map((value) => `\`${String(value)}\``).join(', ')}`);
  for (const property of ['description', 'help'] as const) {
    if (typeof definition[property] === 'string' && definition[property]) lines.push(String(definition[property]));
  }
  return lines.join('\n\n');
}

export function describeFunction(fn: FunctionSignature): string {
  return `\`\`\`python\n${signatureLabel(fn)}\n\`\`\`\n\n${fn.documentation}`;
}

const DEPLOYMENT_NAME_HELP =
  '**deployment_name**: the name of this deployment (the container name for `docker`, the project name otherwise). ' +
  'Set by WindFlow for `template`, `target_parameters` and `deployment_notes`.';

export interface HoverOptions {
  /** `windflow.kubernetes.version`: which Kubernetes API reference hovers link to. */
  kubernetesVersion?: string;
}

export function hover(model: StackModel, offset: number, options: HoverOptions = {}): Hover | null {
  const jinja = jinjaHover(model, offset);
  if (jinja) return jinja;
  const decl = declarationAt(model, offset);
  if (decl) return markdown(model, describeVariable(decl), decl.keySpan);
  const at = pairAt(model, offset);
  if (at?.onKey) {
    const keyRange = (at.pair.key as Node | null)?.range;
    const fromTemplateSchema = templateKeyHover(model, at.path);
    if (fromTemplateSchema && keyRange) {
      const reference = kubernetesReferenceAt(model, at.path, options.kubernetesVersion);
      const value = reference
        ? `${fromTemplateSchema}\n\n[Kubernetes API reference](${reference})`
        : fromTemplateSchema;
      return markdown(model, value, { start: keyRange[0], end: keyRange[1] });
    }
    const described = describeKey(at.path, model.targetType);
    if (described?.description && keyRange) {
      const facts = [
        described.type && `Type: \`${described.type}\``,
        described.enum && `One of: ${described.enum.map((value) => `\`${String(value)}\``).join(', ')}`,
      ];
      const value = [`**${at.path[at.path.length - 1]}**: ${described.description}`, ...facts.filter(Boolean)].join(
        '\n\n',
      );
      return markdown(model, value, { start: keyRange[0], end: keyRange[1] });
    }
  }
  return null;
}

/** Hover on a name inside `{{ }}`: a variable, a group member, a helper function, or `deployment_name`. */
function jinjaHover(model: StackModel, offset: number): Hover | null {
  for (const site of model.references) {
    if (!contains(site.fullSpan, offset)) continue;
    const onMember = site.attributeSpans[0] && contains(site.attributeSpans[0], offset);
    if (onMember && site.member) return markdown(model, describeVariable(site.member), site.attributeSpans[0]);
    if (!contains(site.span, offset)) continue;
    const fn = FUNCTIONS_BY_NAME.get(site.reference.name);
    if (fn) return markdown(model, describeFunction(fn), site.span);
    if (site.variable) return markdown(model, describeVariable(site.variable), site.span);
    if (site.reference.name === 'deployment_name') return markdown(model, DEPLOYMENT_NAME_HELP, site.span);
  }
  const leaf = leafAt(model, offset);
  const segment = leaf && segmentAt(leaf, valueIndexAt(leaf, offset));
  if (!leaf || !segment) return null;
  const index = valueIndexAt(leaf, offset);
  const library = filterOrTestHover(segment, index);
  return library ? markdown(model, library.text, leafSpan(leaf, library.span)) : null;
}

function markdown(model: StackModel, value: string, span: Span): Hover {
  const contents: MarkupContent = { kind: 'markdown', value };
  return { contents, range: toRange(model.lines, span) };
}
