// Shared pieces of the logs tests: a CloudWatch stand-in with groups written through the real SDK, a reader on
// it with quick retries, and an Io that keeps what the commands print.
import { PassThrough } from 'node:stream';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchReader } from '../../src/logs/reader.ts';
import { LineWriter } from '../../src/logs/output.ts';
import type { Io } from '../../src/logs/commands.ts';
import { startCloudWatchStandin, type CloudWatchStandin, type StandinOptions } from '../standins/cloudwatch/index.ts';
import { STANDIN_AWS_ENV } from '../standins/cloudwatch/credentials.ts';

// The SDK default chain reads these; they only ever reach the 127.0.0.1 stand-in, which checks the signatures.
Object.assign(process.env, STANDIN_AWS_ENV);
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;

export interface Cloud {
  standin: CloudWatchStandin;
  client: CloudWatchLogsClient;
  /** Creates the group and stream when missing, then puts the events (in time order, as PutLogEvents wants). */
  put(group: string, stream: string, events: Array<[number, string]>): Promise<void>;
  reader(): CloudWatchReader;
  close(): Promise<void>;
}

export async function startCloud(options: StandinOptions = {}): Promise<Cloud> {
  const standin = await startCloudWatchStandin(options);
  const client = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: standin.endpoint, maxAttempts: 1 });
  const readers: CloudWatchReader[] = [];
  return {
    standin,
    client,
    async put(group, stream, events) {
      if (!standin.groups.has(group)) await client.send(new CreateLogGroupCommand({ logGroupName: group }));
      if (!standin.groups.get(group)!.streams.has(stream)) await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
      const sorted = [...events].sort((a, b) => a[0] - b[0]);
      await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: sorted.map(([timestamp, message]) => ({ timestamp, message })) }));
    },
    reader() {
      const r = new CloudWatchReader({ region: 'us-east-1', endpoint: standin.endpoint, retry: { attempts: 4, backoff: { initialMs: 5, maxMs: 20 } } });
      readers.push(r);
      return r;
    },
    async close() {
      for (const r of readers) r.close();
      client.destroy();
      await standin.close();
    },
  };
}

/** An Io whose output and warnings are kept. */
export function captureIo(signal: AbortSignal = new AbortController().signal): Io & { lines(): string[]; warnings: string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  const warnings: string[] = [];
  return {
    out: new LineWriter(stream),
    warn: (m) => warnings.push(m),
    signal,
    warnings,
    lines: () => text.split('\n').slice(0, -1),
  };
}

export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
