/**
 * The Kubernetes part of `npm run bench`: a 10k-line `kind: List` of Deployments, Services and ConfigMaps, measured
 * in our server and in yaml-language-server given the same generated Kubernetes schemas (wired into the stack schema
 * so that every List item is validated against the schema of its apiVersion/kind).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import stackSchema from '../schemas/stack.schema.json';
import { GENERATED_KUBERNETES_DIRECTORY } from '../schemas/kubernetesSchemas';
import { median, percentile, positionOf, timeEdits } from './languageServers';
import { LspProcess } from './lspProcess';

/** `apps` Deployments, each with its Service and ConfigMap, about 50 lines per app. */
export function generateKubernetesStack(appCount: number, variableCount = 50): string {
  const lines = [
    'metadata:',
    '  name: big-cluster',
    '  version: "1.0.0"',
    '  category: Benchmark',
    '  author: bench',
    '  license: MIT',
    '  description: A generated Kubernetes stack for benchmarks.',
    '  target_type: kubernetes',
    'template:',
    '  apiVersion: v1',
    '  kind: List',
    '  items:',
  ];
  for (let i = 0; i < appCount; i++) {
    const v = `var_${i % variableCount}`;
    lines.push(
      '    - apiVersion: v1',
      '      kind: ConfigMap',
      '      metadata:',
      `        name: app${i}-config`,
      '      data:',
      `        SETTING: "{{ ${v} }}"`,
      `        INDEX: "${i}"`,
      '    - apiVersion: apps/v1',
      '      kind: Deployment',
      '      metadata:',
      `        name: app${i}`,
      '        labels:',
      `          app: app${i}`,
      '      spec:',
      '        replicas: "{{ replicas }}"',
      '        selector:',
      '          matchLabels:',
      `            app: app${i}`,
      '        template:',
      '          metadata:',
      '            labels:',
      `              app: app${i}`,
      '          spec:',
      '            containers:',
      `              - name: app${i}`,
      `                image: "registry.local/app-${i}:{{ ${v} }}"`,
      '                imagePullPolicy: IfNotPresent',
      '                ports:',
      '                  - name: http',
      '                    containerPort: 8080',
      '                envFrom:',
      '                  - configMapRef:',
      `                      name: app${i}-config`,
      '                resources:',
      '                  requests:',
      '                    cpu: 100m',
      '                    memory: 128Mi',
      '                readinessProbe:',
      '                  httpGet:',
      '                    path: /healthz',
      '                    port: http',
      '    - apiVersion: v1',
      '      kind: Service',
      '      metadata:',
      `        name: app${i}`,
      '      spec:',
      '        selector:',
      `          app: app${i}`,
      '        ports:',
      '          - port: 80',
      '            targetPort: http',
    );
  }
  lines.push('variables:', '  replicas:', '    type: integer', '    label: Replicas', '    default: 2');
  for (let i = 0; i < variableCount; i++) {
    lines.push(`  var_${i}:`, '    type: string', `    label: "Variable ${i}"`, `    default: "v${i}"`);
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * The stack schema with every item of the template's List validated by the generated schema of its kind: the
 * definitions of every group/version, and one if/then per apiVersion/kind pair.
 */
export function kubernetesStackSchema(): object {
  const read = (file: string) => JSON.parse(readFileSync(path.join(GENERATED_KUBERNETES_DIRECTORY, file), 'utf8'));
  const { kinds } = read('index.json') as { kinds: { apiVersion: string; kind: string; definition: string }[] };
  const definitions: Record<string, unknown> = {};
  for (const file of readdirSync(GENERATED_KUBERNETES_DIRECTORY).filter((name) => name !== 'index.json'))
    Object.assign(definitions, read(file).$defs);
  const switchByKind = kinds.map((entry) => ({
    if: {
      properties: { apiVersion: { const: entry.apiVersion }, kind: { const: entry.kind } },
      required: ['apiVersion', 'kind'],
    },
    then: { $ref: `#/$defs/${entry.definition}` },
  }));
  const schema = structuredClone(stackSchema) as {
    properties: Record<string, unknown>;
    $defs: Record<string, unknown>;
  };
  schema.$defs = { ...schema.$defs, ...definitions };
  schema.properties.template = {
    type: 'object',
    properties: { items: { type: 'array', items: { allOf: switchByKind } } },
  };
  return schema;
}

export interface KubernetesMeasurements {
  coldStartMs: number;
  editToDiagnosticsMs: number[];
  completionMs: number[];
  hoverMs: number[];
  residentMb: number;
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** Open, type inside a Deployment in the middle of the List and in `variables`, ask for keys inside a container. */
async function measure(
  command: string,
  languageId: string,
  settings: Record<string, unknown>,
  file: string,
  text: string,
  middle: number,
  rounds: { edits: number; requests: number },
): Promise<KubernetesMeasurements> {
  const uri = pathToFileURL(file).href;
  const start = process.hrtime.bigint();
  const server = new LspProcess(command, ['--stdio'], settings);
  try {
    await server.initialize(pathToFileURL(path.dirname(file)).href);
    const firstDiagnostics = server.nextDiagnostics(uri);
    await server.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version: 1, text },
    });
    await firstDiagnostics;
    const coldStartMs = since(start);
    const deploymentEdit = positionOf(text, '"', 1, `        name: app${middle}\n        labels:`);
    const variableEdit = positionOf(text, '"', 0, 'label: "Variable 25');
    const editToDiagnosticsMs = await timeEdits(server, uri, [deploymentEdit, variableEdit], rounds.edits);
    const keyPosition = positionOf(text, 'imagePullPolicy:', 0, `              - name: app${middle + 1}\n`);
    const time = async (method: string, position: { line: number; character: number }) => {
      const requestStart = process.hrtime.bigint();
      await server.connection.sendRequest(method, { textDocument: { uri }, position });
      return since(requestStart);
    };
    const completionMs: number[] = [];
    const hoverMs: number[] = [];
    for (let i = 0; i < rounds.requests; i++) {
      completionMs.push(await time('textDocument/completion', keyPosition));
      hoverMs.push(await time('textDocument/hover', { ...keyPosition, character: keyPosition.character + 3 }));
    }
    return { coldStartMs, editToDiagnosticsMs, completionMs, hoverMs, residentMb: server.residentMegabytes() };
  } finally {
    await server.stop();
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a');

function row(label: string, ours: number, theirs: number, goal: number | undefined, unit = 'ms'): string {
  const ratio = theirs > 0 ? ours / theirs : NaN;
  const verdict = goal === undefined || !Number.isFinite(ratio) ? '' : ratio <= goal ? 'met' : 'not met';
  const shown = Number.isFinite(ratio) ? `${ratio.toFixed(3)}×` : 'n/a';
  return `| ${label} | ${fmt(ours)} ${unit} | ${fmt(theirs)} ${unit} | ${shown} | ${goal === undefined ? '—' : `≤ ${goal}×`} | ${verdict} |`;
}

/** Runs both servers on the generated Kubernetes stack; returns the section of docs/performance.md. */
export async function benchKubernetes(root: string, out: string): Promise<string> {
  const apps = 200;
  const rounds = { edits: 40, requests: 100 };
  const text = generateKubernetesStack(apps);
  const file = path.join(out, `bench-kubernetes-${apps}.stack.yaml`);
  writeFileSync(file, text);
  const schemaFile = path.join(out, 'kubernetes-stack.schema.json');
  writeFileSync(schemaFile, JSON.stringify(kubernetesStackSchema()));
  process.stderr.write('bench: windflow-language-server on the Kubernetes stack…\n');
  const ours = await measure(
    path.join(root, 'dist', 'server.js'),
    'windflow-stack',
    { windflow: { validation: { enabled: true }, inlayHints: { enabled: true }, trustedWorkspace: true } },
    file,
    text,
    Math.floor(apps / 2),
    rounds,
  );
  process.stderr.write('bench: yaml-language-server on the Kubernetes stack…\n');
  const theirs = await measure(
    path.join(root, 'node_modules', '.bin', 'yaml-language-server'),
    'yaml',
    {
      yaml: {
        validate: true,
        hover: true,
        completion: true,
        schemas: { [pathToFileURL(schemaFile).href]: '*.stack.yaml' },
        schemaStore: { enable: false },
        kubernetesCRDStore: { enable: false },
        format: { enable: false },
      },
      http: {},
      '[yaml]': {},
      editor: {},
    },
    file,
    text,
    Math.floor(apps / 2),
    rounds,
  );
  return [
    `### Kubernetes: ${apps} Deployments, Services and ConfigMaps in a \`kind: List\`, ${text.split('\n').length} lines`,
    '',
    'yaml-language-server is given `schemas/stack.schema.json` with the generated Kubernetes schemas wired in: every',
    'List item is validated against the schema of its apiVersion/kind (bench/kubernetes.ts, `kubernetesStackSchema`).',
    '',
    '| measure | windflow | yaml-language-server | ratio | goal | |',
    '|---|---|---|---|---|---|',
    row('edit → diagnostics, median', median(ours.editToDiagnosticsMs), median(theirs.editToDiagnosticsMs), 0.25),
    row(
      'edit → diagnostics, p95',
      percentile(ours.editToDiagnosticsMs, 95),
      percentile(theirs.editToDiagnosticsMs, 95),
      0.25,
    ),
    row('completion, p95', percentile(ours.completionMs, 95), percentile(theirs.completionMs, 95), 0.1),
    row('hover, p95', percentile(ours.hoverMs, 95), percentile(theirs.hoverMs, 95), 0.1),
    row('resident memory, file open', ours.residentMb, theirs.residentMb, 1, 'MB'),
    row('cold start → first diagnostics', ours.coldStartMs, theirs.coldStartMs, undefined),
    '',
    `Samples: ${rounds.edits} edits (alternately typed inside a string of Deployment app${Math.floor(apps / 2)} and of a variable's label), ${rounds.requests} completion and hover requests on a container key.`,
    '',
  ].join('\n');
}
