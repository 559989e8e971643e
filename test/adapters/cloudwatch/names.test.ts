import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cachedSanitizer, sanitizeGroupName, sanitizeStreamName } from '../../../adapters/cloudwatch/names.ts';
import { checkGroupName, checkStreamName } from '../../standins/cloudwatch/rules.ts';

const groupOk = (name: string) => {
  const problems: string[] = [];
  checkGroupName(problems, name);
  return problems.length === 0 && !name.startsWith('aws/');
};
const streamOk = (name: string) => {
  const problems: string[] = [];
  checkStreamName(problems, name);
  return problems.length === 0;
};

describe('group and stream names', () => {
  test('valid names are kept as they are', () => {
    assert.equal(sanitizeGroupName('/ecs/api-v2_prod.#1'), '/ecs/api-v2_prod.#1');
    assert.equal(sanitizeStreamName('web/0123456789ab é ü'), 'web/0123456789ab é ü');
  });

  test('refused characters are replaced and a hash of the original keeps names apart', () => {
    const a = sanitizeGroupName('/ecs/my service');
    const b = sanitizeGroupName('/ecs/my:service');
    assert.match(a, /^\/ecs\/my_service-[0-9a-f]{8}$/);
    assert.match(b, /^\/ecs\/my_service-[0-9a-f]{8}$/);
    assert.notEqual(a, b);
    assert.notEqual(a, sanitizeGroupName('/ecs/my_service'));
    assert.match(sanitizeStreamName('nginx:1.25*'), /^nginx_1\.25_-[0-9a-f]{8}$/);
    assert.match(sanitizeGroupName('/ecs/café'), /^\/ecs\/caf_-[0-9a-f]{8}$/);
  });

  test('the reserved aws/ prefix, empty and too long names', () => {
    assert.match(sanitizeGroupName('aws/lambda/x'), /^_aws\/lambda\/x-[0-9a-f]{8}$/);
    assert.match(sanitizeGroupName(''), /^-[0-9a-f]{8}$/);
    assert.match(sanitizeStreamName(''), /^-[0-9a-f]{8}$/);
    const long = 'a'.repeat(600);
    assert.equal(sanitizeGroupName(long).length, 512);
    assert.notEqual(sanitizeGroupName(long), sanitizeGroupName('a'.repeat(601)));
    // A cut never leaves half of a surrogate pair.
    const emoji = sanitizeStreamName('x' + '😀'.repeat(400));
    assert.ok(emoji.length <= 512);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(emoji));
  });

  test('whatever the input, the output is a name CloudWatch accepts (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 700 }), (name) => {
        assert.ok(groupOk(sanitizeGroupName(name)), `group from ${JSON.stringify(name)}`);
        assert.ok(streamOk(sanitizeStreamName(name)), `stream from ${JSON.stringify(name)}`);
      }),
      { numRuns: 2000 },
    );
  });

  test('two different inputs never share a name (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(sanitizeGroupName(a), sanitizeGroupName(b));
        assert.notEqual(sanitizeStreamName(a), sanitizeStreamName(b));
      }),
      { numRuns: 2000 },
    );
  });

  test('the cached sanitizer answers like the plain one', () => {
    const cached = cachedSanitizer(sanitizeGroupName);
    for (const n of ['a b', 'a b', '/ok', 'aws/x']) assert.equal(cached(n), sanitizeGroupName(n));
  });
});
