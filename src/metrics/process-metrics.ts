// The Node.js process metrics (process_*, nodejs_*: CPU, memory, event-loop lag, GC) of the daemon and the proxy.
import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * How often the event-loop lag is sampled (prom-client's eventLoopMonitoringPrecision, perf_hooks'
 * monitorEventLoopDelay resolution). prom-client's default of 10 ms wakes the event loop 100 times a second for
 * as long as the process runs: measured (bench/rest-memory.ts, docs/performance.md), most of the daemon's CPU
 * at rest. At 100 ms the lag metrics keep their meaning (a stall delays the next sample by what is left of it,
 * so the maximum and upper percentiles still show it) from a tenth of the samples.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

export function collectProcessMetrics(register: Registry): void {
  collectDefaultMetrics({ register, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
}
