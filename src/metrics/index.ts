// Public names of the metrics stage: Prometheus metrics, the health verdict and their HTTP endpoint.
export { DaemonMetrics, type DaemonMetricsOptions } from './daemon-metrics.ts';
export { assessHealth, DEFAULT_HEALTH_WINDOW_MS, type HealthReport } from './health.ts';
export { MetricsServer, parseListen, type MetricsSource } from './server.ts';
export { buildInfo, type BuildInfo } from './build-info.ts';
