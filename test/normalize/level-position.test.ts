// Where a level word counts in a text line: after any run of fields it is the line's level; after a word of prose it is a word.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Level } from '../../src/model/log-record.ts';
import { parseTextMessage, textLevel } from '../../src/normalize/text-message.ts';

const JOURNAL_MS = Date.parse('2026-11-24T16:52:13.500Z');

/** Level tokens as formats print them, with the level each states. */
const LEVEL_TOKENS: ReadonlyArray<readonly [string, Level]> = [
  ['INFO', 'info'], ['WARN', 'warning'], ['WARNING:', 'warning'], ['ERROR', 'error'], ['FATAL', 'crit'], ['SEVERE', 'error'],
  ['DEBUG', 'debug'], ['[error]', 'error'], ['[WARN]', 'warning'], ['error:', 'error'], ['Warning:', 'warning'], ['ERR!', 'error'],
];

/** Tokens of the shapes log formats put before their level: numbers, times, ids, hosts, brackets, UPPER components. */
const field = fc.oneof(
  fc.nat({ max: 99_999_999 }).map(String),
  fc.constantFrom('2005.06.03', '16:52:13,978', '2005-06-03-15.42.50.675872', 'R02-M1-N0-C:J12-U11', '-', '|', '[main]',
    'kernel[0]:', 'sshd[24200]:', 'nova-api.log.1', '10.0.3.4', 'ip-10-0-1-12', 'RAS', 'KERNEL', 'APP', 'Nov', 'Tue', '{module.py:12}', 'E,'),
  fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.nat({ max: 999 })).map(([w, n]) => `${w}-${n}`),
);

test('a level token after any run of fields (up to eight, within 200 characters) is the line\'s level', () => {
  fc.assert(
    fc.property(fc.array(field, { maxLength: 8 }), fc.constantFrom(...LEVEL_TOKENS), fc.string({ maxLength: 40 }), (fields, [word, level], rest) => {
      const line = [...fields, word].join(' ') + ' ' + rest;
      fc.pre(line.indexOf(word) + word.length <= 200);
      parseTextMessage(line, JOURNAL_MS);
      assert.equal(textLevel, level, line);
    }),
    { numRuns: 3000 },
  );
});

/** Ordinary words: none a level word, a month or weekday name (fields of dates), or `npm` (whose `npm ERR!` is a format). */
const proseWord = fc.stringMatching(/^[A-Za-z][a-z]{1,9}$/).filter((w) => !/^(emerg|emergency|alert|crit|critical|fatal|panic|dpanic|err|error|severe|warn|warning|notice|info|information|informational|debug|trace|verbose|npm)$/i.test(w) && !/^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)$/.test(w));

test('after a word of prose, no level token counts', () => {
  const token = fc.oneof(proseWord, field.filter((t) => t !== '-' && t !== '|'), fc.constantFrom(...LEVEL_TOKENS.map(([w]) => w)));
  fc.assert(
    fc.property(proseWord, fc.array(token, { maxLength: 12 }), (first, rest) => {
      const line = [first, ...rest].join(' ');
      parseTextMessage(line, JOURNAL_MS);
      assert.equal(textLevel, undefined, line);
    }),
    { numRuns: 3000 },
  );
});
