// `node src/metrics/healthcheck.ts [HOST:PORT]`: the container HEALTHCHECK. Exits 0 when /healthz answers 200,
// else 1 with the daemon's reason on stderr. Plain fetch: the slim image has no curl.
import { parseListen } from './server.ts';

/** Time the whole check may take; Docker's and ECS's own timeouts are longer (5 s). */
const TIMEOUT_MS = 4000;

export async function healthcheck(listen: string): Promise<{ ok: boolean; text: string }> {
  const { host, port } = parseListen(listen);
  const target = host === undefined || host === '0.0.0.0' ? '127.0.0.1' : host;
  try {
    const res = await fetch(`http://${target}:${port}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.text();
    return { ok: res.status === 200, text: `${res.status} ${body.trim()}` };
  } catch (error) {
    return { ok: false, text: `cannot reach http://${target}:${port}/healthz: ${(error as Error).message}` };
  }
}

if (import.meta.main) {
  const { ok, text } = await healthcheck(process.argv[2] ?? '127.0.0.1:9880');
  (ok ? process.stdout : process.stderr).write(text + '\n');
  process.exitCode = ok ? 0 : 1;
}
