// The HTTP endpoint on metrics.listen: GET /metrics (Prometheus text) and GET /healthz (200 or 503, JSON).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../model/errors.ts';
import type { Logger } from '../selflog/logger.ts';

/** What the endpoint serves: the forwarder's DaemonMetrics, or the proxy's ProxyMetrics. */
export interface MetricsSource {
  scrape(): Promise<string>;
  readonly contentType: string;
  health(): { healthy: boolean };
}

/** "HOST:PORT" (the config's form) -> host and port; an empty host listens on every interface. */
export function parseListen(listen: string): { host: string | undefined; port: number } {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon);
  const port = Number(listen.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError([`metrics.listen: expected HOST:PORT such as "127.0.0.1:9880", got ${JSON.stringify(listen)}`]);
  }
  return { host: host === '' || host === '*' ? undefined : host, port };
}

export class MetricsServer {
  readonly #metrics: MetricsSource;
  readonly #log: Logger;
  readonly #server: http.Server;

  constructor(metrics: MetricsSource, logger: Logger) {
    this.#metrics = metrics;
    this.#log = logger;
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    // A scraper that keeps its connection open must not hold the daemon's exit.
    this.#server.keepAliveTimeout = 5000;
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port, for tests). */
  listen(listen: string, option = 'metrics.listen'): Promise<AddressInfo> {
    const { host, port } = parseListen(listen);
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          new ConfigError([
            `${option}: cannot listen on ${listen} (${error.code ?? error.message}); ${error.code === 'EADDRINUSE' ? 'another process (another journal-fanout?) uses the port: stop it, or ' : ''}set ${option} to a free HOST:PORT, or to null to turn the endpoint off`,
          ]),
        );
      };
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        this.#server.unref();
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    try {
      if (path === '/metrics') {
        const body = await this.#metrics.scrape();
        res.writeHead(200, { 'content-type': this.#metrics.contentType }).end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      if (path === '/healthz') {
        const report = this.#metrics.health();
        res.writeHead(report.healthy ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify(report) + '\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    } catch (error) {
      this.#log.error({ path, reason: (error as Error).message }, 'metrics endpoint failed to answer');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    }
  }
}
