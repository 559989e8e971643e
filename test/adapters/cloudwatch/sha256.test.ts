// The checksums given to the SDK and the PutLogEvents signer are node:crypto's SHA-256 and HMAC-SHA256.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { HmacSha256, Sha256 } from '../../../adapters/cloudwatch/sha256.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('Sha256 hashes, and keyed is an HMAC, as node:crypto for any key and pieces of data', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.option(fc.oneof(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 100 })), { nil: undefined }),
      fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.uint8Array({ maxLength: 300 })), { maxLength: 4 }),
      async (secret, pieces) => {
        const ours = new Sha256(secret);
        const theirs = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
        for (const piece of pieces) {
          ours.update(piece);
          theirs.update(piece);
        }
        assert.equal(hex(await ours.digest()), theirs.digest('hex'));
      },
    ),
  );
});

test('HmacSha256 is HMAC-SHA256 for keys shorter and longer than a block and any UTF-8 text', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 150 }), fc.string({ unit: 'binary', maxLength: 500 }), (key, message) => {
      const mac = new HmacSha256(key);
      const expected = createHmac('sha256', key).update(message, 'utf8').digest('hex');
      assert.equal(mac.hex(message), expected);
      // The padded blocks are reused, not consumed.
      assert.equal(mac.hex(message), expected);
    }),
  );
});
