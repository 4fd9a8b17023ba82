import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { checkStack } from '../../server/src/stack/check';
import { kubernetesSchema } from '../../server/src/stack/schemas/kubernetes';
import { parseStack } from '../../server/src/stack/model';

interface Snippet {
  prefix: string[];
  body: string[];
  description: string;
}

const SNIPPETS = JSON.parse(
  readFileSync(path.resolve(__dirname, '..', '..', 'snippets', 'windflow-stack.json'), 'utf8'),
) as Record<string, Snippet>;

/** The text VS Code inserts when every placeholder keeps its default (the first choice of a choice list). */
function expand(snippet: Snippet, indent = ''): string {
  return snippet.body
    .map(
      (line) =>
        indent +
        line
          .replace(/\$\{\d+:([^}]*)\}/g, '$1')
          .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1')
          .replace(/\$\d+/g, ''),
    )
    .join('\n');
}

function problems(text: string): string[] {
  return checkStack(parseStack(text))
    .filter((diagnostic) => diagnostic.severity === 'error' || diagnostic.severity === 'warning')
    .map((diagnostic) => `${diagnostic.code} ${diagnostic.message}`);
}

describe('snippets', () => {
  const stacks = Object.entries(SNIPPETS).filter(([, snippet]) => snippet.body[0] === 'metadata:');

  it('has a new-stack snippet for each deployable target type', () => {
    assert.deepEqual(
      stacks.map(([, snippet]) => /target_type: (\w+)/.exec(snippet.body.join('\n'))?.[1]),
      ['docker', 'docker_compose', 'kubernetes'],
    );
  });

  for (const [name, snippet] of stacks) {
    it(`${name} expands to a stack without errors or warnings`, () => {
      assert.deepEqual(problems(expand(snippet) + '\n'), []);
    });
  }

  it('has a variable snippet of each type and a group, each valid inside variables:', () => {
    const variables = Object.entries(SNIPPETS).filter(
      ([name, snippet]) => snippet.body[0] !== 'metadata:' && !name.startsWith('Kubernetes '),
    );
    const types = variables.map(([, snippet]) => /type: (\w+)/.exec(snippet.body.join('\n'))?.[1]);
    assert.deepEqual([...new Set(types)].sort(), [
      'boolean',
      'group',
      'integer',
      'number',
      'password',
      'string',
      'textarea',
    ]);
    const base = expand(stacks[0][1]).replace(/\n {2}image_tag:/, (match) => `\n${'{{HERE}}'}${match}`);
    for (const [name, snippet] of variables) {
      const body = expand(snippet, '  ').replace(
        /^ {2}(name|settings):/,
        `  extra_${types[variables.findIndex(([other]) => other === name)]}:`,
      );
      const text = base.replace('{{HERE}}', `${body}\n`) + '\n';
      const found = problems(text).filter((problem) => !problem.startsWith('WF033'));
      assert.deepEqual(found, [], name);
    }
  });

  const kubernetesObjects = Object.entries(SNIPPETS).filter(([name]) => name.startsWith('Kubernetes '));

  it('has a Kubernetes object skeleton for each common kind', () => {
    assert.deepEqual(
      kubernetesObjects.map(([, snippet]) => /^kind: (\w+)/m.exec(snippet.body.join('\n'))?.[1]),
      [
        'Deployment',
        'Service',
        'Ingress',
        'ConfigMap',
        'Secret',
        'StatefulSet',
        'Job',
        'CronJob',
        'PersistentVolumeClaim',
      ],
    );
  });

  for (const [name, snippet] of kubernetesObjects) {
    it(`${name} expands to an object without errors or warnings, as the template and as a List item`, () => {
      const kubernetesStack = stacks.find(([, stack]) => stack.body.join('\n').includes('target_type: kubernetes'))!;
      const base = expand(kubernetesStack[1]);
      const head = base.slice(0, base.indexOf('  deployment_name:'));
      const variables = '\nvariables:\n  password:\n    type: password\n    label: Password\n    default: ""\n';
      const asTemplate = `${head}template:\n${expand(snippet, '  ')}${variables}`;
      assert.deepEqual(problems(asTemplate), [], asTemplate);
      const item = expand(snippet, '      ').replace(/^ {6}/, '    - ');
      const asItem = `${head}template:\n  apiVersion: v1\n  kind: List\n  items:\n${item}${variables}`;
      assert.deepEqual(problems(asItem), [], asItem);
      const object = parse(expand(snippet)) as { apiVersion: string; kind: string };
      const validate = new Ajv2020({ allErrors: true, strict: false }).compile(
        kubernetesSchema(object.apiVersion, object.kind)!,
      );
      assert.ok(validate(object), JSON.stringify(validate.errors));
    });
  }
});
