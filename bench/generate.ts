// Generates large compose stacks for benchmarks: N services and ~50 variables, about 14 lines per service.
import { mkdirSync, writeFileSync } from 'node:fs';

/**
 * `commented` puts a comment line before every service and after every `environment:`, the way hand-written stacks
 * (the upstream samples) are commented.
 */
export function generateComposeStack(serviceCount: number, variableCount = 50, commented = false): string {
  const lines = [
    'metadata:',
    '  name: big-stack',
    '  version: "1.0.0"',
    '  category: Benchmark',
    '  author: bench',
    '  license: MIT',
    '  description: A generated stack for benchmarks.',
    '  target_type: docker_compose',
    '  deployment_name: "{{ generate_animalname(\'big\') }}"',
    'template:',
    '  version: "3.9"',
    '  services:',
  ];
  for (let i = 0; i < serviceCount; i++) {
    const v = `var_${i % variableCount}`;
    lines.push(
      ...(commented ? [`    # Service ${i}, on variable ${v}`] : []),
      `    svc${i}:`,
      `      image: "registry.local/app-${i}:{{ ${v} }}"`,
      '      restart: unless-stopped',
      commented ? '      environment: # read by the app at start' : '      environment:',
      `        SERVICE_INDEX: "${i}"`,
      `        SETTING: "{{ ${v} }}-{{ deployment_name }}"`,
      `        SHARED: "{{ tuning.level }}"`,
      '      labels:',
      `        tier: "t${i % 7}"`,
      '      networks:',
      '        - backend',
      '      volumes:',
      `        - data${i % 20}:/data`,
      ...(i > 0 ? ['      depends_on:', `        - svc${i - 1}`] : []),
    );
  }
  lines.push('  networks:', '    backend: {}', '  volumes:');
  for (let i = 0; i < 20; i++) lines.push(`    data${i}: {}`);
  lines.push('variables:');
  for (let i = 0; i < variableCount; i++) {
    lines.push(
      `  var_${i}:`,
      '    type: string',
      `    label: "Variable ${i}"`,
      `    default: "v${i}"`,
      '    required: true',
    );
  }
  lines.push(
    '  tuning:',
    '    type: group',
    '    label: Tuning',
    '    variables:',
    '      level:',
    '        type: integer',
    '        label: Level',
    '        default: 3',
  );
  lines.push('deployment_notes: |', '  Generated stack {{ deployment_name }} with {{ tuning.level }}.', '');
  return lines.join('\n');
}

if (require.main === module) {
  mkdirSync('bench/out', { recursive: true });
  for (const [name, count] of [
    ['stack-10k', 700],
    ['stack-50k', 3500],
  ] as const) {
    const text = generateComposeStack(count);
    writeFileSync(`bench/out/${name}.stack.yaml`, text);
    console.log(`${name}: ${text.split('\n').length} lines`);
  }
}
