// `journal-fanout proxy` as a process: opens journald's socket and the listeners, serves /metrics and /healthz,
// and on SIGTERM/SIGINT stops listening, writes what it holds (within proxy.shutdown_timeout) and exits 0.
import { existsSync } from 'node:fs';
import { loadConfigFile } from '../config/load.ts';
import { MetricsServer } from '../metrics/server.ts';
import { ConfigError } from '../model/errors.ts';
import { createLogger } from '../selflog/logger.ts';
import { DockerLookup } from './docker-lookup.ts';
import { JournaldWriter } from './journald-writer.ts';
import { ProxyMetrics } from './proxy-metrics.ts';
import { ProxyService } from './proxy-service.ts';
import { SocketError } from './unix-datagram.ts';

export async function runProxy(configFile: string): Promise<number> {
  let signals = 0;
  let stop: (() => void) | undefined;
  let onSecond: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      stop?.();
      return;
    }
    onSecond?.(signal);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const config = await loadConfigFile(configFile);
    const p = config.proxy;
    if (p === undefined) {
      throw new ConfigError(['proxy: required by `journal-fanout proxy`; add a proxy section with at least `listen`, e.g. listen: ["unixgram:///run/journal-fanout/syslog.sock"] (see docs/proxy.md)'], configFile);
    }
    const logger = createLogger(config.log.level);
    // Process metrics only where /metrics is served: their event-loop sampling costs CPU (process-metrics.ts).
    const metrics = new ProxyMetrics({ processMetrics: p.metrics_listen !== null });
    let writer: JournaldWriter;
    try {
      writer = JournaldWriter.open(p.journal_socket, {
        bufferBytes: p.buffer_bytes,
        counters: {
          memfd: () => metrics.memfd(),
          failure: (reason, lost) => {
            metrics.journalFailure(reason, lost);
            logger.error({ reason, lost }, 'journald refused entries; they are lost');
          },
          connection: (state, reason) => {
            if (state === 'lost') logger.error({ socket: p.journal_socket, reason }, 'lost journald\'s socket: holding entries and reconnecting');
            else {
              metrics.reconnected();
              logger.warn({ socket: p.journal_socket }, 'journald\'s socket is back');
            }
          },
        },
      });
    } catch (error) {
      const code = error instanceof SocketError ? error.code : (error as Error).message;
      throw new ConfigError([`proxy.journal_socket: cannot connect to ${p.journal_socket} (${code}); is systemd-journald running, and is this its native socket (/run/systemd/journal/socket, or /run/systemd/journal.NAMESPACE/socket)?`], configFile);
    }
    let lookup: DockerLookup | undefined;
    if (p.docker_socket !== null) {
      if (!existsSync(p.docker_socket)) logger.warn({ docker_socket: p.docker_socket }, 'the Docker API socket does not exist (yet): lines are written with what their syslog tag says until it does; set proxy.docker_socket to null to not look containers up');
      lookup = new DockerLookup({ socketPath: p.docker_socket, timeoutMs: p.docker_timeout, onRequest: (outcome) => metrics.lookup(outcome) });
    }
    const service = new ProxyService({ options: p, writer, lookup, metrics, logger });
    const server = p.metrics_listen === null ? undefined : new MetricsServer(metrics, logger);
    try {
      if (server && p.metrics_listen) {
        const address = await server.listen(p.metrics_listen, 'proxy.metrics_listen');
        logger.info({ listen: `${address.address}:${address.port}` }, 'serving /metrics and /healthz');
      }
      try {
        await service.listen();
      } catch (error) {
        throw new ConfigError([(error as Error).message], configFile);
      }
      logger.info({ listen: service.listeners.map((l) => (l.port === undefined ? l.url : `${l.url} (port ${l.port})`)), journal_socket: p.journal_socket, docker_socket: p.docker_socket }, 'proxy listening');
      if (signals === 0) await new Promise<void>((resolve) => (stop = resolve));
      logger.info({ deadlineMs: p.shutdown_timeout }, 'stopping: no longer listening; writing what is held; send the signal again to exit at once');
      onSecond = (signal) => {
        logger.warn({ signal, queued: writer.queuedEntries }, 'second signal: exiting at once');
        logger.flush();
      };
      const deadline = Date.now() + p.shutdown_timeout;
      await service.closeListeners();
      const drained = await service.drain(deadline);
      const totals = metrics.totals();
      if (drained) logger.info(totals, 'stopped: everything received was written or counted as dropped');
      else logger.error({ ...totals, lost: writer.queuedEntries }, 'stopped before journald took everything (proxy.shutdown_timeout): these entries are lost');
      return 0;
    } finally {
      writer.close();
      lookup?.close();
      await server?.close();
      logger.flush();
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
