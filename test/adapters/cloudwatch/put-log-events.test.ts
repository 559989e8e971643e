// The signed PutLogEvents path sends what the SDK client would send, byte for byte, and fails as it would.
import { after, before, describe, test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { CloudWatchLogsClient, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SignatureV4 } from '@smithy/signature-v4';
import { PutLogEventsSender } from '../../../adapters/cloudwatch/put-log-events.ts';
import { putLogEventsBody, type LogEvent } from '../../../adapters/cloudwatch/request-builder.ts';
import { classify } from '../../../adapters/cloudwatch/retry.ts';
import { CloudWatchLogsService } from '../../../adapters/cloudwatch/service.ts';
import { silentLogger } from '../../../src/selflog/logger.ts';
import { startCloudWatchStandin, type CloudWatchStandin } from '../../standins/cloudwatch/index.ts';
import { STANDIN_ACCESS_KEY_ID, STANDIN_SECRET_ACCESS_KEY } from '../../standins/cloudwatch/credentials.ts';

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

/** Records each request as it came off the wire and answers `{}` (optionally with a Date header). */
async function startRecorder(): Promise<{ server: Server; port: number; seen: Seen[]; date: { value: string | undefined } }> {
  const seen: Seen[] = [];
  const date: { value: string | undefined } = { value: undefined };
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
      res.sendDate = false;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'r', ...(date.value ? { date: date.value } : {}) });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen, date };
}

/**
 * The invocation id is a random UUID per request (signed): both sides take it from Web Crypto's randomUUID,
 * which the tests fix so that the signatures can be compared.
 */
function fixInvocationId(id: string): void {
  mock.method(globalThis.crypto, 'randomUUID', () => id);
}

function withEnv<T>(env: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return run().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

const serviceFor = (endpoint: string, region: string) =>
  new CloudWatchLogsService({ id: 'cw', region, endpoint, requestTimeoutMs: 10_000, concurrency: 2, create: false, retentionDays: undefined, tags: undefined, logger: silentLogger() });
/** The client as an SDK user would make it, with the options the service gives its own. */
const sdkClient = (endpoint: string, region: string) => new CloudWatchLogsClient({ region, endpoint, maxAttempts: 1 });

describe('PutLogEvents as the SDK client would send it', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  before(async () => (recorder = await startRecorder()));
  after(() => recorder.server.close());

  test('method, path, every header (signature included) and body are the bytes the client sends, for the same clock and credentials', async () => {
    const endpoint = `http://127.0.0.1:${recorder.port}`;
    const name = fc.stringMatching(/^[A-Za-z0-9_\-./#]{1,40}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          accessKeyId: fc.stringMatching(/^AKIA[A-Z0-9]{12,16}$/),
          secretAccessKey: fc.stringMatching(/^[A-Za-z0-9/+]{40}$/),
          sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9/+=]{20,80}$/), { nil: undefined }),
          region: fc.constantFrom('us-east-1', 'eu-west-3', 'ap-southeast-2'),
          now: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
          invocationId: fc.uuid({ version: 4 }),
          group: name,
          stream: name.filter((s) => !s.includes(':') && !s.includes('*')),
          events: fc.array(fc.record({ timestamp: fc.integer({ min: 0, max: 2 ** 45 }), message: fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }) }), { minLength: 1, maxLength: 20 }),
        }),
        async ({ accessKeyId, secretAccessKey, sessionToken, region, now, invocationId, group, stream, events }) => {
          mock.timers.enable({ apis: ['Date'], now });
          fixInvocationId(invocationId);
          const service = serviceFor(endpoint, region);
          const client = sdkClient(endpoint, region);
          // The signer's signRequest for every request, as the client calls it: the service's layout must match it too.
          const bySigner = new PutLogEventsSender(service.client, { maxSockets: 1, signing: 'request' });
          try {
            await withEnv({ AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken, AWS_PROFILE: undefined }, async () => {
              recorder.seen.length = 0;
              await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
              await service.put(group, stream, events as LogEvent[], new AbortController().signal);
              await bySigner.put(Buffer.from(putLogEventsBody(group, stream, events as LogEvent[])), new AbortController().signal);
            });
            const [sdk, ...ours] = recorder.seen;
            assert.ok(sdk && ours.length === 2, 'all three requests arrived');
            for (const sent of ours) {
              assert.equal(sent.method, sdk.method);
              assert.equal(sent.url, sdk.url);
              assert.deepEqual(sent.rawHeaders, sdk.rawHeaders);
              assert.ok(sent.body.equals(sdk.body), `bodies differ:\n${sent.body.toString()}\n${sdk.body.toString()}`);
            }
          } finally {
            bySigner.close();
            service.close();
            client.destroy();
            mock.timers.reset();
            mock.restoreAll();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test("the service's sender signs from its layout, not through the SDK signer's signRequest", async () => {
    const endpoint = `http://127.0.0.1:${recorder.port}`;
    const service = serviceFor(endpoint, 'us-east-1');
    const events = [{ timestamp: Date.now(), message: 'layout' }];
    try {
      await withEnv({ AWS_ACCESS_KEY_ID: STANDIN_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: STANDIN_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: 'a-session-token' }, async () => {
        await service.put('g', 's', events, new AbortController().signal);
        // Otherwise the property test above would compare the signer's signRequest with itself.
        const sign = mock.method(SignatureV4.prototype, 'sign');
        await service.put('g', 's', events, new AbortController().signal);
        assert.equal(sign.mock.callCount(), 0);
      });
    } finally {
      service.close();
      mock.restoreAll();
    }
  });

  test("a skewed clock is corrected from the answers' Date header, as the client corrects it", async () => {
    const endpoint = `http://127.0.0.1:${recorder.port}`;
    const now = Date.UTC(2026, 5, 1, 12, 0, 0);
    mock.timers.enable({ apis: ['Date'], now });
    fixInvocationId('6f1c2b9e-8a41-4c3d-9e57-0d2a4b6c8e10');
    const service = serviceFor(endpoint, 'us-east-1');
    const client = sdkClient(endpoint, 'us-east-1');
    const events = [{ timestamp: now, message: 'skew' }];
    try {
      await withEnv({ AWS_ACCESS_KEY_ID: STANDIN_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: STANDIN_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: undefined }, async () => {
        // The service's clock is an hour ahead of ours: the first answer tells, the second request is signed on its time.
        recorder.date.value = new Date(now + 3_600_000).toUTCString();
        await client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: events }));
        await service.put('g', 's', events, new AbortController().signal);
        recorder.seen.length = 0;
        await client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: events }));
        await service.put('g', 's', events, new AbortController().signal);
      });
      const dates = recorder.seen.map((s) => s.rawHeaders[s.rawHeaders.findIndex((h) => h.toLowerCase() === 'x-amz-date') + 1]);
      assert.deepEqual(dates, ['20260601T130000Z', '20260601T130000Z']);
      assert.deepEqual(recorder.seen[1]!.rawHeaders, recorder.seen[0]!.rawHeaders);
    } finally {
      recorder.date.value = undefined;
      service.close();
      client.destroy();
      mock.timers.reset();
      mock.restoreAll();
    }
  });
});

describe('PutLogEvents fails as the SDK client fails', () => {
  let standin: CloudWatchStandin;
  let badGateway: Server;
  let badGatewayPort: number;
  before(async () => {
    standin = await startCloudWatchStandin({ rejectAccessKeys: ['AKIDREJECTED'] });
    standin.createGroup('g');
    badGateway = createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    });
    await new Promise<void>((resolve) => badGateway.listen(0, '127.0.0.1', resolve));
    badGatewayPort = (badGateway.address() as AddressInfo).port;
  });
  after(async () => {
    await standin.close();
    badGateway.close();
  });

  const events = [{ timestamp: Date.now(), message: 'one' }];

  /** The same failing PutLogEvents through the SDK client and through the sender; both errors. */
  async function bothFail(setup: () => void, endpoint: string, body = putLogEventsBody('g', 'missing', events), input: ConstructorParameters<typeof PutLogEventsCommand>[0] = { logGroupName: 'g', logStreamName: 'missing', logEvents: events }) {
    const client = sdkClient(endpoint, 'us-east-1');
    const service = serviceFor(endpoint, 'us-east-1');
    const sender = new PutLogEventsSender(service.client, { maxSockets: 1 });
    try {
      setup();
      const sdk = await client.send(new PutLogEventsCommand(input)).then(() => assert.fail('the SDK client succeeded'), (e: unknown) => e as Error & Record<string, unknown>);
      setup();
      const ours = await sender.put(Buffer.from(body), new AbortController().signal).then(() => assert.fail('the sender succeeded'), (e: unknown) => e as Error & Record<string, unknown>);
      return { sdk, ours };
    } finally {
      sender.close();
      service.close();
      client.destroy();
    }
  }

  const same = ({ sdk, ours }: { sdk: Error & Record<string, unknown>; ours: Error & Record<string, unknown> }) => {
    assert.equal(ours.constructor, sdk.constructor);
    assert.equal(ours.name, sdk.name);
    assert.equal(ours.message, sdk.message);
    assert.equal(ours.$fault, sdk.$fault);
    assert.equal((ours.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode, (sdk.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode);
    assert.deepEqual(classify(ours), classify(sdk));
    return classify(ours).action;
  };

  const keys = { AWS_ACCESS_KEY_ID: STANDIN_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: STANDIN_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: undefined };

  test('ThrottlingException and ServiceUnavailableException: retried', async () => {
    await withEnv(keys, async () => {
      assert.equal(same(await bothFail(() => standin.failNext('ThrottlingException'), standin.endpoint)), 'retry');
      assert.equal(same(await bothFail(() => standin.failNext('ServiceUnavailableException'), standin.endpoint)), 'retry');
      assert.equal(same(await bothFail(() => standin.failNext('InternalServerException'), standin.endpoint)), 'retry');
    });
  });

  test('ResourceNotFoundException (the service then creates the stream and tries again): the same class and name', async () => {
    await withEnv(keys, async () => {
      const errors = await bothFail(() => {}, standin.endpoint);
      assert.equal(errors.ours.name, 'ResourceNotFoundException');
      assert.equal(same(errors), 'reject');
    });
  });

  test('InvalidParameterException for a request the service refuses: rejected', async () => {
    await withEnv(keys, async () => {
      standin.groups.get('g')!.streams.set('s', { name: 's', creationTime: Date.now(), events: [] });
      const outOfOrder = [{ timestamp: Date.now(), message: 'b' }, { timestamp: Date.now() - 60_000, message: 'a' }];
      const errors = await bothFail(() => {}, standin.endpoint, putLogEventsBody('g', 's', outOfOrder), { logGroupName: 'g', logStreamName: 's', logEvents: outOfOrder });
      assert.equal(errors.ours.name, 'InvalidParameterException');
      assert.equal(same(errors), 'reject');
    });
  });

  test('InvalidSignatureException and UnrecognizedClientException: fatal', async () => {
    await withEnv({ ...keys, AWS_SECRET_ACCESS_KEY: 'not-the-secret' }, async () => {
      const errors = await bothFail(() => {}, standin.endpoint);
      assert.equal(errors.ours.name, 'InvalidSignatureException');
      assert.equal(same(errors), 'fatal');
    });
    await withEnv({ ...keys, AWS_ACCESS_KEY_ID: 'AKIDREJECTED' }, async () => {
      const errors = await bothFail(() => {}, standin.endpoint);
      assert.equal(errors.ours.name, 'UnrecognizedClientException');
      assert.equal(same(errors), 'fatal');
    });
  });

  test('a 502 page from something in between: retried', async () => {
    await withEnv(keys, async () => {
      assert.equal(same(await bothFail(() => {}, `http://127.0.0.1:${badGatewayPort}`)), 'retry');
    });
  });

  test('no answer at all (connection refused): the same code, retried', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await withEnv(keys, async () => {
      const { sdk, ours } = await bothFail(() => {}, `http://127.0.0.1:${port}`);
      assert.equal(ours.code, 'ECONNREFUSED');
      assert.equal(ours.code, sdk.code);
      assert.deepEqual(classify(ours), classify(sdk));
      assert.equal(classify(ours).action, 'retry');
    });
  });

  test('an aborted request rejects at once with an AbortError', async () => {
    await withEnv(keys, async () => {
      const service = serviceFor(standin.endpoint, 'us-east-1');
      const sender = new PutLogEventsSender(service.client, { maxSockets: 1 });
      standin.faults.latencyMs = 2000;
      try {
        const controller = new AbortController();
        const put = sender.put(Buffer.from(putLogEventsBody('g', 's', events)), controller.signal);
        setTimeout(() => controller.abort(new Error('request timed out')), 50);
        const started = Date.now();
        await assert.rejects(put, { name: 'AbortError' });
        assert.ok(Date.now() - started < 1500);
      } finally {
        standin.faults.latencyMs = 0;
        sender.close();
        service.close();
      }
    });
  });
});

describe('PutLogEvents credentials come from the default chain and are refreshed', () => {
  test('an ECS task role (container credentials endpoint): each request is signed with the credentials valid at its time', async () => {
    const now = Date.UTC(2026, 5, 1, 12, 0, 0);
    const keys = [
      { AccessKeyId: 'ASIATASKROLEONE', SecretAccessKey: 'secret-one', Token: 'token-one' },
      { AccessKeyId: 'ASIATASKROLETWO', SecretAccessKey: 'secret-two', Token: 'token-two' },
    ];
    let fetched = 0;
    // The ECS agent's endpoint: temporary credentials that expire after 15 minutes.
    const agent = createServer((req, res) => {
      const key = keys[Math.min(fetched++, keys.length - 1)]!;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...key, Expiration: new Date(Date.now() + 15 * 60_000).toISOString() }));
    });
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    // The stand-in's clock is the mocked one: it judges the events' age by it.
    const standin = await startCloudWatchStandin({ now: () => Date.now(), secrets: { [keys[0]!.AccessKeyId]: keys[0]!.SecretAccessKey, [keys[1]!.AccessKeyId]: keys[1]!.SecretAccessKey } });
    standin.createGroup('g');
    standin.groups.get('g')!.streams.set('s', { name: 's', creationTime: now, events: [] });
    mock.timers.enable({ apis: ['Date'], now });
    const service = serviceFor(standin.endpoint, 'us-east-1');
    try {
      await withEnv(
        {
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
          AWS_SESSION_TOKEN: undefined,
          AWS_PROFILE: undefined,
          AWS_CONFIG_FILE: '/nonexistent/config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(agent.address() as AddressInfo).port}/v2/credentials`,
        },
        async () => {
          await service.put('g', 's', [{ timestamp: now, message: 'first' }], new AbortController().signal);
          // 16 minutes on: the first credentials have expired; the default chain fetches new ones before signing.
          mock.timers.setTime(now + 16 * 60_000);
          await service.put('g', 's', [{ timestamp: now + 16 * 60_000, message: 'second' }], new AbortController().signal);
        },
      );
      assert.deepEqual(standin.messages('g', 's'), ['first', 'second']);
      assert.equal(fetched, 2, 'the expired credentials were fetched again');
      // The stand-in verified both signatures, each with its own key's secret.
      assert.deepEqual(standin.counters.errors, {});
    } finally {
      service.close();
      mock.timers.reset();
      await standin.close();
      agent.close();
    }
  });
});
