// Drives a destination through the real DestinationRunner with short backoffs, collecting acks, fatal
// failures and the runner's log lines: the shared harness of the adapters' bulk and fault tests.
import type { LogRecord } from '../../src/model/log-record.ts';
import type { Destination } from '../../src/pipeline/destination.ts';
import { DestinationRunner } from '../../src/pipeline/destination-runner.ts';
import { capturedLogger } from '../standins/sample-records.ts';

export function runDestination<E>(destination: Destination<E>, records: LogRecord[]) {
  const done: number[] = [];
  let fatal: string | undefined;
  const captured = capturedLogger();
  const runner = new DestinationRunner(destination, {
    logger: captured.logger,
    onDone: (seq) => done.push(seq),
    onFatal: (reason) => (fatal = reason),
    backoff: { initialMs: 20, maxMs: 200 },
    requestTimeoutMs: 10_000,
  });
  for (const r of records) runner.push(r);
  return { runner, done, runnerLogs: captured.lines, fatal: () => fatal };
}
