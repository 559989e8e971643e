// Name templates: the names they read, fallbacks, and the config errors of bad ones; applied by the normalizer.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ConfigError } from '../../src/model/errors.ts';
import type { RecordSource } from '../../src/model/log-record.ts';
import { compileTemplate, TEMPLATE_NAMES } from '../../src/normalize/template.ts';
import { dockerEntry, harness, resetSeq, unitEntry } from './entries.ts';

const source: RecordSource = {
  host: 'node-1',
  service: 'auth-api',
  stream: '0123456789ab',
  container: { id: '0123456789ab', name: 'ecs-auth-api-3-app-aabbccddeeff00112233', image: 'auth:3' },
  unit: 'docker.service',
  identifier: '0123456789ab',
  pid: 812,
  ecs: { cluster: 'prod', family: 'auth-api', revision: '3', taskArn: 'arn:aws:ecs:us-east-1:1:task/prod/abcdef' },
};
const input = { source, fields: { tenant: 'acme', nested: { region: 'eu' }, count: 3, empty: '' } };

beforeEach(() => resetSeq());

describe('compileTemplate', () => {
  const cases: Array<[string, string]> = [
    ['{service}', 'auth-api'],
    ['/ecs/{service}', '/ecs/auth-api'],
    ['{stream}', '0123456789ab'],
    ['{host}', 'node-1'],
    ['{container.id}', '0123456789ab'],
    ['{container.name}/{container.image}', 'ecs-auth-api-3-app-aabbccddeeff00112233/auth:3'],
    ['{unit}|{identifier}|{pid}', 'docker.service|0123456789ab|812'],
    ['{ecs.cluster}/{ecs.family}:{ecs.revision}', 'prod/auth-api:3'],
    ['{ecs.task_id}', 'abcdef'],
    ['{ecs.task_arn}', 'arn:aws:ecs:us-east-1:1:task/prod/abcdef'],
    ['{fields.tenant}-{fields.nested.region}-{fields.count}', 'acme-eu-3'],
    ['{fields.missing|fields.tenant}', 'acme'],
    ['{fields.empty|"none"}', 'none'],
    ['{ fields.missing | "de fault" }', 'de fault'],
    ['{fields.missing}', '-'],
    ['plain text', 'plain text'],
    ['', ''],
  ];
  for (const [template, expected] of cases) {
    test(`${JSON.stringify(template)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(compileTemplate(template, 'records.service')(input), expected);
    });
  }

  test('unset source parts fall through to the next alternative', () => {
    const plain: RecordSource = { host: 'h', service: 'cron', stream: 'h' };
    assert.equal(compileTemplate('{container.name|unit|identifier|"host-level"}', 'x')({ source: plain, fields: {} }), 'host-level');
    assert.equal(compileTemplate('{ecs.task_id}', 'x')({ source: plain, fields: {} }), '-');
  });

  test('usesFields tells whether a template must be rendered per record', () => {
    assert.equal(compileTemplate('{service}', 'x').usesFields, false);
    assert.equal(compileTemplate('{container.name|fields.app}', 'x').usesFields, true);
  });

  test('every documented name is known', () => {
    for (const name of ['service', 'stream', 'host', 'container.id', 'container.name', 'container.image', 'unit', 'identifier', 'ecs.cluster', 'ecs.family', 'ecs.task_id']) {
      assert.ok(name in TEMPLATE_NAMES, name);
    }
  });

  const errors: Array<[string, RegExp]> = [
    ['{nope}', /records\.stream: unknown name "nope" in template "\{nope\}"; use one of service, stream/],
    ['{service', /records\.stream: unclosed "\{" at position 0/],
    ['service}', /records\.stream: unmatched "\}" at position 7/],
    ['{}', /records\.stream: empty "\{\}"/],
    ['{ }', /records\.stream: empty "\{\}"/],
    ['{service|}', /unknown name ""/],
    ['{fields.}', /unknown name "fields\."/],
    ['{container}', /unknown name "container"/],
  ];
  for (const [template, message] of errors) {
    test(`${JSON.stringify(template)} is a ConfigError`, () => {
      assert.throws(() => compileTemplate(template, 'records.stream'), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }
});

describe('templates in the normalizer', () => {
  test('bad templates fail the constructor, naming records.service / records.stream', () => {
    assert.throws(() => harness({ service: '{servce}' }), (e: unknown) => e instanceof ConfigError && /^records\.service: unknown name "servce"/.test(e.message));
    assert.throws(() => harness({ stream: '{container.id' }), (e: unknown) => e instanceof ConfigError && /^records\.stream: unclosed/.test(e.message));
  });

  test('{service} and {stream} in a template read the derived defaults', () => {
    const h = harness({ service: 'svc-{service}', stream: '{container.name|host}/{stream}', multiline: { enabled: false } });
    h.push(dockerEntry('hello'));
    h.push(unitEntry('from a unit'));
    assert.deepEqual(h.out.map((r) => [r.source.service, r.source.stream]), [
      ['svc-app-0123456789ab', 'app-0123456789ab/0123456789ab'],
      ['svc-worker', 'node-1/node-1'],
    ]);
  });

  test('{fields.X} is rendered per record from the parsed message', () => {
    const h = harness({ service: '{fields.app|service}', multiline: { enabled: false } });
    h.push(dockerEntry('{"app":"checkout","msg":"a"}'));
    h.push(dockerEntry('app=billing msg=b'));
    h.push(dockerEntry('no fields'));
    assert.deepEqual(h.out.map((r) => r.source.service), ['checkout', 'billing', 'app-0123456789ab']);
    assert.equal(h.out[0]!.source.container?.id, '0123456789ab');
  });

  test('a container\'s rendered source is computed once and shared', () => {
    const h = harness({ stream: '{container.name}', multiline: { enabled: false } });
    h.push(dockerEntry('a'));
    h.push(dockerEntry('b'));
    assert.equal(h.out[0]!.source, h.out[1]!.source);
    assert.equal(h.out[0]!.source.stream, 'app-0123456789ab');
  });
});
