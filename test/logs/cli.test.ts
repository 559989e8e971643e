// The `journal-fanout logs` command as people run it: help, exit codes, the errors that name the fix, colour on a
// terminal, and a reader that goes away.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { UsageError } from '../../src/cli/command.ts';
import { logsCommand } from '../../src/cli/logs.ts';
import { BIN } from '../helpers/daemon.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { recordToJsonLine } from '../../src/normalize/encode.ts';
import { STANDIN_AWS_ENV } from '../standins/cloudwatch/credentials.ts';
import { startCloud, type Cloud } from './harness.ts';

const HOME = tempDir('jf-logs-cli-');
/** A clean environment: no profile, no instance metadata, so only what a test gives counts. */
const BARE_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME,
  AWS_CONFIG_FILE: path.join(HOME, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(HOME, 'no-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  JOURNAL_FANOUT_NODE_FLAGS: '',
};
const ENV: NodeJS.ProcessEnv = { ...BARE_ENV, ...STANDIN_AWS_ENV };

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = ENV, timeoutMs = 30_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`journal-fanout ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: stderr.replace(/^journal-fanout: src\/ is newer than dist\/.*\n/m, '') });
    });
  });
}

describe('journal-fanout logs (the command)', { timeout: 120_000 }, () => {
  let cloud: Cloud;
  let logs: (...args: string[]) => string[];
  const now = Date.now();

  before(async () => {
    cloud = await startCloud();
    logs = (...args) => ['logs', '--group-prefix', '/ecs/', '--endpoint', cloud.standin.endpoint, ...args];
    const record = (i: number, level: 'info' | 'error' | 'warning') =>
      recordToJsonLine({ time: now - 60_000 + i, level, message: `line ${i}`, fields: { i }, source: { host: 'h', service: 'api', stream: 'c0ffee000001' }, cursor: '', seq: i });
    await cloud.put('/ecs/api', 'c0ffee000001', Array.from({ length: 3000 }, (_, i) => [now - 60_000 + i, record(i, i % 3 === 0 ? 'error' : i % 3 === 1 ? 'warning' : 'info')] as [number, string]));
    await cloud.put('/ecs/billing', 'b0b000000001', [[now - 1000, recordToJsonLine({ time: now - 1000, level: 'info', message: 'paid', fields: {}, source: { host: 'h', service: 'billing', stream: 'b0b000000001' }, cursor: '', seq: 1 })]]);
  });
  after(async () => cloud.close());

  test('--help of every form lists every form and every option', async () => {
    const options = ['--config', '--destination', '--group-prefix', '--region', '--endpoint', '--since', '--until', '--filter', '--follow', '--interval', '--overlap', '--limit', '--format', '--json'];
    for (const args of [['logs', '--help'], ['logs', 'services', '--help'], ['logs', 'streams', '-h'], ['logs', 'api', '--help']]) {
      const r = await run(args);
      assert.equal(r.code, 0, args.join(' '));
      for (const form of ['journal-fanout logs services', 'journal-fanout logs streams SERVICE', 'journal-fanout logs SERVICE [STREAM...]']) assert.ok(r.stdout.includes(form), `${args.join(' ')}: ${form}`);
      for (const option of options) assert.ok(r.stdout.includes(option), `${args.join(' ')}: ${option}`);
      for (const name of ['{time}', 'container.id', 'fields.X', 'NO_COLOR']) assert.ok(r.stdout.includes(name), `${args.join(' ')}: ${name}`);
    }
  });

  test('services, streams and events print and exit 0', async () => {
    const services = await run(logs('services'));
    assert.equal(services.code, 0, services.stderr);
    assert.match(services.stdout, /^SERVICE +LAST EVENT +LOG GROUP\napi +\S+ \(\d+s ago\) +\/ecs\/api\nbilling +\S+ \(\d+s ago\) +\/ecs\/billing\n$/);
    const streams = await run(logs('streams', 'api'));
    assert.equal(streams.code, 0, streams.stderr);
    assert.match(streams.stdout, /^STREAM +FIRST EVENT +LAST EVENT\nc0ffee000001 /);
    const events = await run(logs('api', '--limit', '2', '--format', '{level} {fields.i} {message}'));
    assert.equal(events.code, 0, events.stderr);
    assert.equal(events.stdout, 'warning 2998 line 2998\ninfo 2999 line 2999\n');
    const filtered = await run(logs('billing', '--filter', 'paid', '--json'));
    assert.equal(JSON.parse(filtered.stdout).message, 'paid');
  });

  test('a reader that goes away (| head -1) ends the command quietly with 0', async () => {
    const child = spawn(process.execPath, [BIN, ...logs('api', '--since', '1h')], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.doesNotMatch(stderr, /EPIPE|Error|at /);
  });

  test('colour by level on a terminal, none with NO_COLOR or into a pipe', async () => {
    // A pseudo-terminal from python3's pty module (the tests already need python3 for journald).
    const script = 'import os,pty,sys\npid,fd=pty.fork()\nif pid==0:\n  os.execv(sys.argv[1],sys.argv[1:])\nout=b""\nwhile True:\n  try:\n    d=os.read(fd,65536)\n  except OSError:\n    break\n  if not d: break\n  out+=d\nos.waitpid(pid,0)\nsys.stdout.buffer.write(out)\n';
    const args = ['-c', script, process.execPath, BIN, ...logs('api', '--limit', '3')];
    const tty = await new Promise<string>((resolve) => {
      const child = spawn('python3', args, { env: ENV, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out));
    });
    assert.match(tty, /\x1b\[31m\S+ error /, 'errors in red');
    assert.match(tty, /\x1b\[33m\S+ warning /, 'warnings in yellow');
    const noColour = await new Promise<string>((resolve) => {
      const child = spawn('python3', args, { env: { ...ENV, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out));
    });
    assert.doesNotMatch(noColour, /\x1b\[/);
    assert.match(noColour, / error c0ffee000001 line 2997\r?\n/);
    const piped = await run(logs('api', '--limit', '3'));
    assert.doesNotMatch(piped.stdout, /\x1b\[/);
  });

  test('an unknown service or stream lists the closest names and exits 1', async () => {
    const service = await run(logs('billng'));
    assert.equal(service.code, 1);
    assert.match(service.stderr, /unknown service "billng" \(no log group "\/ecs\/billng", the name --group-prefix "\/ecs\/" gives it\); did you mean:\n {2}billing\n/);
    const streams = await run(logs('streams', 'API'));
    assert.equal(streams.code, 1);
    assert.match(streams.stderr, /did you mean:\n {2}api\n/);
    const stream = await run(logs('api', 'c0ffee'));
    assert.equal(stream.code, 1);
    assert.match(stream.stderr, /unknown stream "c0ffee" \(service api, log group "\/ecs\/api"\); did you mean:\n {2}c0ffee000001\n\(`journal-fanout logs streams api` lists them all\)/);
    assert.equal(stream.stdout, '');
  });

  test('no credentials, refused credentials, no region, access denied, an unreachable endpoint: exit 1 with the fix', async () => {
    const noCredentials = await run(logs('services'), { ...BARE_ENV, AWS_REGION: 'us-east-1' });
    assert.equal(noCredentials.code, 1);
    assert.match(noCredentials.stderr, /^journal-fanout logs: no AWS credentials: the SDK default chain found none .*export AWS_PROFILE=NAME\n$/);

    const refused = await run(logs('services'), { ...ENV, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /CloudWatch Logs at http:\/\/127\.0\.0\.1:\d+ refused the credentials \(InvalidSignatureException: .*\); check AWS_ACCESS_KEY_ID/);

    const { AWS_REGION: _region, ...withoutRegion } = ENV;
    const noRegion = await run(logs('services'), withoutRegion);
    assert.equal(noRegion.code, 1);
    assert.match(noRegion.stderr, /no AWS region: pass --region REGION, set AWS_REGION/);

    cloud.standin.deny.add('FilterLogEvents');
    try {
      const denied = await run(logs('api'));
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /access denied for FilterLogEvents on log group "\/ecs\/api" \(User: .* is not authorized to perform: logs:FilterLogEvents.*\); allow logs:DescribeLogGroups, logs:DescribeLogStreams, logs:FilterLogEvents/);
    } finally {
      cloud.standin.deny.delete('FilterLogEvents');
    }

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await run(['logs', '--group-prefix', '/ecs/', '--endpoint', `http://127.0.0.1:${port}`, 'services']);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, new RegExp(`cannot reach CloudWatch Logs at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED: .*\\); check --endpoint`));
    for (const r of [noCredentials, refused, noRegion, unreachable]) assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
  });

  test('throttling is retried with backoff', async () => {
    cloud.standin.failNext('ThrottlingException', 3, 'FilterLogEvents');
    const r = await run(logs('billing', '--format', '{message}'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'paid\n');
    assert.ok((cloud.standin.counters.errors.ThrottlingException ?? 0) >= 3);
  });

  test('usage mistakes exit 2 and say what is wrong', async () => {
    const cases: Array<[string[], RegExp]> = [
      [logs('api', '--since', 'yesterday'), /--since: cannot read "yesterday" as a time; expected a time such as 1h/],
      [logs('api', '--follow', '--until', 'now'), /--until and --follow exclude each other/],
      [logs('api', '--json', '--format', '{message}'), /--json and --format exclude each other/],
      [logs('api', '--format', '{mesage}'), /--format: unknown name "mesage"/],
      [logs('api', '--limit', '0'), /--limit expects a whole number of at least 1/],
      [logs('api', '--since', '1h', '--until', '2h'), /--until .* is before --since/],
      [logs('streams'), /logs streams takes one SERVICE/],
      [logs('services', 'api'), /logs services takes no other argument/],
      [logs('api', '--interval', 'soon'), /--interval expects a duration/],
      [logs('api', '--region', 'Virginia'), /--region: expected an AWS region/],
      [['logs'], /logs needs a service, or "services", or "streams SERVICE"/],
      [logs('api', '--bogus'), /Unknown option '--bogus'/],
    ];
    // Parsed in this process (no request is made before these are caught); one run shows the exit code.
    for (const [args, message] of cases) {
      await assert.rejects(logsCommand.main(args.slice(1)), (e: unknown) => (e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') && message.test((e as Error).message), args.join(' '));
    }
    const r = await run(logs('api', '--since', 'yesterday'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^journal-fanout logs: --since: cannot read "yesterday" as a time/);
    assert.match(r.stderr, /\nusage:\n/);
  });

  test('--config: the destination\'s group template, region and endpoint, whatever the other destinations need', async () => {
    const file = path.join(HOME, 'config.yaml');
    await writeFile(
      file,
      stringify({
        destinations: [
          { type: 'loggly', token: '${LOGGLY_TOKEN}' },
          { type: 'cloudwatch', region: 'us-east-1', endpoint: cloud.standin.endpoint, group: '/ecs/{service}' },
        ],
      }),
    );
    const { AWS_REGION: _region, ...withoutRegion } = ENV;
    const r = await run(['logs', '--config', file, 'billing', '--format', '{service} {message}'], withoutRegion);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'billing paid\n');
  });
});
