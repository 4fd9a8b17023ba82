import assert from 'node:assert/strict';
import { redactedOffset, Redactor, secretSpansInText } from '../../server/src/ai/redact';
import { parseStack } from '../../server/src/stack';
import { SECRET_STACK, SECRETS } from './stacks';

describe('ai/redact', () => {
  it('replaces every kind of secret in a stack and restores the exact original text', () => {
    const redactor = new Redactor();
    const redacted = redactor.redactStack(parseStack(SECRET_STACK));
    for (const [kind, secret] of Object.entries(SECRETS)) {
      assert.ok(!redacted.text.includes(secret), `${kind} leaked: ${secret}`);
    }
    assert.ok(redacted.text.includes('default: "«SECRET_1»"'));
    assert.ok(redacted.text.includes('DB_PASSWORD: "{{ db_password }}"'), 'references to variables stay visible');
    assert.ok(
      redacted.text.includes('HOST_SECRET: "{{ env(«SECRET_4») }}"'),
      'env() keeps its call, hides its argument',
    );
    assert.ok(redacted.text.includes('- "SMTP_PASSWORD=«SECRET_10»"'), 'KEY=value entries keep their key');
    assert.ok(redacted.text.includes('default: 8080'), 'non-secret values stay');
    assert.equal(redactor.restore(redacted.text), SECRET_STACK);
  });

  it('gives the same secret the same placeholder, and hides known secrets when free text repeats them', () => {
    const redactor = new Redactor();
    redactor.redactStack(parseStack(SECRET_STACK));
    assert.equal(
      redactor.redactText(`FATAL: password authentication failed (tried ${SECRETS.passwordDefault})`),
      'FATAL: password authentication failed (tried «SECRET_1»)',
    );
    assert.equal(redactor.redactText('retry with the same value'), 'retry with the same value');
  });

  it('finds secrets by shape in free text', () => {
    const text = [
      'export OPENAI_API_KEY=sk-abcdefghijklmnop',
      'Authorization: Bearer abc.def.ghijkl',
      'url=https://user:hunter22@example.com/x',
      'password = letmein!',
      'image digest 0123456789abcdef0123456789abcdef',
      'path /var/lib/postgresql/data/pgdata and name my-service-name-for-testing',
    ].join('\n');
    // Overlapping patterns may find a secret twice; the redactor merges them.
    const found = [...new Set(secretSpansInText(text).map((span) => text.slice(span.start, span.end)))];
    assert.deepEqual(
      found.sort(),
      ['0123456789abcdef0123456789abcdef', 'abc.def.ghijkl', 'hunter22', 'letmein!', 'sk-abcdefghijklmnop'].sort(),
    );
  });

  it('maps offsets of the original text into the redacted text', () => {
    const text = 'a: "SECRETVALUE"\nb: x\n';
    const redactor = new Redactor();
    const redacted = {
      text: 'a: "«SECRET_1»"\nb: x\n',
      replacements: [{ span: { start: 4, end: 15 }, placeholder: '«SECRET_1»' }],
    };
    assert.equal(redactor.redactText(text), text, 'no shape-based secret in this text');
    assert.equal(redactedOffset(redacted, 2), 2);
    assert.equal(redactedOffset(redacted, 4), 4);
    assert.equal(redactedOffset(redacted, 8), undefined);
    assert.equal(redactedOffset(redacted, 8, 'placeholder-start'), 4);
    assert.equal(redactedOffset(redacted, 17), 16);
  });
});
