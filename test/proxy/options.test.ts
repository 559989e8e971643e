// The `proxy` config section and the `journal-fanout proxy` command's refusals: each bad input is named.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../src/config/load.ts';
import { ConfigError } from '../../src/model/errors.ts';
import { parseListenAddress } from '../../src/proxy/listen-address.ts';
import { ECS_LABELS } from '../../src/proxy/options.ts';
import { BIN } from '../helpers/daemon.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const parse = (yaml: string) => parseConfigText(yaml, 'proxy.yaml', {});

function problem(yaml: string): string {
  try {
    parse(yaml);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('listen addresses (Docker\'s syslog-address form)', () => {
  test('the five schemes, Docker\'s default port, IPv6 in brackets', () => {
    assert.deepEqual(parseListenAddress('unixgram:///run/journal-fanout/syslog.sock'), { scheme: 'unixgram', path: '/run/journal-fanout/syslog.sock', url: 'unixgram:///run/journal-fanout/syslog.sock' });
    assert.deepEqual(parseListenAddress('unix:///tmp/s'), { scheme: 'unix', path: '/tmp/s', url: 'unix:///tmp/s' });
    assert.deepEqual(parseListenAddress('udp://127.0.0.1:5514'), { scheme: 'udp', host: '127.0.0.1', port: 5514, url: 'udp://127.0.0.1:5514' });
    assert.deepEqual(parseListenAddress('tcp://0.0.0.0'), { scheme: 'tcp', host: '0.0.0.0', port: 514, url: 'tcp://0.0.0.0' });
    assert.deepEqual(parseListenAddress('tcp+tls://[::1]:6514'), { scheme: 'tcp+tls', host: '::1', port: 6514, url: 'tcp+tls://[::1]:6514' });
  });

  test('bad addresses say what is wrong and the expected form', () => {
    assert.throws(() => parseListenAddress('/run/x.sock'), /expected unixgram:\/\/\/PATH, unix:\/\/\/PATH, udp:\/\/HOST:PORT/);
    assert.throws(() => parseListenAddress('http://127.0.0.1:1'), /expected unixgram/);
    assert.throws(() => parseListenAddress('unixgram://run/x.sock'), /needs an absolute socket path/);
    assert.throws(() => parseListenAddress(`unix:///${'a'.repeat(120)}`), /longer than 107 bytes/);
    assert.throws(() => parseListenAddress('tcp://127.0.0.1:70000'), /port must be 0 to 65535/);
    assert.throws(() => parseListenAddress('tcp://::1:514'), /IPv6 host in brackets/);
  });
});

describe('the proxy section', () => {
  test('is optional; given, only `listen` is required and everything else has a default', () => {
    assert.equal(parse('journal: {}\n').proxy, undefined);
    const p = parse('proxy:\n  listen: ["unixgram:///run/journal-fanout/syslog.sock"]\n').proxy!;
    assert.deepEqual(p.listen, ['unixgram:///run/journal-fanout/syslog.sock']);
    assert.equal(p.journal_socket, '/run/systemd/journal/socket');
    assert.equal(p.docker_socket, '/var/run/docker.sock');
    assert.equal(p.docker_timeout, 2000);
    assert.deepEqual(p.labels, ECS_LABELS);
    assert.deepEqual(p.rate_limit, { interval: 60_000, burst: 200_000, overrides: [] });
    assert.equal(p.metrics_listen, '127.0.0.1:9881');
    assert.equal(p.socket_mode, '0660');
  });

  test('the issue\'s example parses, with the forwarder\'s rate-limit options', () => {
    const p = parse(`proxy:
  listen: ["unixgram:///run/journal-fanout/syslog.sock", "udp://127.0.0.1:5514", "tcp://127.0.0.1:5514"]
  journal_socket: /run/systemd/journal/socket
  docker_socket: /var/run/docker.sock
  rate_limit: { interval: 5s, burst: 500, overrides: [{ service: "audit", burst: 0 }] }
`).proxy!;
    assert.deepEqual(p.rate_limit, { interval: 5000, burst: 500, overrides: [{ service: 'audit', burst: 0 }] });
  });

  test('bad values are named with their key path', () => {
    assert.match(problem('proxy: {}\n'), /proxy\.listen: /);
    assert.match(problem('proxy:\n  listen: []\n'), /proxy\.listen: .*list at least one address/);
    assert.match(problem('proxy:\n  listen: ["tcp://127.0.0.1:99999"]\n'), /proxy\.listen\[0\]: port must be 0 to 65535/);
    assert.match(problem('proxy:\n  listen: ["tcp+tls://127.0.0.1:6514"]\n'), /proxy\.tls: required by the tcp\+tls:\/\/ listener/);
    assert.match(problem('proxy:\n  listen: ["udp://127.0.0.1:1", "udp://127.0.0.1:1"]\n'), /proxy\.listen\[1\]: udp:\/\/127\.0\.0\.1:1 is listed twice/);
    assert.match(problem('proxy:\n  listen: ["udp://127.0.0.1:1"]\n  socket_mode: "rw"\n'), /proxy\.socket_mode: expected an octal file mode/);
    assert.match(problem('proxy:\n  listen: ["udp://127.0.0.1:1"]\n  rate_limit: { burst: -1 }\n'), /proxy\.rate_limit\.burst/);
    assert.match(problem('proxy:\n  listen: ["udp://127.0.0.1:1"]\n  unknown_key: 1\n'), /proxy.*unknown_key/);
  });
});

describe('journal-fanout proxy and check on the command line', () => {
  const dir = tempDir('jf-proxy-cli-');
  const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 30_000 });

  test('--help lists the command; no --config is a usage error', () => {
    const help = cli(['--help']);
    assert.match(help.stdout, /journal-fanout proxy --config FILE/);
    const r = cli(['proxy']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /proxy needs --config FILE/);
  });

  test('a config without a proxy section, and an unreachable journal socket, exit 1 naming the key', () => {
    const none = path.join(dir, 'none.yaml');
    writeFileSync(none, 'journal: {}\n');
    const r1 = cli(['proxy', '--config', none]);
    assert.equal(r1.status, 1);
    assert.match(r1.stderr, /invalid configuration: .*none\.yaml: proxy: required by `journal-fanout proxy`/);
    const gone = path.join(dir, 'gone.yaml');
    writeFileSync(gone, `proxy:\n  listen: ["unixgram://${dir}/s.sock"]\n  journal_socket: ${dir}/no-journal.sock\n  metrics_listen: null\n`);
    const r2 = cli(['proxy', '--config', gone]);
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /proxy\.journal_socket: cannot connect to .*no-journal\.sock \(ENOENT\); is systemd-journald running/);
  });

  test('check prints the resolved proxy section', () => {
    const file = path.join(dir, 'check.yaml');
    writeFileSync(file, 'proxy:\n  listen: ["udp://127.0.0.1:5514"]\n');
    const r = cli(['check', '--config', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /proxy:\n {2}listen:\n {4}- udp:\/\/127\.0\.0\.1:5514\n {2}socket_mode: "0660"/);
    assert.match(r.stdout, /journal_socket: \/run\/systemd\/journal\/socket/);
  });
});
