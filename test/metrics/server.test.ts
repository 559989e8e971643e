// MetricsServer: routes, methods, address parsing, and a clear error when the port is taken.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DaemonMetrics, MetricsServer, parseListen } from '../../src/metrics/index.ts';
import { ConfigError } from '../../src/model/errors.ts';
import { silentLogger } from '../../src/selflog/logger.ts';
import { get, sample } from './helpers.ts';

describe('metrics server', () => {
  const metrics = new DaemonMetrics({ bufferRecords: 100, bufferBytes: 65_536, processMetrics: true });
  const server = new MetricsServer(metrics, silentLogger());
  let port = 0;

  before(async () => {
    port = (await server.listen('127.0.0.1:0')).port;
  });
  after(() => server.close());

  test('/metrics before the pipeline started: build info, process metrics, unhealthy', async () => {
    const res = await get(port, '/metrics');
    assert.equal(res.status, 200);
    assert.equal(sample(res.body, 'journal_fanout_healthy'), 0);
    assert.match(res.body, /^journal_fanout_build_info\{version="\d+\.\d+\.\d+",revision="[^"]+",node="v\d+\.\d+\.\d+"\} 1$/m);
    assert.ok(sample(res.body, 'process_resident_memory_bytes')! > 0);
  });

  test('/healthz before the destinations started: 503 "starting"', async () => {
    const res = await get(port, '/healthz?verbose=1');
    assert.equal(res.status, 503);
    assert.equal((JSON.parse(res.body) as { status: string }).status, 'starting');
  });

  test('HEAD works, other methods and paths do not', async () => {
    assert.equal((await get(port, '/healthz', 'HEAD')).status, 503);
    assert.equal((await get(port, '/healthz', 'POST')).status, 405);
    assert.equal((await get(port, '/')).status, 404);
  });

  test('a port in use is a ConfigError naming metrics.listen and the fix', async () => {
    const second = new MetricsServer(metrics, silentLogger());
    await assert.rejects(second.listen(`127.0.0.1:${port}`), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^metrics\.listen: cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\); another process .* or to null/);
      return true;
    });
    await second.close();
  });
});

test('parseListen', () => {
  assert.deepEqual(parseListen('127.0.0.1:9880'), { host: '127.0.0.1', port: 9880 });
  assert.deepEqual(parseListen(':9880'), { host: undefined, port: 9880 });
  assert.deepEqual(parseListen('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
  assert.throws(() => parseListen('localhost:99999'), ConfigError);
  assert.throws(() => parseListen('9880'), ConfigError);
});
