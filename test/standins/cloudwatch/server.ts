// A CloudWatch Logs stand-in on 127.0.0.1 speaking the real JSON 1.1 wire protocol, for tests and the bench.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checkGroupName,
  checkLength,
  checkStreamName,
  EVENT_OVERHEAD,
  MAX_BATCH_BYTES,
  MAX_EVENT_BYTES,
  MAX_EVENTS,
  MAX_SPAN_MS,
  RETENTION_VALUES,
  ServiceFault,
  TOO_NEW_MS,
  TOO_OLD_MS,
  validationError,
} from './rules.ts';
import { STANDIN_ACCESS_KEY_ID, STANDIN_SECRET_ACCESS_KEY } from './credentials.ts';
import { ACCOUNT, DEFAULT_PAGING, readOperations, REGION, type StandinPaging } from './read-api.ts';
import { signatureProblem } from './sigv4.ts';

const TARGET_PREFIX = 'Logs_20140328.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Ingestion order across the stand-in, from 1: the tie-breaker of the read operations' sort order. */
  seq: number;
}
export interface StreamState {
  name: string;
  creationTime: number;
  events: StoredEvent[];
  /** Oldest and newest event time and the last ingestion, as DescribeLogStreams reports them. */
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
}
export interface GroupState {
  name: string;
  creationTime: number;
  retentionInDays: number | undefined;
  tags: Record<string, string>;
  streams: Map<string, StreamState>;
}

export interface StandinFaults {
  /** Every Nth call of a faulted operation answers ThrottlingException (400); 0 = never. */
  throttleEvery: number;
  /** Every Nth call (not already throttled) answers ServiceUnavailableException (500); 0 = never. */
  unavailableEvery: number;
  /** Delay before every answer, in ms. */
  latencyMs: number;
  /** Operations the periodic faults apply to. */
  operations: string[];
}

export interface StandinOptions {
  /** Clock for the too-new / too-old / retention checks. Default Date.now. */
  now?: () => number;
  faults?: Partial<StandinFaults>;
  /** Access key ids answered with UnrecognizedClientException. */
  rejectAccessKeys?: string[];
  /**
   * Secrets by access key id: a request signed with one of these keys must carry a valid SigV4 signature
   * over its body (InvalidSignatureException otherwise). Default: the tests' key (credentials.ts).
   * Requests signed with other keys are checked for the header's shape only.
   */
  secrets?: Record<string, string>;
  /** Page sizes of the read operations (small ones force paging in tests). */
  paging?: Partial<StandinPaging>;
  /** Operations answered with AccessDeniedException, as for an IAM policy that does not allow them. */
  denyOperations?: string[];
}

export interface StandinCounters {
  /** Calls per operation, faulted ones included. */
  calls: Record<string, number>;
  /** Error answers per `__type` (ThrottlingException, InvalidParameterException...). */
  errors: Record<string, number>;
  acceptedEvents: number;
  /** Events refused by index in rejectedLogEventsInfo. */
  rejectedEvents: number;
}

export interface CloudWatchStandin {
  endpoint: string;
  groups: Map<string, GroupState>;
  counters: StandinCounters;
  faults: StandinFaults;
  paging: StandinPaging;
  /** Operations answered with AccessDeniedException (mutable). */
  deny: Set<string>;
  /** Events stored in a stream, in ingestion order ([] when the stream does not exist). */
  events(group: string, stream: string): StoredEvent[];
  messages(group: string, stream: string): string[];
  /** The next `times` calls of `operation` answer this error (before the periodic faults). */
  failNext(type: 'ThrottlingException' | 'ServiceUnavailableException' | 'InternalServerException', times?: number, operation?: string): void;
  createGroup(name: string, retentionInDays?: number): void;
  deleteGroup(name: string): boolean;
  deleteStream(group: string, stream: string): boolean;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;

function faultFor(type: string): ServiceFault {
  switch (type) {
    case 'ThrottlingException':
      return new ServiceFault(type, 'Rate exceeded', 400);
    case 'ServiceUnavailableException':
      return new ServiceFault(type, 'The server failed to fulfill the request. Please try again.', 500);
    default:
      return new ServiceFault(type, 'Internal server error', 500);
  }
}

export async function startCloudWatchStandin(options: StandinOptions = {}): Promise<CloudWatchStandin> {
  const now = options.now ?? Date.now;
  const groups = new Map<string, GroupState>();
  const counters: StandinCounters = { calls: {}, errors: {}, acceptedEvents: 0, rejectedEvents: 0 };
  const faults: StandinFaults = { throttleEvery: 0, unavailableEvery: 0, latencyMs: 0, operations: ['PutLogEvents'], ...options.faults };
  const queued: Array<{ type: string; operation: string }> = [];
  const rejectKeys = new Set(options.rejectAccessKeys ?? []);
  const secrets = new Map(Object.entries(options.secrets ?? { [STANDIN_ACCESS_KEY_ID]: STANDIN_SECRET_ACCESS_KEY }));
  const paging: StandinPaging = { ...DEFAULT_PAGING, ...options.paging };
  const deny = new Set(options.denyOperations ?? []);
  let sequence = 0;
  let eventSeq = 0;

  const group = (name: unknown): GroupState => {
    const g = typeof name === 'string' ? groups.get(name) : undefined;
    if (!g) throw new ServiceFault('ResourceNotFoundException', 'The specified log group does not exist.');
    return g;
  };

  const operations: Record<string, (body: Body) => unknown> = {
    CreateLogGroup(body) {
      const problems: string[] = [];
      checkGroupName(problems, body.logGroupName);
      if (body.tags !== undefined && (typeof body.tags !== 'object' || body.tags === null || Object.keys(body.tags).length > 50)) {
        problems.push(`Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`);
      }
      if (problems.length) throw validationError(problems);
      const name = body.logGroupName as string;
      if (name.startsWith('aws/')) throw new ServiceFault('InvalidParameterException', 'Log group names starting with "aws/" are reserved for AWS services.');
      if (groups.has(name)) throw new ServiceFault('ResourceAlreadyExistsException', 'The specified log group already exists');
      groups.set(name, { name, creationTime: now(), retentionInDays: undefined, tags: { ...((body.tags as Record<string, string>) ?? {}) }, streams: new Map() });
      return {};
    },
    CreateLogStream(body) {
      const problems: string[] = [];
      checkGroupName(problems, body.logGroupName);
      checkStreamName(problems, body.logStreamName);
      if (problems.length) throw validationError(problems);
      const g = group(body.logGroupName);
      const name = body.logStreamName as string;
      if (g.streams.has(name)) throw new ServiceFault('ResourceAlreadyExistsException', 'The specified log stream already exists');
      g.streams.set(name, { name, creationTime: now(), events: [] });
      return {};
    },
    PutRetentionPolicy(body) {
      const problems: string[] = [];
      checkGroupName(problems, body.logGroupName);
      if (!RETENTION_VALUES.includes(body.retentionInDays as number)) {
        problems.push(`Value '${String(body.retentionInDays)}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_VALUES.join(', ')}]`);
      }
      if (problems.length) throw validationError(problems);
      group(body.logGroupName).retentionInDays = body.retentionInDays as number;
      return {};
    },
    DeleteLogGroup(body) {
      group(body.logGroupName);
      groups.delete(body.logGroupName as string);
      return {};
    },
    DeleteLogStream(body) {
      const g = group(body.logGroupName);
      if (!g.streams.delete(body.logStreamName as string)) throw new ServiceFault('ResourceNotFoundException', 'The specified log stream does not exist.');
      return {};
    },
    PutLogEvents(body) {
      const problems: string[] = [];
      checkGroupName(problems, body.logGroupName);
      checkStreamName(problems, body.logStreamName);
      checkLength(problems, body.logEvents, 'logEvents', 1, MAX_EVENTS);
      const events = Array.isArray(body.logEvents) ? (body.logEvents as Array<{ timestamp?: unknown; message?: unknown }>) : [];
      events.forEach((e, i) => {
        if (typeof e?.timestamp !== 'number') problems.push(`Value null at 'logEvents.${i + 1}.member.timestamp' failed to satisfy constraint: Member must not be null`);
        checkLength(problems, e?.message, `logEvents.${i + 1}.member.message`, 1, Number.MAX_SAFE_INTEGER);
      });
      if (problems.length) throw validationError(problems);
      const g = group(body.logGroupName);
      const s = g.streams.get(body.logStreamName as string);
      if (!s) throw new ServiceFault('ResourceNotFoundException', 'The specified log stream does not exist.');
      let total = 0;
      for (const e of events) {
        const size = Buffer.byteLength(e.message as string) + EVENT_OVERHEAD;
        if (size > MAX_EVENT_BYTES) throw new ServiceFault('InvalidParameterException', `Log event too large: ${size} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
        total += size;
      }
      if (total > MAX_BATCH_BYTES) throw new ServiceFault('InvalidParameterException', `Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
      for (let i = 1; i < events.length; i++) {
        if ((events[i]!.timestamp as number) < (events[i - 1]!.timestamp as number)) {
          throw new ServiceFault('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
        }
      }
      const first = events[0]!.timestamp as number;
      const last = events.at(-1)!.timestamp as number;
      if (last - first > MAX_SPAN_MS) {
        throw new ServiceFault('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
      }
      const t = now();
      const info: Record<string, number> = {};
      let keepTo = events.length;
      const tooNew = events.findIndex((e) => (e.timestamp as number) > t + TOO_NEW_MS);
      if (tooNew >= 0) {
        info.tooNewLogEventStartIndex = tooNew;
        keepTo = tooNew;
      }
      const tooOld = events.findLastIndex((e) => (e.timestamp as number) < t - TOO_OLD_MS) + 1;
      if (tooOld > 0) info.tooOldLogEventEndIndex = tooOld;
      const expired = g.retentionInDays === undefined ? 0 : events.findLastIndex((e) => (e.timestamp as number) < t - g.retentionInDays! * 86_400_000) + 1;
      if (expired > 0) info.expiredLogEventEndIndex = expired;
      const keepFrom = Math.max(tooOld, expired);
      for (let i = keepFrom; i < keepTo; i++) {
        const timestamp = events[i]!.timestamp as number;
        s.events.push({ timestamp, message: events[i]!.message as string, ingestionTime: t, seq: ++eventSeq });
        s.firstEventTimestamp = Math.min(s.firstEventTimestamp ?? timestamp, timestamp);
        s.lastEventTimestamp = Math.max(s.lastEventTimestamp ?? timestamp, timestamp);
        s.lastIngestionTime = t;
      }
      const kept = Math.max(0, keepTo - keepFrom);
      counters.acceptedEvents += kept;
      counters.rejectedEvents += events.length - kept;
      return { nextSequenceToken: String(++sequence).padStart(56, '0'), ...(Object.keys(info).length ? { rejectedLogEventsInfo: info } : {}) };
    },
    ...readOperations(groups, paging),
  };

  function injectedFault(operation: string): ServiceFault | undefined {
    const i = queued.findIndex((q) => q.operation === operation);
    if (i >= 0) return faultFor(queued.splice(i, 1)[0]!.type);
    if (!faults.operations.includes(operation)) return undefined;
    const n = counters.calls[operation]!;
    if (faults.throttleEvery > 0 && n % faults.throttleEvery === 0) return faultFor('ThrottlingException');
    if (faults.unavailableEvery > 0 && n % faults.unavailableEvery === 0) return faultFor('ServiceUnavailableException');
    return undefined;
  }

  function answer(res: ServiceResponse, status: number, body: unknown, errorType?: string): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': CONTENT_TYPE,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServiceResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    try {
      if (req.method !== 'POST' || req.url !== '/') throw new ServiceFault('UnknownOperationException', `${req.method} ${req.url} is not an operation`);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      const run = operations[operation];
      if (!run) throw new ServiceFault('UnknownOperationException', `unknown operation "${target}"`);
      counters.calls[operation] = (counters.calls[operation] ?? 0) + 1;
      const auth = String(req.headers.authorization ?? '');
      if (!auth.startsWith('AWS4-HMAC-SHA256 ')) throw new ServiceFault('MissingAuthenticationTokenException', 'Missing Authentication Token');
      const accessKey = /Credential=([^/]+)\//.exec(auth)?.[1];
      if (accessKey && rejectKeys.has(accessKey)) throw new ServiceFault('UnrecognizedClientException', 'The security token included in the request is invalid.');
      const secret = accessKey === undefined ? undefined : secrets.get(accessKey);
      const badSignature = secret === undefined ? undefined : signatureProblem(req.method!, req.url!, req.headers, raw, secret);
      if (badSignature) throw new ServiceFault('InvalidSignatureException', badSignature, 403);
      if (!String(req.headers['content-type'] ?? '').startsWith(CONTENT_TYPE)) throw new ServiceFault('SerializationException', `expected content-type ${CONTENT_TYPE}`);
      if (deny.has(operation)) {
        throw new ServiceFault(
          'AccessDeniedException',
          `User: arn:aws:iam::${ACCOUNT}:user/standin is not authorized to perform: logs:${operation} on resource: arn:aws:logs:${REGION}:${ACCOUNT}:log-group:* because no identity-based policy allows the logs:${operation} action`,
        );
      }
      const fault = injectedFault(operation);
      if (fault) throw fault;
      let body: Body;
      try {
        body = JSON.parse(raw.toString('utf8') || '{}') as Body;
      } catch {
        throw new ServiceFault('SerializationException', 'the request body is not valid JSON');
      }
      answer(res, 200, run(body));
    } catch (error) {
      const fault = error instanceof ServiceFault ? error : new ServiceFault('InternalFailure', String(error), 500);
      counters.errors[fault.type] = (counters.errors[fault.type] ?? 0) + 1;
      answer(res, fault.status, { __type: fault.type, message: fault.message }, fault.type);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const stream = (g: string, s: string) => groups.get(g)?.streams.get(s);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    groups,
    counters,
    faults,
    paging,
    deny,
    events: (g, s) => stream(g, s)?.events ?? [],
    messages: (g, s) => (stream(g, s)?.events ?? []).map((e) => e.message),
    failNext(type, times = 1, operation = 'PutLogEvents') {
      for (let i = 0; i < times; i++) queued.push({ type, operation });
    },
    createGroup(name, retentionInDays) {
      groups.set(name, { name, creationTime: now(), retentionInDays, tags: {}, streams: new Map() });
    },
    deleteGroup: (name) => groups.delete(name),
    deleteStream: (g, s) => groups.get(g)?.streams.delete(s) ?? false,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

type ServiceResponse = ServerResponse<IncomingMessage>;
