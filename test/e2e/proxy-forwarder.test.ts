// End to end: Docker's syslog driver -> `journal-fanout proxy` -> a journald namespace -> `journal-fanout run`
// -> stdout. The records of lines that went through the proxy carry the same service, stream, container and
// ECS task as lines Docker's journald driver wrote directly; the proxy's notices land in the container's
// stream; Docker's 16 KiB parts come out as one record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Daemon, writeConfig } from '../helpers/daemon.ts';
import { dockerSyslogMessage, SyslogSender } from '../helpers/syslog-client.ts';
import { ProxyHarness } from '../proxy/harness.ts';

const WEB = '5e'.repeat(32);
const API = '7a'.repeat(32);
const WEB_NAME = 'ecs-web-3-app-e8c1b2a3f4d5c6b7a801';
const WEB_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.8.2';
const ECS_LABELS = {
  'com.amazonaws.ecs.cluster': 'prod',
  'com.amazonaws.ecs.task-definition-family': 'web',
  'com.amazonaws.ecs.task-definition-version': '3',
  'com.amazonaws.ecs.task-arn': 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef',
  'com.amazonaws.ecs.container-name': 'app',
};

type Out = { level: string; message: string; info: Record<string, unknown>; data: { fields: Record<string, unknown>; service: string; stream: string; container?: unknown; ecs?: unknown } };

test('records of lines that went through the proxy look like records of Docker\'s journald driver', { timeout: 180_000 }, async () => {
  const h = await ProxyHarness.start({
    listen: ['unixgram://{dir}/syslog.sock'],
    containers: [
      { id: WEB, name: WEB_NAME, image: WEB_IMAGE, labels: ECS_LABELS },
      { id: API, name: 'api', image: 'api:2' },
    ],
    proxy: { rate_limit: { interval: '60s', burst: 5 } },
  });
  try {
    // What Docker's journald driver writes for WEB (with --log-opt labels=<the ECS labels>), for comparison.
    await h.journal.send([
      {
        MESSAGE: '{"level":"warn","msg":"via the journald driver","order":7}',
        PRIORITY: 6,
        CONTAINER_ID: WEB.slice(0, 12),
        CONTAINER_ID_FULL: WEB,
        CONTAINER_NAME: WEB_NAME,
        CONTAINER_TAG: WEB.slice(0, 12),
        IMAGE_NAME: WEB_IMAGE,
        SYSLOG_IDENTIFIER: WEB.slice(0, 12),
        SYSLOG_TIMESTAMP: new Date().toISOString(),
        COM_AMAZONAWS_ECS_CLUSTER: 'prod',
        COM_AMAZONAWS_ECS_TASK_DEFINITION_FAMILY: 'web',
        COM_AMAZONAWS_ECS_TASK_DEFINITION_VERSION: '3',
        COM_AMAZONAWS_ECS_TASK_ARN: 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef',
        COM_AMAZONAWS_ECS_CONTAINER_NAME: 'app',
      },
    ]);
    const web = await SyslogSender.connect(h.target('unixgram://{dir}/syslog.sock'), 'unix');
    const api = await SyslogSender.connect(h.target('unixgram://{dir}/syslog.sock'), 'unix');
    const send = (s: SyslogSender, id: string, line: string, stream: 'stdout' | 'stderr' = 'stdout') => s.send(dockerSyslogMessage(line, { format: 'unix', tag: id.slice(0, 12), stream }));
    await send(web, WEB, '{"level":"warn","msg":"via the proxy","order":8}');
    await send(web, WEB, 'the disk is on fire', 'stderr');
    // A 40,000-byte line, as Docker's log copier cuts it: 16 KiB, 16 KiB, the rest.
    const long = Array.from({ length: 40_000 }, (_, i) => String.fromCharCode(0x61 + (i % 26))).join('');
    await send(web, WEB, long.slice(0, 16384));
    await send(web, WEB, long.slice(16384, 32768));
    await send(web, WEB, long.slice(32768));
    for (let i = 0; i < 12; i++) await send(api, API, `api line ${i}`);
    await web.close();
    await api.close();
    await h.journal.waitForCount(1 + 5, 'CONTAINER_ID=' + WEB.slice(0, 12), 30_000);
    await h.journal.waitForCount(5 + 1, 'CONTAINER_ID=' + API.slice(0, 12), 30_000);
    // The "dropped N messages" notice of the api window is written when the proxy stops.
    assert.equal((await h.daemon.stop()).code, 0);
    await h.journal.waitForCount(5 + 2, 'CONTAINER_ID=' + API.slice(0, 12), 30_000);

    const config = await writeConfig(h.dir, {
      journal: { namespace: h.journal.namespace, start: 'head', matches: ['CONTAINER_ID=' + WEB.slice(0, 12), '+', 'CONTAINER_ID=' + API.slice(0, 12)] },
      state: { directory: `${h.dir}/state` },
      destinations: [{ type: 'stdout' }],
      metrics: { listen: null },
    });
    const run = new Daemon(['run', '--config', config, '--no-follow']);
    const { code } = await run.exited;
    assert.equal(code, 0, run.stderr.slice(-2000));
    const records = run.records() as unknown as Out[];

    const direct = records.find((r) => r.message === 'via the journald driver')!;
    const proxied = records.find((r) => r.message === 'via the proxy')!;
    assert.ok(direct && proxied, JSON.stringify(records.slice(0, 3)));
    assert.deepEqual({ ...proxied.data, fields: undefined }, { ...direct.data, fields: undefined }, 'same service, stream, container, ECS task');
    assert.deepEqual([proxied.data.fields, direct.data.fields], [{ order: 8 }, { order: 7 }]);
    assert.deepEqual(proxied.info, direct.info);
    assert.equal(proxied.level, direct.level);
    assert.equal(proxied.data.service, 'web');
    assert.equal(proxied.data.stream, WEB.slice(0, 12));
    assert.deepEqual(proxied.data.container, { id: WEB.slice(0, 12), name: WEB_NAME, image: WEB_IMAGE });
    assert.deepEqual(proxied.data.ecs, { cluster: 'prod', family: 'web', revision: '3', taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef' });

    assert.equal(records.find((r) => r.message === 'the disk is on fire')?.level, 'ERROR', 'stderr -> PRIORITY 3 -> error');
    const joined = records.filter((r) => r.data.stream === WEB.slice(0, 12) && r.message.startsWith('abc'));
    assert.deepEqual(joined.map((r) => r.message.length), [40_000], 'Docker\'s parts come out as one record');
    assert.equal(joined[0]!.message, long);

    const apiRecords = records.filter((r) => r.data.stream === API.slice(0, 12));
    assert.ok(apiRecords.every((r) => r.data.service === 'api'));
    // (The forwarder holds a line briefly for continuation lines, per stream and PRIORITY, so a notice (PRIORITY 4)
    // may come out before the line just ahead of it: each kind is compared in its own order.)
    const notices = apiRecords.filter((r) => r.message.startsWith('journal-fanout:'));
    assert.deepEqual(apiRecords.filter((r) => !notices.includes(r)).map((r) => r.message), Array.from({ length: 5 }, (_, i) => `api line ${i}`));
    assert.deepEqual(notices.map((r) => [r.level, r.message]), [
      ['WARN', 'journal-fanout: rate limit of 5 messages per 60s reached for this stream; beginning to drop messages'],
      ['WARN', 'journal-fanout: dropped 7 messages in the current window before shutting down (rate limit 5 per 60s)'],
    ]);
  } finally {
    await h.stop();
  }
});
