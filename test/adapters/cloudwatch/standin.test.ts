// The stand-in refuses what CloudWatch Logs refuses, with the real __type and status, through the real SDK.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { startCloudWatchStandin, type CloudWatchStandin } from '../../standins/cloudwatch/index.ts';
import { STANDIN_ACCESS_KEY_ID } from '../../standins/cloudwatch/credentials.ts';
import './fixtures.ts';

const NOW = Date.UTC(2026, 10, 24, 12);
let standin: CloudWatchStandin;
let client: CloudWatchLogsClient;

async function refusal(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  assert.fail('expected the request to be refused');
}
const put = (logEvents: InputLogEvent[], logStreamName = 's', logGroupName = 'g') =>
  client.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents }));

describe('CloudWatch Logs stand-in', () => {
  before(async () => {
    standin = await startCloudWatchStandin({ now: () => NOW });
    client = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: standin.endpoint, maxAttempts: 1 });
    await client.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    await client.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 's' }));
  });
  after(async () => {
    client.destroy();
    await standin.close();
  });

  test('accepts a valid batch and stores it', async () => {
    const out = await put([{ timestamp: NOW, message: 'a' }, { timestamp: NOW, message: 'b' }]);
    assert.equal(out.rejectedLogEventsInfo, undefined);
    assert.deepEqual(standin.messages('g', 's'), ['a', 'b']);
  });

  const cases: Array<[string, () => Promise<unknown>, string, number, RegExp]> = [
    ['no events', () => put([]), 'InvalidParameterException', 400, /at 'logEvents'.*greater than or equal to 1/],
    ['10,001 events', () => put(Array.from({ length: 10_001 }, () => ({ timestamp: NOW, message: 'x' }))), 'InvalidParameterException', 400, /less than or equal to 10000/],
    ['an empty message', () => put([{ timestamp: NOW, message: '' }]), 'InvalidParameterException', 400, /logEvents\.1\.member\.message/],
    ['a batch of 1,048,577 bytes', () => put([{ timestamp: NOW, message: 'x'.repeat(600_000) }, { timestamp: NOW, message: 'x'.repeat(1_048_577 - 600_000 - 52) }]), 'InvalidParameterException', 400, /Upload too large: 1048577 bytes/],
    ['an event over 1 MiB', () => put([{ timestamp: NOW, message: 'x'.repeat(1_048_551) }]), 'InvalidParameterException', 400, /Log event too large/],
    ['events out of order', () => put([{ timestamp: NOW, message: 'b' }, { timestamp: NOW - 1, message: 'a' }]), 'InvalidParameterException', 400, /chronological order/],
    ['a span over 24 h', () => put([{ timestamp: NOW - 86_400_001, message: 'a' }, { timestamp: NOW, message: 'b' }]), 'InvalidParameterException', 400, /24 hours/],
    ['a group name with a space', () => put([{ timestamp: NOW, message: 'a' }], 's', 'my group'), 'InvalidParameterException', 400, /regular expression pattern/],
    ['a stream name with a colon', () => put([{ timestamp: NOW, message: 'a' }], 'a:b'), 'InvalidParameterException', 400, /regular expression pattern: \[\^:\*\]\*/],
    ['a group name of 513 characters', () => client.send(new CreateLogGroupCommand({ logGroupName: 'g'.repeat(513) })), 'InvalidParameterException', 400, /less than or equal to 512/],
    ['a group under aws/', () => client.send(new CreateLogGroupCommand({ logGroupName: 'aws/mine' })), 'InvalidParameterException', 400, /reserved/],
    ['a missing group', () => put([{ timestamp: NOW, message: 'a' }], 's', 'nope'), 'ResourceNotFoundException', 400, /log group does not exist/],
    ['a missing stream', () => put([{ timestamp: NOW, message: 'a' }], 'nope'), 'ResourceNotFoundException', 400, /log stream does not exist/],
    ['an existing group', () => client.send(new CreateLogGroupCommand({ logGroupName: 'g' })), 'ResourceAlreadyExistsException', 400, /already exists/],
    ['an existing stream', () => client.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 's' })), 'ResourceAlreadyExistsException', 400, /already exists/],
    ['a retention of 2 days', () => client.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 2 })), 'InvalidParameterException', 400, /retentionInDays.*enum value set/],
  ];
  for (const [name, run, type, status, message] of cases) {
    test(`refuses ${name}`, async () => {
      const before = standin.messages('g', 's').length;
      const r = await refusal(run());
      assert.equal(r.name, type);
      assert.equal(r.status, status);
      assert.match(r.message, message);
      assert.equal(standin.messages('g', 's').length, before, 'nothing stored');
    });
  }

  test('exactly 1,048,576 bytes and exactly 24 h are accepted', async () => {
    await put([{ timestamp: NOW - 86_400_000, message: 'x'.repeat(600_000) }, { timestamp: NOW, message: 'x'.repeat(1_048_576 - 600_000 - 52) }]);
  });

  test('too new, too old and expired events are refused by index with 200', async () => {
    await client.send(new CreateLogGroupCommand({ logGroupName: 'r' }));
    await client.send(new PutRetentionPolicyCommand({ logGroupName: 'r', retentionInDays: 1 }));
    await client.send(new CreateLogStreamCommand({ logGroupName: 'r', logStreamName: 's' }));
    const day = 86_400_000;
    // One request spans at most 24 h, so each rule gets its own request.
    const expired = await put([{ timestamp: NOW - day - 1, message: 'expired' }, { timestamp: NOW - 2, message: 'kept 1' }], 's', 'r');
    assert.deepEqual(expired.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });
    const tooNew = await put([{ timestamp: NOW, message: 'kept 2' }, { timestamp: NOW + 2 * 3_600_000 + 1, message: 'too new' }], 's', 'r');
    assert.deepEqual(tooNew.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
    const old = await put([{ timestamp: NOW - 15 * day, message: 'too old' }], 's', 'r');
    assert.deepEqual(old.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1, expiredLogEventEndIndex: 1 });
    assert.deepEqual(standin.messages('r', 's'), ['kept 1', 'kept 2']);
    assert.equal(standin.counters.rejectedEvents, 3);
  });

  test('wire details: target header, error type, request id; describe calls', async () => {
    const groups = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'r' }));
    assert.deepEqual(groups.logGroups?.map((g) => [g.logGroupName, g.retentionInDays]), [['r', 1]]);
    const streams = await client.send(new DescribeLogStreamsCommand({ logGroupName: 'g' }));
    assert.deepEqual(streams.logStreams?.map((s) => s.logStreamName), ['s']);
    const res = await fetch(standin.endpoint, { method: 'POST', headers: { 'x-amz-target': 'Logs_20140328.PutLogEvents', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
  });

  test('injected faults answer with the real types and statuses, and store nothing', async () => {
    standin.failNext('ThrottlingException');
    standin.failNext('ServiceUnavailableException');
    const before = standin.messages('g', 's').length;
    assert.deepEqual(await refusal(put([{ timestamp: NOW, message: 'a' }])).then((r) => [r.name, r.status]), ['ThrottlingException', 400]);
    assert.deepEqual(await refusal(put([{ timestamp: NOW, message: 'a' }])).then((r) => [r.name, r.status]), ['ServiceUnavailableException', 500]);
    assert.equal(standin.messages('g', 's').length, before);
    await put([{ timestamp: NOW, message: 'a' }]);
    assert.equal(standin.messages('g', 's').length, before + 1);
  });

  test('signatures are verified: a body changed after signing, or a wrong secret, is refused as the service does', async () => {
    const tampered = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: standin.endpoint, maxAttempts: 1 });
    tampered.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { body: string };
        request.body = request.body.replace('"honest"', '"forged"');
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'tamperAfterSigning' },
    );
    const wrongSecret = new CloudWatchLogsClient({
      region: 'us-east-1',
      endpoint: standin.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: STANDIN_ACCESS_KEY_ID, secretAccessKey: 'not-the-secret' },
    });
    try {
      const event = { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: 'honest' }] };
      const before = standin.messages('g', 's').length;
      for (const c of [tampered, wrongSecret]) {
        const r = await refusal(c.send(new PutLogEventsCommand(event)));
        assert.deepEqual([r.name, r.status], ['InvalidSignatureException', 403]);
        assert.match(r.message, /signature we calculated does not match/);
      }
      assert.equal(standin.messages('g', 's').length, before);
    } finally {
      tampered.destroy();
      wrongSecret.destroy();
    }
  });
});
