import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Rule {
  match?: string;
  begin?: string;
  end?: string;
  name?: string;
  patterns?: Rule[];
}

const grammar = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'syntaxes', 'jinja-injection.tmLanguage.json'), 'utf8'),
) as { injectionSelector: string; repository: Record<string, Rule & { patterns?: Rule[] }> };

/** Every regex of the grammar; the ones used here are written so JavaScript and Oniguruma read them alike. */
function regexes(rule: Rule): string[] {
  return [rule.match, rule.begin, rule.end, ...(rule.patterns ?? []).flatMap(regexes)].filter(
    (source): source is string => source !== undefined,
  );
}

describe('Jinja injection grammar', () => {
  it('injects into stack files everywhere but YAML comments', () => {
    assert.equal(grammar.injectionSelector, 'L:source.windflow-stack -comment');
  });

  it('compiles every pattern', () => {
    const all = Object.values(grammar.repository).flatMap(regexes);
    assert.ok(all.length > 10);
    for (const source of all) assert.doesNotThrow(() => new RegExp(source), source);
  });

  it('opens and closes expressions, statements and comments, with whitespace control', () => {
    const { expression, statement, comment } = grammar.repository;
    const opens = (rule: Rule, text: string) => new RegExp(rule.begin!).exec(text)?.[0];
    const closes = (rule: Rule, text: string) => new RegExp(rule.end!).exec(text)?.[0];
    assert.equal(opens(expression, 'port: "{{- db_port }}"'), '{{-');
    assert.equal(closes(expression, ' db_port -}}"'), '-}}');
    assert.equal(opens(statement, '{% if tls %}'), '{%');
    assert.equal(closes(statement, ' if tls -%}'), '-%}');
    assert.equal(opens(comment, '{# note #}'), '{#');
    assert.equal(closes(comment, ' note #}'), '#}');
  });
});
