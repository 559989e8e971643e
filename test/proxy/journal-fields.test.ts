// The fields the proxy writes: Docker's journald driver's set and name rules, and the native protocol encoding
// (checked against the tests' own independent encoder, which the journald namespace tests already trust).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { containerFieldList, encodeEntry, encodeFields, extraAttributes, journalFieldName, timestampField, type ContainerFacts } from '../../src/proxy/journal-fields.ts';
import { ECS_LABELS } from '../../src/proxy/options.ts';
import { encodeNative } from '../helpers/journald.ts';

const ID = '3f2a9c1d7e4b' + 'a'.repeat(52);

function facts(over: Partial<ContainerFacts> = {}): ContainerFacts {
  return { id: ID, name: 'ecs-web-3-app-e8c1b2a3f4d5c6b7a801', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.8.2', labels: {}, env: [], logOptions: {}, ...over };
}

describe('names', () => {
  test('journalFieldName is Docker\'s sanitizeKeyMod', () => {
    assert.equal(journalFieldName('com.amazonaws.ecs.task-definition-family'), 'COM_AMAZONAWS_ECS_TASK_DEFINITION_FAMILY');
    assert.equal(journalFieldName('_private'), 'PRIVATE', 'leading underscores dropped (journald\'s trusted fields)');
    assert.equal(journalFieldName('__a_b'), 'A_B');
    assert.equal(journalFieldName('-x'), 'X');
    assert.equal(journalFieldName('Mixed.Case9'), 'MIXED_CASE9');
    assert.equal(journalFieldName('é'), '', 'a non-ASCII letter becomes "_", then dropped as leading');
  });
});

describe('the fields of a container', () => {
  test('with the Docker API\'s facts: the journald driver\'s fields and the ECS labels the forwarder reads', () => {
    const f = facts({ labels: { 'com.amazonaws.ecs.task-definition-family': 'web', 'com.amazonaws.ecs.cluster': 'prod', other: 'not copied' } });
    assert.deepEqual(containerFieldList('3f2a9c1d7e4b', f, ECS_LABELS), [
      ['CONTAINER_ID', '3f2a9c1d7e4b'],
      ['CONTAINER_ID_FULL', ID],
      ['CONTAINER_NAME', 'ecs-web-3-app-e8c1b2a3f4d5c6b7a801'],
      ['CONTAINER_TAG', '3f2a9c1d7e4b'],
      ['IMAGE_NAME', '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.8.2'],
      ['SYSLOG_IDENTIFIER', '3f2a9c1d7e4b'],
      ['COM_AMAZONAWS_ECS_CLUSTER', 'prod'],
      ['COM_AMAZONAWS_ECS_TASK_DEFINITION_FAMILY', 'web'],
    ]);
  });

  test('the container\'s own labels, labels-regex, env and env-regex log options, as Docker\'s ExtraAttributes', () => {
    const f = facts({
      labels: { team: 'payments', 'app.version': '1.2', 'app.tier': 'web', ignored: 'x' },
      env: ['REGION=us-east-1', 'SECRET_TOKEN=s3cr3t', 'STAGE=prod', 'NOEQUALS'],
      logOptions: { labels: 'team,missing', 'labels-regex': '^app\\.', env: 'REGION', 'env-regex': '^STAGE$' },
    });
    assert.deepEqual(Object.fromEntries(extraAttributes(f, [])), { TEAM: 'payments', APP_VERSION: '1.2', APP_TIER: 'web', REGION: 'us-east-1', STAGE: 'prod' });
    const bad: string[] = [];
    assert.deepEqual(Object.fromEntries(extraAttributes(facts({ labels: { a: '1' }, logOptions: { 'labels-regex': '(' } }), [], (o) => bad.push(o))), {});
    assert.deepEqual(bad, ['labels-regex']);
    assert.deepEqual(Object.fromEntries(extraAttributes(facts({ labels: { '9lives': 'x', '': 'y' }, logOptions: { labels: '9lives,' } }), [])), {}, 'names journald would refuse are left out');
  });

  test('without facts (no Docker socket, failed lookup): what the tag says', () => {
    assert.deepEqual(containerFieldList('3f2a9c1d7e4b', undefined, ECS_LABELS), [
      ['CONTAINER_ID', '3f2a9c1d7e4b'],
      ['CONTAINER_TAG', '3f2a9c1d7e4b'],
      ['SYSLOG_IDENTIFIER', '3f2a9c1d7e4b'],
    ]);
    assert.deepEqual(containerFieldList(ID, undefined, ECS_LABELS), [
      ['CONTAINER_ID', '3f2a9c1d7e4b'],
      ['CONTAINER_ID_FULL', ID],
      ['CONTAINER_TAG', ID],
      ['SYSLOG_IDENTIFIER', ID],
    ]);
    assert.deepEqual(containerFieldList('sshd', undefined, ECS_LABELS), [['SYSLOG_IDENTIFIER', 'sshd']], 'not a container');
    assert.deepEqual(containerFieldList(undefined, undefined, ECS_LABELS), []);
  });
});

describe('native protocol', () => {
  test('encodeEntry = the container prefix + MESSAGE, PRIORITY, SYSLOG_TIMESTAMP (+ partial, + extra), as sd_journal_sendv encodes them', () => {
    const prefix = encodeFields(containerFieldList('3f2a9c1d7e4b', facts(), ECS_LABELS));
    const entry = encodeEntry(prefix, Buffer.from('line one\nline two'), 3, timestampField('2026-11-04T09:08:07.5Z'), true, encodeFields([['JOURNAL_FANOUT_EVENT', 'x']]));
    const expected = encodeNative({
      CONTAINER_ID: '3f2a9c1d7e4b',
      CONTAINER_ID_FULL: ID,
      CONTAINER_NAME: 'ecs-web-3-app-e8c1b2a3f4d5c6b7a801',
      CONTAINER_TAG: '3f2a9c1d7e4b',
      IMAGE_NAME: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.8.2',
      SYSLOG_IDENTIFIER: '3f2a9c1d7e4b',
      MESSAGE: 'line one\nline two',
      PRIORITY: '3',
      SYSLOG_TIMESTAMP: '2026-11-04T09:08:07.5Z',
      CONTAINER_PARTIAL_MESSAGE: 'true',
      JOURNAL_FANOUT_EVENT: 'x',
    });
    assert.deepEqual(entry, expected);
  });

  test('property: any message bytes encode as the reference encoder does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), (message, priority, partial) => {
        const got = encodeEntry(Buffer.alloc(0), message, priority, timestampField('T'), partial);
        const want = encodeNative({ MESSAGE: message, PRIORITY: String(priority), SYSLOG_TIMESTAMP: 'T', ...(partial ? { CONTAINER_PARTIAL_MESSAGE: 'true' } : {}) });
        assert.deepEqual(got, want);
      }),
      { numRuns: 1000 },
    );
  });
});
