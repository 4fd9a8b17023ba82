import assert from 'node:assert/strict';
import { foldingRanges } from '../../server/src/features/folding';
import { documentSymbols } from '../../server/src/features/symbols';
import { parseStack } from '../../server/src/stack/model';
import { range } from '../helpers/cursor';
import { COMPOSE_STACK, DOCKER_STACK } from './fixtures';

type Outline = [string, string | undefined, Outline[]?];
function outline(text: string): Outline[] {
  const walk = (symbols: ReturnType<typeof documentSymbols>): Outline[] =>
    symbols.map((symbol) =>
      symbol.children?.length ? [symbol.name, symbol.detail, walk(symbol.children)] : [symbol.name, symbol.detail],
    );
  return walk(documentSymbols(parseStack(text)));
}

describe('document symbols', () => {
  it('lists sections, variables and group members', () => {
    assert.deepEqual(outline(DOCKER_STACK), [
      ['metadata', 'demo'],
      ['template', 'docker'],
      [
        'variables',
        undefined,
        [
          ['version', 'string · Version'],
          ['container_name', 'string · Container'],
          ['db_password', 'password · Password'],
          ['host_port', 'integer · Host port'],
          ['performance', 'group · Performance', [['shared_buffers', 'string · Shared buffers']]],
        ],
      ],
      ['deployment_notes', undefined],
    ]);
    const variables = documentSymbols(parseStack(DOCKER_STACK))[2];
    assert.deepEqual(variables.range, range(17, 0, 45, 22));
    assert.deepEqual(variables.selectionRange, range(17, 0, 17, 9));
    assert.deepEqual(variables.children?.[3].range, range(32, 2, 37, 19));
  });

  it('lists Compose services (with their image), volumes and networks', () => {
    assert.deepEqual(outline(COMPOSE_STACK)[1], [
      'template',
      'docker_compose',
      [
        [
          'services',
          undefined,
          [
            ['db', 'postgres'],
            ['cache', 'redis'],
            ['web', 'nginx:{{ tag }}'],
          ],
        ],
        [
          'volumes',
          undefined,
          [
            ['db_data', undefined],
            ['static', undefined],
          ],
        ],
        ['networks', undefined, [['front', undefined]]],
      ],
    ]);
  });

  it('lists Kubernetes objects of a List', () => {
    const text =
      'metadata:\n  target_type: kubernetes\ntemplate:\n  kind: List\n  items:\n    - apiVersion: v1\n      kind: Service\n      metadata:\n        name: web\n    - apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: web\n';
    assert.deepEqual(outline(text)[1], [
      'template',
      'kubernetes',
      [
        ['Service web', undefined],
        ['Deployment web', undefined],
      ],
    ]);
  });
});

describe('folding ranges', () => {
  it('folds YAML blocks and block scalars', () => {
    assert.deepEqual(foldingRanges(parseStack(COMPOSE_STACK)), [
      { startLine: 0, endLine: 2 },
      { startLine: 3, endLine: 22 },
      { startLine: 5, endLine: 17 },
      { startLine: 6, endLine: 9 },
      { startLine: 8, endLine: 9 },
      { startLine: 10, endLine: 11 },
      { startLine: 12, endLine: 17 },
      { startLine: 14, endLine: 15 },
      { startLine: 16, endLine: 17 },
      { startLine: 18, endLine: 20 },
      { startLine: 21, endLine: 22 },
      { startLine: 23, endLine: 27 },
      { startLine: 24, endLine: 27 },
    ]);
  });

  it('folds Jinja blocks inside a block scalar, keeping the closing tag visible', () => {
    const text = 'deployment_notes: |\n  {% if tls %}\n  https\n  on\n  {% endif %}\n  end\n';
    assert.deepEqual(foldingRanges(parseStack(text)), [
      { startLine: 0, endLine: 5 },
      { startLine: 1, endLine: 3, kind: 'region' },
    ]);
  });
});
