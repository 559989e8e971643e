// --since / --until: relative, absolute and epoch times, and what is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimeSpec } from '../../src/logs/time-spec.ts';

const NOW = Date.UTC(2026, 10, 24, 16, 52, 13, 500);

const cases: Array<[string, number]> = [
  ['now', NOW],
  ['1h', NOW - 3_600_000],
  ['30m', NOW - 1_800_000],
  ['90s', NOW - 90_000],
  ['2d', NOW - 2 * 86_400_000],
  ['1w', NOW - 7 * 86_400_000],
  ['1h30m', NOW - 5_400_000],
  ['1.5h', NOW - 5_400_000],
  ['-10m', NOW - 600_000],
  ['10m ago', NOW - 600_000],
  ['2026-11-24', Date.UTC(2026, 10, 24)],
  ['2026-11-24T16:52:13Z', Date.UTC(2026, 10, 24, 16, 52, 13)],
  ['2026-11-24T16:52:13.123Z', Date.UTC(2026, 10, 24, 16, 52, 13, 123)],
  ['2026-11-24T16:52:13.123456789Z', Date.UTC(2026, 10, 24, 16, 52, 13, 123)],
  ['2026-11-24T17:52:13+01:00', Date.UTC(2026, 10, 24, 16, 52, 13)],
  ['2026-11-24T11:52:13-0500', Date.UTC(2026, 10, 24, 16, 52, 13)],
  ['2026-11-24 16:52', Date.UTC(2026, 10, 24, 16, 52)],
  ['2026-11-24T16:52:13', Date.UTC(2026, 10, 24, 16, 52, 13)],
  ['1795539133', 1_795_539_133_000],
  ['1795539133250', 1_795_539_133_250],
];
for (const [text, expected] of cases) {
  test(`${JSON.stringify(text)} is ${new Date(expected).toISOString()}`, () => {
    assert.equal(parseTimeSpec(text, NOW), expected);
  });
}

test('what is not a time is refused, not guessed', () => {
  for (const text of ['', 'yesterday', '10', '1x', '2026-02-30', '2026-13-01', '2026-11-24T25:00:00Z', '2026/11/24', 'h1', '1h 30m']) {
    assert.equal(parseTimeSpec(text, NOW), undefined, text);
  }
});
