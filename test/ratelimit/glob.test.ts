// Service-name globs: exact names, `*` and `?`, checked against a RegExp reference on random inputs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileGlob } from '../../src/ratelimit/glob.ts';

describe('compileGlob', () => {
  const cases: Array<[pattern: string, name: string, expected: boolean]> = [
    ['api', 'api', true],
    ['api', 'api-web', false],
    ['api', 'ap', false],
    ['api-*', 'api-web', true],
    ['api-*', 'api-', true],
    ['api-*', 'api', false],
    ['api-*', 'web-api-x', false],
    ['*-worker', 'billing-worker', true],
    ['*-worker', 'billing-worker-2', false],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['**', 'x', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*b*c', 'abcb', false],
    ['a*bc*bc', 'abcbc', true],
    ['a*bc*bc', 'abc', false],
    ['worker-?', 'worker-1', true],
    ['worker-?', 'worker-12', false],
    ['worker-?', 'worker-', false],
    ['?', '', false],
    ['*-?-*', 'svc-a-1', true],
    ['*x?y*', 'axzy', true],
    ['*x?y*', 'axy', false],
    ['systemd-fsck@dev-disk-by\\x2duuid-*', 'systemd-fsck@dev-disk-by\\x2duuid-1234', true],
  ];
  for (const [pattern, name, expected] of cases) {
    test(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(name)}`, () => {
      assert.equal(compileGlob(pattern)(name), expected);
    });
  }

  test('agrees with a RegExp reference on random patterns and names', () => {
    const toRegExp = (glob: string) => new RegExp(`^${[...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c)).join('')}$`, 's');
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '*', '?'), maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 12 }),
        (pattern, name) => compileGlob(pattern)(name) === toRegExp(pattern).test(name),
      ),
      { numRuns: 5000 },
    );
  });

  test('a pattern that makes a backtracking RegExp work hard still gives the right answer', () => {
    const name = 'a'.repeat(5000);
    assert.equal(compileGlob('*a*a*a*a*a*a*b')(name), false);
    assert.equal(compileGlob('*a*a*a*a*a*a*a')(name), true);
  });
});
