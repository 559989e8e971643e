// Did-you-mean: case-insensitive, substrings first, then a few typos; nothing far off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestNames, unknownNameMessage } from '../../src/logs/did-you-mean.ts';

const SERVICES = ['api', 'api-gateway', 'billing', 'billing-worker', 'checkout', 'Checkout-Web', 'search', 'web'];

test('another case is the best match', () => {
  assert.deepEqual(closestNames('CHECKOUT', SERVICES).slice(0, 2), ['checkout', 'Checkout-Web']);
});

test('a typo finds the name', () => {
  assert.deepEqual(closestNames('biling', SERVICES), ['billing']);
  assert.deepEqual(closestNames('serach', SERVICES), ['search']);
});

test('a part of a name finds every name holding it, shortest edit first', () => {
  assert.deepEqual(closestNames('work', SERVICES), ['billing-worker']);
  assert.deepEqual(closestNames('gateway', SERVICES), ['api-gateway']);
  // A container ID given in part, as people copy them.
  assert.deepEqual(closestNames('3f4e5d', ['3f4e5d6c7b8a', '9a8b7c6d5e4f']), ['3f4e5d6c7b8a']);
});

test('nothing close, nothing suggested; at most five', () => {
  assert.deepEqual(closestNames('zzzzzz', SERVICES), []);
  assert.equal(closestNames('a', Array.from({ length: 20 }, (_, i) => `a${i}`)).length, 5);
});

test('the message lists the suggestions and how to see everything', () => {
  assert.equal(
    unknownNameMessage('service', 'biling', ['billing'], 'journal-fanout logs services', 'no log group "/ecs/biling"'),
    'unknown service "biling" (no log group "/ecs/biling"); did you mean:\n  billing\n(`journal-fanout logs services` lists them all)',
  );
  assert.equal(unknownNameMessage('service', 'x', [], 'journal-fanout logs services'), 'unknown service "x"; `journal-fanout logs services` lists them');
});
