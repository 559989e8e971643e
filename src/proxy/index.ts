// Public names of the proxy stage: Docker's syslog driver -> per-container limit -> journald (docs/proxy.md).
export { runProxy } from './run-proxy.ts';
export { ProxyService, DOCKER_PARTIAL_BYTES, type EntryWriter, type ProxyServiceOptions } from './proxy-service.ts';
export { ProxyMetrics, type ProxyStatus, type ProxyHealth } from './proxy-metrics.ts';
export { proxyOptionsSchema, ECS_LABELS, type ProxyOptions } from './options.ts';
export { JournaldWriter, MEMFD_THRESHOLD } from './journald-writer.ts';
export { DockerLookup, type LookupResult, type LookupFailure } from './docker-lookup.ts';
export { parseSyslog, type SyslogMessage } from './syslog-message.ts';
export { StreamFramer, FRAME_CONTINUED, FRAME_MORE } from './stream-framer.ts';
export { parseListenAddress, type ListenAddress } from './listen-address.ts';
export { UnixDatagramSocket, SocketError } from './unix-datagram.ts';
export { containerFieldList, encodeEntry, journalFieldName, type ContainerFacts } from './journal-fields.ts';
