// Process metrics: prom-client's defaults, with the event loop sampled every EVENT_LOOP_SAMPLE_MS rather than 10 ms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import perfHooks from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { collectProcessMetrics, EVENT_LOOP_SAMPLE_MS } from '../../src/metrics/process-metrics.ts';

test('process metrics sample the event loop every 100 ms, not 10, and are served', async () => {
  const resolutions: number[] = [];
  const original = perfHooks.monitorEventLoopDelay;
  perfHooks.monitorEventLoopDelay = (options) => {
    resolutions.push(options?.resolution ?? NaN);
    return original(options);
  };
  const registry = new Registry();
  try {
    collectProcessMetrics(registry);
  } finally {
    perfHooks.monitorEventLoopDelay = original;
  }
  assert.equal(EVENT_LOOP_SAMPLE_MS, 100);
  assert.deepEqual(resolutions, [EVENT_LOOP_SAMPLE_MS]);
  const text = await registry.metrics();
  assert.match(text, /^nodejs_eventloop_lag_p99_seconds \d/m);
  assert.match(text, /^process_cpu_user_seconds_total \d/m);
  assert.match(text, /^process_resident_memory_bytes \d/m);
  registry.clear();
});
