// Events read back as the records the forwarder shipped: templates over their fields, --json, colour by level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { viewEvent } from '../../src/logs/event-view.ts';
import { colourByLevel, compileLineFormat, DEFAULT_FORMAT, jsonLine, wantsColour } from '../../src/logs/line-format.ts';
import { LogsError } from '../../src/logs/errors.ts';
import type { LogRecord } from '../../src/model/log-record.ts';
import { recordToJsonLine } from '../../src/normalize/encode.ts';

const TIME = Date.UTC(2026, 10, 24, 16, 52, 13, 250);

/** The record of docs/records.md, as the CloudWatch destination ships it (message_format json). */
const RECORD: LogRecord = {
  time: TIME,
  level: 'warning',
  message: 'slow charge',
  fields: { caller: 'pay/charge.go:21', duration_ms: 1532, req: { id: 'r-7' } },
  source: {
    host: 'ip-10-0-1-12',
    service: 'checkout',
    stream: '3f4e5d6c7b8a',
    container: { id: '3f4e5d6c7b8a', name: 'ecs-checkout-12-web-e4f5a6b7c8d9e0f1a2b3', image: 'checkout:12' },
    unit: 'docker.service',
    identifier: '3f4e5d6c7b8a',
    pid: 41,
    ecs: { cluster: 'prod', family: 'checkout', revision: '12', taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/0f1e2d3c' },
  },
  cursor: 's=1',
  seq: 1,
};

const event = (message: string, extra: Partial<FilteredLogEvent> = {}): FilteredLogEvent => ({
  logStreamName: 'web/3f4e5d6c7b8a',
  timestamp: TIME,
  message,
  ingestionTime: TIME + 700,
  eventId: '1'.repeat(56),
  ...extra,
});

const shipped = event(recordToJsonLine(RECORD));
const view = viewEvent(shipped, '/ecs/checkout', 'checkout');

test('the default line: time, level, stream and message of the record', () => {
  assert.equal(compileLineFormat(DEFAULT_FORMAT)(view), '2026-11-24T16:52:13.250Z warning 3f4e5d6c7b8a slow charge');
});

test('templates read every name of the config templates, the record fields and the event', () => {
  const cases: Array<[string, string]> = [
    ['{service}/{stream} {host} pid={pid}', 'checkout/3f4e5d6c7b8a ip-10-0-1-12 pid=41'],
    ['{container.name} {container.image} {container.id}', 'ecs-checkout-12-web-e4f5a6b7c8d9e0f1a2b3 checkout:12 3f4e5d6c7b8a'],
    ['{ecs.cluster} {ecs.family}:{ecs.revision} {ecs.task_id}', 'prod checkout:12 0f1e2d3c'],
    ['{unit} {identifier}', 'docker.service 3f4e5d6c7b8a'],
    ['{fields.caller} {fields.duration_ms}ms {fields.req.id}', 'pay/charge.go:21 1532ms r-7'],
    ['{fields.missing|fields.caller} {fields.nope|"none"} {fields.nope}', 'pay/charge.go:21 none -'],
    ['{log_group} {log_stream} {ingestion_time}', '/ecs/checkout web/3f4e5d6c7b8a 2026-11-24T16:52:13.950Z'],
    ['{event_id}', '1'.repeat(56)],
    ['[{level}] {message}', '[warning] slow charge'],
  ];
  for (const [template, expected] of cases) assert.equal(compileLineFormat(template)(view), expected, template);
});

test('levels as shipped (ecs-logs names) come back as record levels', () => {
  for (const [level, expected] of [['ERROR', 'error'], ['WARN', 'warning'], ['CRIT', 'crit'], ['DEBUG', 'debug'], ['info', 'info'], ['bogus', undefined]] as const) {
    assert.equal(viewEvent(event(JSON.stringify({ level, message: 'm' })), 'g', 's').level, expected, level);
  }
});

test('a message that is not a record (text format, a split part, another program) is shown as text', () => {
  const text = viewEvent(event('plain text line'), '/ecs/checkout', 'checkout');
  assert.equal(compileLineFormat('{time} {level} {service} {stream} {message}')(text), '2026-11-24T16:52:13.250Z - checkout web/3f4e5d6c7b8a plain text line');
  const part = viewEvent(event('[journal-fanout part 1/2] {"level":"INFO"'), 'g', 'svc');
  assert.equal(part.message, '[journal-fanout part 1/2] {"level":"INFO"');
  const other = viewEvent(event('{"msg":"from pino","level":"error","reqId":9}'), 'g', 'svc');
  assert.deepEqual([other.message, other.level, other.fields], ['from pino', 'error', { reqId: 9 }]);
  assert.equal(compileLineFormat('{fields.reqId} {service}')(other), '9 svc');
});

test('--json prints the record as shipped, and wraps text with its time and names', () => {
  assert.equal(jsonLine(view), shipped.message);
  assert.deepEqual(JSON.parse(jsonLine(viewEvent(event('plain'), '/ecs/checkout', 'checkout'))), {
    time: '2026-11-24T16:52:13.250Z',
    message: 'plain',
    data: { service: 'checkout', stream: 'web/3f4e5d6c7b8a' },
  });
  const pretty = event('{\n  "level": "INFO",\n  "message": "pretty"\n}');
  assert.equal(jsonLine(viewEvent(pretty, 'g', 's')), '{"level":"INFO","message":"pretty"}', 'always one line');
});

test('a bad --format is a usage error naming the name and the choices', () => {
  assert.throws(
    () => compileLineFormat('{tiem} {message}'),
    (e: unknown) => e instanceof LogsError && e.exitCode === 2 && /--format: unknown name "tiem".*use one of time, level, message/.test(e.message),
  );
  assert.throws(() => compileLineFormat('{message'), (e: unknown) => e instanceof LogsError && /unclosed "\{"/.test(e.message));
});

test('colour by level, only on a terminal, and never with NO_COLOR', () => {
  assert.equal(colourByLevel('x', 'error'), '\x1b[31mx\x1b[0m');
  assert.equal(colourByLevel('x', 'warning'), '\x1b[33mx\x1b[0m');
  assert.equal(colourByLevel('x', 'crit'), '\x1b[1;31mx\x1b[0m');
  assert.equal(colourByLevel('x', 'info'), 'x');
  assert.equal(colourByLevel('x', undefined), 'x');
  assert.equal(wantsColour({ isTTY: true }, {}), true);
  assert.equal(wantsColour({ isTTY: false }, {}), false);
  assert.equal(wantsColour({}, {}), false);
  assert.equal(wantsColour({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(wantsColour({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
});
