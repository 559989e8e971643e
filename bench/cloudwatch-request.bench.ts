// Micro-bench of one PutLogEvents: CPU per request through CloudWatchLogsService.put (the request the SDK
// client would send: its endpoint and headers, SigV4 by its signer, over a keep-alive agent) against bare
// node:http with the same body, unsigned, both to a sink server in a child process that answers `{}` at once
// (its CPU is not counted). Rounds alternate the two (the machine is shared: a load that comes and goes then
// weighs on both), and the medians are reported. Usage:
// node bench/cloudwatch-request.bench.ts [requests per round=1000] [events=50] [rounds=5]
import { fork } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { putLogEventsBody } from '../adapters/cloudwatch/request-builder.ts';
import { CloudWatchLogsService } from '../adapters/cloudwatch/service.ts';
import { silentLogger } from '../src/selflog/logger.ts';
import { STANDIN_ACCESS_KEY_ID, STANDIN_SECRET_ACCESS_KEY } from '../test/standins/cloudwatch/credentials.ts';

if (process.argv[2] === 'sink') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'bench' });
      res.end('{}');
    });
  });
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
} else {
  const requests = Number(process.argv[2] ?? 1000);
  const eventCount = Number(process.argv[3] ?? 50);
  const rounds = Number(process.argv[4] ?? 5);
  const CONCURRENCY = 8;
  const sink = fork(new URL(import.meta.url).pathname, ['sink'], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => sink.once('message', (p) => resolve(p as number)));
  process.env.AWS_ACCESS_KEY_ID = STANDIN_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = STANDIN_SECRET_ACCESS_KEY;
  // ecs-logs lines of about 900 bytes, as the daemon sends them.
  const events = Array.from({ length: eventCount }, (_, i) => ({
    timestamp: Date.now() + i,
    message: `{"level":"INFO","time":"2026-12-02T04:45:23.123Z","message":"${'request handled '.repeat(50)}","info":{"host":"h","id":"0123456789ab"}}`,
  }));

  /** CPU microseconds per request of `send`, `requests` times, CONCURRENCY at a time. */
  const measure = async (send: () => Promise<unknown>): Promise<number> => {
    const cpu = process.cpuUsage();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < requests) await send();
    }));
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / requests;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  const service = new CloudWatchLogsService({
    id: 'bench', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, requestTimeoutMs: 30_000, concurrency: CONCURRENCY,
    create: false, retentionDays: undefined, tags: undefined, logger: silentLogger(),
  });
  const signal = new AbortController().signal;
  console.log(`${rounds} rounds of ${requests} requests of ${eventCount} events (${(Buffer.byteLength(putLogEventsBody('g', 's', events)) / 1024).toFixed(0)} KiB), ${CONCURRENCY} at a time`);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const variants: Array<[string, () => Promise<unknown>]> = [
    ['CloudWatchLogsService.put (signed, SDK headers)', () => service.put('g', 's', events, signal)],
    ['putLogEventsBody alone', async () => Buffer.from(putLogEventsBody('g', 's', events))],
    ['node:http POST of the same body, unsigned', () => new Promise<void>((resolve, reject) => {
      const body = Buffer.from(putLogEventsBody('g', 's', events));
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.PutLogEvents', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    })],
  ];
  // Warm-up: connections, JIT, the SDK's request template.
  for (const [, send] of variants) for (let i = 0; i < 200; i++) await send();
  const results: number[][] = variants.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, [, send]] of variants.entries()) results[i]!.push(await measure(send));
  }
  for (const [i, [name]] of variants.entries()) {
    console.log(`${name.padEnd(48)} ${median(results[i]!).toFixed(0).padStart(5)} us CPU per request (rounds: ${results[i]!.map((x) => x.toFixed(0)).join(', ')})`);
  }
  const ratios = results[0]!.map((put, r) => put / results[2]![r]!);
  console.log(`put / bare POST: ${median(ratios).toFixed(2)}x (median of the rounds' ratios)`);
  service.close();
  agent.destroy();
  sink.kill();
}
