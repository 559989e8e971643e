// Shared pieces of the CloudWatch adapter tests: fake credentials, records, and a destination on a stand-in.
import { silentLogger } from '../../../src/selflog/logger.ts';
import type { LogRecord } from '../../../src/model/log-record.ts';
import cloudwatch from '../../../adapters/cloudwatch/index.ts';
import type { CloudWatchDestination } from '../../../adapters/cloudwatch/sink.ts';
import { STANDIN_ACCESS_KEY_ID, STANDIN_SECRET_ACCESS_KEY } from '../../standins/cloudwatch/credentials.ts';

// The SDK default chain reads these; they are fake and only ever reach the 127.0.0.1 stand-in, which
// verifies the signature with them.
process.env.AWS_ACCESS_KEY_ID = STANDIN_ACCESS_KEY_ID;
process.env.AWS_SECRET_ACCESS_KEY = STANDIN_SECRET_ACCESS_KEY;
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;

let seq = 0;

export function record(overrides: { message?: string; time?: number; service?: string; stream?: string; fields?: Record<string, unknown> } = {}): LogRecord {
  seq++;
  return {
    time: overrides.time ?? Date.now(),
    level: 'info',
    message: overrides.message ?? `message ${seq}`,
    fields: overrides.fields ?? {},
    source: { host: 'host-1', service: overrides.service ?? 'api', stream: overrides.stream ?? 'abc123def456' },
    cursor: `c${seq}`,
    seq,
  };
}

export function destination(endpoint: string, options: Record<string, unknown> = {}): CloudWatchDestination {
  const parsed = cloudwatch.schema.parse({ type: 'cloudwatch', region: 'us-east-1', endpoint, ...options });
  return cloudwatch.create(parsed, { id: 'cloudwatch', host: 'host-1', logger: silentLogger() }) as CloudWatchDestination;
}

export const signal = (): AbortSignal => new AbortController().signal;
