import assert from 'node:assert/strict';
import { diagnose, spanOf, stack, withCode } from './util';

describe('YAML 1.1 traps (WF047)', () => {
  it('warns on a base-60 port mapping and gives the quoted spelling', () => {
    const text = stack({ template: '  image: busybox\n  ports:\n    - 22:22\n    - "8080:80"' });
    const found = withCode(diagnose(text), 'WF047');
    assert.equal(found.length, 1);
    assert.equal(found[0].severity, 'warning');
    assert.equal(
      found[0].message,
      'unquoted 22:22 is read by WindFlow (YAML 1.1) as the base-60 number 1342: the port mapping becomes a single number; write "22:22"',
    );
    assert.deepEqual(found[0].span, spanOf(text, '22:22'));
    assert.deepEqual(found[0].data, { quoted: '"22:22"' });
  });

  it('warns where a string variable gets a boolean or a changed float, informs elsewhere', () => {
    const text = stack({
      template: '  image: busybox\n  environment:\n    MODE: 0755\n    DAY: 2024-01-01',
      variables: '  tag:\n    type: string\n    label: Tag\n    enum: [yes, maybe]\n    default: 1.10',
    });
    const found = withCode(diagnose(text), 'WF047');
    assert.deepEqual(
      found.map((d) => [d.severity, d.message, d.span]),
      [
        [
          'information',
          'unquoted 0755 is read by WindFlow (YAML 1.1) as the octal number 493; write "0755"',
          spanOf(text, '0755'),
        ],
        [
          'information',
          'unquoted 2024-01-01 is read by WindFlow (YAML 1.1) as a date; write "2024-01-01"',
          spanOf(text, '2024-01-01'),
        ],
        [
          'warning',
          'unquoted yes is read by WindFlow (YAML 1.1) as the boolean true; write "yes"',
          spanOf(text, 'yes'),
        ],
        [
          'warning',
          'unquoted 1.10 is read by WindFlow (YAML 1.1) as the number 1.1; write "1.10"',
          spanOf(text, '1.10'),
        ],
      ],
    );
  });

  it('warns where the template schema takes only strings (a Compose restart policy)', () => {
    const text = stack({
      targetType: 'docker_compose',
      template: '  version: "3.9"\n  services:\n    web:\n      image: busybox\n      restart: no',
    });
    const found = withCode(diagnose(text), 'WF047');
    assert.deepEqual(
      found.map((d) => [d.severity, d.message, d.span]),
      [
        [
          'warning',
          'unquoted no is read by WindFlow (YAML 1.1) as the boolean false; write "no"',
          spanOf(text, 'no', { after: 'restart:' }),
        ],
      ],
    );
  });

  it('warns on a key that YAML 1.1 renames (a variable called n becomes false)', () => {
    const text = stack({
      template: '  image: "busybox:{{ tag }}"',
      variables:
        '  tag:\n    type: string\n    label: Tag\n    default: "1"\n  n:\n    type: string\n    label: Letter',
    });
    const keyAt = text.indexOf('\n  n:') + 3;
    const found = withCode(diagnose(text), 'WF047');
    assert.deepEqual(
      found.map((d) => [d.severity, d.message, d.span, d.data]),
      [
        [
          'warning',
          'unquoted n is read by WindFlow (YAML 1.1) as the boolean false, so the key becomes \'False\'; write "n"',
          { start: keyAt, end: keyAt + 1 },
          { quoted: '"n"' },
        ],
      ],
    );
  });

  it('stays quiet where the value is meant: boolean and number variables, quoted text, metadata.version', () => {
    const text = stack({
      variables:
        '  tag:\n    type: boolean\n    label: Tag\n    default: yes\n  rate:\n    type: number\n    label: Rate\n    default: 1.5\n  name:\n    type: string\n    label: Name\n    default: "yes"',
    }).replace('version: "1.0.0"', 'version: 1.0');
    assert.deepEqual(withCode(diagnose(text), 'WF047'), []);
  });
});
