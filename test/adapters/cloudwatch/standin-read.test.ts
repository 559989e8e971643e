// The stand-in's read operations page, order and refuse as CloudWatch Logs does, through the real SDK.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  paginateDescribeLogGroups,
  paginateDescribeLogStreams,
  paginateFilterLogEvents,
  PutLogEventsCommand,
  type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { startCloudWatchStandin, type CloudWatchStandin } from '../../standins/cloudwatch/index.ts';
import './fixtures.ts';

const NOW = Date.UTC(2026, 10, 24, 12);
let standin: CloudWatchStandin;
let client: CloudWatchLogsClient;

async function refusal(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  assert.fail('expected the request to be refused');
}

async function put(group: string, stream: string, events: Array<[number, string]>): Promise<void> {
  await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events.map(([timestamp, message]) => ({ timestamp, message })) }));
}

async function filterAll(input: FilterLogEventsCommandInput): Promise<{ messages: string[]; pages: number; emptyPages: number }> {
  const messages: string[] = [];
  let pages = 0;
  let emptyPages = 0;
  for await (const page of paginateFilterLogEvents({ client }, input)) {
    pages++;
    if ((page.events ?? []).length === 0) emptyPages++;
    for (const e of page.events ?? []) messages.push(e.message!);
  }
  return { messages, pages, emptyPages };
}

describe('CloudWatch Logs stand-in: read operations', () => {
  before(async () => {
    standin = await startCloudWatchStandin({ now: () => NOW });
    client = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: standin.endpoint, maxAttempts: 1 });
    for (const g of ['/ecs/api', '/ecs/billing', '/ecs/web', '/other/x', '/ecs/worker']) await client.send(new CreateLogGroupCommand({ logGroupName: g }));
    for (const s of ['a', 'b', 'c', 'empty']) await client.send(new CreateLogStreamCommand({ logGroupName: '/ecs/api', logStreamName: s }));
    // Interleaved in time across streams; stream c's newest event is the newest of all.
    await put('/ecs/api', 'a', [[NOW - 5000, 'a1 ERROR disk full'], [NOW - 3000, 'a2 INFO ok'], [NOW - 1000, '{"level":"ERROR","code":500,"user":{"id":7}}']]);
    await put('/ecs/api', 'b', [[NOW - 4000, 'b1 WARN slow'], [NOW - 2000, 'b2 ERRORS counted']]);
    await put('/ecs/api', 'c', [[NOW - 4500, 'c1 INFO start'], [NOW, '{"level":"INFO","code":200,"ok":true}']]);
  });
  after(async () => {
    client.destroy();
    await standin.close();
  });

  test('DescribeLogGroups pages in ASCII order by prefix; limits and tokens are checked', async () => {
    standin.paging.describePage = 2;
    try {
      const names: string[] = [];
      let pages = 0;
      for await (const page of paginateDescribeLogGroups({ client }, { logGroupNamePrefix: '/ecs/' })) {
        pages++;
        names.push(...(page.logGroups ?? []).map((g) => g.logGroupName!));
      }
      assert.deepEqual(names, ['/ecs/api', '/ecs/billing', '/ecs/web', '/ecs/worker']);
      assert.equal(pages, 2);
      const first = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/' }));
      const foreign = await refusal(client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/other/', nextToken: first.nextToken })));
      assert.equal(foreign.name, 'InvalidParameterException');
    } finally {
      standin.paging.describePage = 50;
    }
    assert.match((await refusal(client.send(new DescribeLogGroupsCommand({ limit: 51 })))).message, /at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50/);
    assert.match((await refusal(client.send(new DescribeLogGroupsCommand({ limit: 0 })))).message, /greater than or equal to 1/);
    assert.match((await refusal(client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'a b' })))).message, /logGroupNamePrefix.*regular expression/);
  });

  test('DescribeLogStreams orders by name or by last event time, with event times, and refuses a prefix with LastEventTime', async () => {
    const byName = await client.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/api' }));
    assert.deepEqual(byName.logStreams?.map((s) => s.logStreamName), ['a', 'b', 'c', 'empty']);
    const a = byName.logStreams![0]!;
    assert.deepEqual([a.firstEventTimestamp, a.lastEventTimestamp, a.lastIngestionTime], [NOW - 5000, NOW - 1000, NOW]);
    assert.equal(byName.logStreams![3]!.lastEventTimestamp, undefined, 'no event, no times');
    standin.paging.describePage = 1;
    try {
      const newest: string[] = [];
      for await (const page of paginateDescribeLogStreams({ client }, { logGroupName: '/ecs/api', orderBy: 'LastEventTime', descending: true })) {
        newest.push(...(page.logStreams ?? []).map((s) => s.logStreamName!));
      }
      assert.deepEqual(newest, ['c', 'a', 'b', 'empty']);
    } finally {
      standin.paging.describePage = 50;
    }
    const prefixed = await client.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/api', logStreamNamePrefix: 'b' }));
    assert.deepEqual(prefixed.logStreams?.map((s) => s.logStreamName), ['b']);
    const both = await refusal(client.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/api', logStreamNamePrefix: 'b', orderBy: 'LastEventTime' })));
    assert.deepEqual(both, { name: 'InvalidParameterException', message: 'Cannot order by LastEventTime with a logStreamNamePrefix.' });
    const missing = await refusal(client.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/nope' })));
    assert.deepEqual(missing, { name: 'ResourceNotFoundException', message: 'The specified log group does not exist.' });
    const arn = await client.send(new DescribeLogStreamsCommand({ logGroupIdentifier: 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/api' }));
    assert.equal(arn.logStreams?.length, 4);
  });

  test('FilterLogEvents interleaves streams by event time, with event IDs, and honours the time range (both ends inclusive)', async () => {
    const page = await client.send(new FilterLogEventsCommand({ logGroupName: '/ecs/api', startTime: NOW - 4500, endTime: NOW - 1000 }));
    assert.deepEqual(page.events?.map((e) => [e.logStreamName, e.timestamp]), [['c', NOW - 4500], ['b', NOW - 4000], ['a', NOW - 3000], ['b', NOW - 2000], ['a', NOW - 1000]]);
    assert.equal(page.nextToken, undefined);
    assert.deepEqual(page.searchedLogStreams, []);
    for (const e of page.events!) {
      assert.match(e.eventId!, /^\d{56}$/);
      assert.equal(e.ingestionTime, NOW);
    }
    assert.equal(new Set(page.events!.map((e) => e.eventId)).size, page.events!.length);
    const named = await client.send(new FilterLogEventsCommand({ logGroupName: '/ecs/api', logStreamNames: ['b', 'c'] }));
    assert.deepEqual(named.events?.map((e) => e.message), ['c1 INFO start', 'b1 WARN slow', 'b2 ERRORS counted', '{"level":"INFO","code":200,"ok":true}']);
    const prefixed = await client.send(new FilterLogEventsCommand({ logGroupName: '/ecs/api', logStreamNamePrefix: 'a' }));
    assert.equal(prefixed.events?.length, 3);
  });

  test('FilterLogEvents answers partial and empty pages with a token; paging to the end finds every match once', async () => {
    standin.paging.eventsScanned = 2;
    try {
      const all = await filterAll({ logGroupName: '/ecs/api' });
      assert.equal(all.messages.length, 7);
      assert.equal(new Set(all.messages).size, 7);
      // 7 events, 2 examined per call: 4 pages, the last one after a token that had nothing left behind it.
      assert.equal(all.pages, 4);
      const errors = await filterAll({ logGroupName: '/ecs/api', filterPattern: 'WARN' });
      assert.deepEqual(errors.messages, ['b1 WARN slow']);
      assert.ok(errors.emptyPages >= 2, `empty pages with a token (${errors.emptyPages})`);
      const limited = await client.send(new FilterLogEventsCommand({ logGroupName: '/ecs/api', limit: 1 }));
      assert.equal(limited.events?.length, 1);
      assert.ok(limited.nextToken);
    } finally {
      standin.paging.eventsScanned = 5000;
    }
  });

  test('FilterLogEvents with startFromHead false pages newest first, and only from 2024 on', async () => {
    const newest = await client.send(new FilterLogEventsCommand({ logGroupName: '/ecs/api', startTime: NOW - 60_000, startFromHead: false, limit: 2 }));
    assert.deepEqual(newest.events?.map((e) => e.timestamp), [NOW, NOW - 1000]);
    const older = await client.send(new FilterLogEventsCommand({ logGroupName: '/ecs/api', startTime: NOW - 60_000, limit: 2, nextToken: newest.nextToken }));
    assert.deepEqual(older.events?.map((e) => e.timestamp), [NOW - 2000, NOW - 3000], 'the token keeps the direction');
    const early = await refusal(client.send(new FilterLogEventsCommand({ logGroupName: '/ecs/api', startTime: Date.UTC(2023, 11, 31), startFromHead: false })));
    assert.equal(early.name, 'InvalidParameterException');
  });

  const patterns: Array<[string, string[]]> = [
    // A term matches whole words, in JSON text too; ERRORS is another word.
    ['ERROR', ['a1 ERROR disk full', '{"level":"ERROR","code":500,"user":{"id":7}}']],
    ['INFO start', ['c1 INFO start']],
    ['?WARN ?disk', ['a1 ERROR disk full', 'b1 WARN slow']],
    ['INFO -start', ['a2 INFO ok', '{"level":"INFO","code":200,"ok":true}']],
    ['"ERRORS count"', ['b2 ERRORS counted']],
    ['{ $.level = "ERROR" }', ['{"level":"ERROR","code":500,"user":{"id":7}}']],
    ['{ $.code >= 200 && $.code < 300 }', ['{"level":"INFO","code":200,"ok":true}']],
    ['{ ($.user.id = 7) || $.ok IS TRUE }', ['{"level":"ERROR","code":500,"user":{"id":7}}', '{"level":"INFO","code":200,"ok":true}']],
    ['{ $.level = "ERR*" }', ['{"level":"ERROR","code":500,"user":{"id":7}}']],
    ['{ $.user NOT EXISTS }', ['{"level":"INFO","code":200,"ok":true}']],
  ];
  for (const [pattern, expected] of patterns) {
    test(`filter pattern ${pattern}`, async () => {
      assert.deepEqual((await filterAll({ logGroupName: '/ecs/api', filterPattern: pattern })).messages, expected);
    });
  }

  const refusals: Array<[string, FilterLogEventsCommandInput, string, RegExp]> = [
    ['names and a prefix', { logGroupName: '/ecs/api', logStreamNames: ['a'], logStreamNamePrefix: 'a' }, 'InvalidParameterException', /both logStreamNames and logStreamNamePrefix/],
    ['101 stream names', { logGroupName: '/ecs/api', logStreamNames: Array.from({ length: 101 }, (_, i) => `s${i}`) }, 'InvalidParameterException', /logStreamNames.*less than or equal to 100/],
    ['a missing stream', { logGroupName: '/ecs/api', logStreamNames: ['a', 'zzz'] }, 'ResourceNotFoundException', /^The specified log stream does not exist\.$/],
    ['a missing group', { logGroupName: '/ecs/nope' }, 'ResourceNotFoundException', /^The specified log group does not exist\.$/],
    ['a limit of 10,001', { logGroupName: '/ecs/api', limit: 10_001 }, 'InvalidParameterException', /less than or equal to 10000/],
    ['a pattern of 1,025 characters', { logGroupName: '/ecs/api', filterPattern: 'x'.repeat(1025) }, 'InvalidParameterException', /filterPattern.*less than or equal to 1024/],
    ['a regex pattern', { logGroupName: '/ecs/api', filterPattern: '%ERR.R%' }, 'InvalidParameterException', /not implemented by the CloudWatch stand-in/],
    ['an unquoted term with a colon', { logGroupName: '/ecs/api', filterPattern: 'a:b' }, 'InvalidParameterException', /Invalid character\(s\) in term 'a:b'/],
    ['both a group name and identifier', { logGroupName: '/ecs/api', logGroupIdentifier: '/ecs/api' }, 'InvalidParameterException', /mutually exclusive/],
  ];
  for (const [name, input, type, message] of refusals) {
    test(`FilterLogEvents refuses ${name}`, async () => {
      const r = await refusal(client.send(new FilterLogEventsCommand(input)));
      assert.equal(r.name, type);
      assert.match(r.message, message);
    });
  }

  test('GetLogEvents pages forward and backward with boundary tokens, and answers the same token at the end', async () => {
    standin.paging.eventsPerPage = 2;
    try {
      const forward: number[] = [];
      let token: string | undefined;
      let calls = 0;
      for (;;) {
        const page = await client.send(new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: 'a', startFromHead: true, ...(token ? { nextToken: token } : {}) }));
        calls++;
        forward.push(...(page.events ?? []).map((e) => e.timestamp!));
        if (page.nextForwardToken === token) break;
        token = page.nextForwardToken;
      }
      assert.deepEqual(forward, [NOW - 5000, NOW - 3000, NOW - 1000]);
      assert.equal(calls, 3, 'two pages, then the same token back');
      // New events after the end show up behind the same forward token.
      await put('/ecs/api', 'a', [[NOW + 1, 'a4 later']]);
      const more = await client.send(new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: 'a', startFromHead: true, nextToken: token }));
      assert.deepEqual(more.events?.map((e) => e.message), ['a4 later']);

      const newest = await client.send(new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: 'a' }));
      assert.deepEqual(newest.events?.map((e) => e.timestamp), [NOW - 1000, NOW + 1], 'without startFromHead: the newest page, oldest first');
      const older = await client.send(new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: 'a', nextToken: newest.nextBackwardToken }));
      assert.deepEqual(older.events?.map((e) => e.timestamp), [NOW - 5000, NOW - 3000]);
      const none = await client.send(new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: 'a', nextToken: older.nextBackwardToken }));
      assert.deepEqual(none.events, []);
      assert.equal(none.nextBackwardToken, older.nextBackwardToken);
    } finally {
      standin.paging.eventsPerPage = 10_000;
    }
    const window = await client.send(new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: 'a', startFromHead: true, startTime: NOW - 5000, endTime: NOW - 1000 }));
    assert.deepEqual(window.events?.map((e) => e.timestamp), [NOW - 5000, NOW - 3000], 'endTime is exclusive');
    const misuse = await refusal(client.send(new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: 'a', nextToken: window.nextForwardToken })));
    assert.equal(misuse.name, 'InvalidParameterException');
    const missing = await refusal(client.send(new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: 'zzz' })));
    assert.deepEqual(missing, { name: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' });
  });

  test('an operation the IAM policy does not allow answers AccessDeniedException', async () => {
    standin.deny.add('FilterLogEvents');
    try {
      const r = await refusal(client.send(new FilterLogEventsCommand({ logGroupName: '/ecs/api' })));
      assert.equal(r.name, 'AccessDeniedException');
      assert.match(r.message, /not authorized to perform: logs:FilterLogEvents/);
    } finally {
      standin.deny.delete('FilterLogEvents');
    }
  });
});
