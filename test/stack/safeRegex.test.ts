import assert from 'node:assert/strict';
import { compilePattern, isPatternRisky, matchPattern } from '../../server/src/stack/safeRegex';

describe('safe regular expressions', () => {
  it('matches like the web form: a JavaScript RegExp search', () => {
    assert.deepEqual(matchPattern('^[a-z]+$', 'abc'), { ok: true, matches: true });
    assert.deepEqual(matchPattern('^[a-z]+$', 'abc1'), { ok: true, matches: false });
    assert.deepEqual(matchPattern('b', 'abc'), { ok: true, matches: true });
  });

  it('translates Python-only syntax or refuses it with a reason', () => {
    assert.deepEqual(matchPattern('^(?P<word>a)(?P=word)\\Z', 'aa'), { ok: true, matches: true });
    assert.deepEqual(matchPattern('(?i)\\AABC$', 'abc'), { ok: true, matches: true });
    assert.deepEqual(matchPattern('(?x) a', 'a'), {
      ok: false,
      reason: "the Python inline flag '(?x)' has no JavaScript equivalent",
    });
    assert.deepEqual(compilePattern('a(?#note)'), {
      ok: false,
      reason: 'Python comment groups (?#…) are not supported by JavaScript',
    });
  });

  it('reports why a pattern does not compile', () => {
    assert.deepEqual(compilePattern('(unclosed'), {
      ok: false,
      reason: 'invalid regular expression: /(unclosed/: Unterminated group',
    });
    assert.deepEqual(compilePattern('^[a-z]{2,}$'), { ok: true });
  });

  it('recognises exponential shapes and leaves delimited repetitions alone', () => {
    for (const risky of [
      '^(a+){10}$',
      '(a{1,5})+$',
      '^(a+)+$',
      '(a|ab)*c',
      '(\\w|\\d)+$',
      '(x+x+)+y',
      '^(a\\w+)*$',
      '(a*)*',
    ])
      assert.equal(isPatternRisky(risky), true, risky);
    for (const safe of [
      '^[a-z0-9-]+$',
      '^\\d+(\\.\\d+)*$',
      '^([a-z0-9]+-)*[a-z0-9]+$',
      '([a-z]+\\.)+[a-z]+',
      '(ab|cd)+',
      '^(https?|ftp)://',
    ]) {
      assert.equal(isPatternRisky(safe), false, safe);
    }
  });

  it('gives up on a catastrophic match instead of hanging, and keeps working afterwards', () => {
    const result = matchPattern('^(a+)+$', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!');
    assert.deepEqual(result, { ok: false, reason: 'matching took longer than 100 ms (catastrophic backtracking)' });
    assert.deepEqual(matchPattern('^(a+)+$', 'aaaa'), { ok: true, matches: true });
    assert.deepEqual(matchPattern('^(a+)+$', 'aab'), { ok: true, matches: false });
  });

  it('also bounds polynomial backtracking that the shape analysis does not call risky', () => {
    const pattern = '^\\d*\\d*\\d*\\d*\\d*\\d*x$';
    assert.equal(isPatternRisky(pattern), false);
    assert.deepEqual(matchPattern(pattern, `${'1'.repeat(300)}!`), {
      ok: false,
      reason: 'matching took longer than 100 ms (catastrophic backtracking)',
    });
    assert.deepEqual(matchPattern(pattern, '12x'), { ok: true, matches: true });
  });
});
