// The CLI on bad input: every malformed config makes `journal-fanout check` and `run` exit 1 with the
// specific message on stderr; usage errors exit 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { BIN } from '../helpers/daemon.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { MALFORMED_CONFIGS } from '../config/malformed-configs.ts';

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('journal-fanout check / run on malformed configs', { concurrency: 4 }, () => {
  const dir = tempDir('jf-cli-');
  MALFORMED_CONFIGS.forEach(([name, yaml, expected, env], i) => {
    test(`exit 1 and a specific message: ${name}`, () => {
      const file = path.join(dir, `bad-${i}.yaml`);
      writeFileSync(file, yaml);
      const r = cli(['check', '--config', file], env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^journal-fanout: invalid configuration: /);
      assert.ok(r.stderr.includes(file), 'the message names the file');
      assert.match(r.stderr, expected);
      assert.equal(r.stdout, '');
    });
  });

  test('run refuses a malformed config the same way, before reading anything', () => {
    const file = path.join(dir, 'bad-run.yaml');
    writeFileSync(file, 'destinations:\n  - type: cloudwatch\n    region: 12\n');
    const r = cli(['run', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /destinations\[0\]\.region: expected string, got number 12/);
  });

  test('a required key of a destination type is named with the type', () => {
    const file = path.join(dir, 'loggly-no-token.yaml');
    writeFileSync(file, 'destinations:\n  - type: stdout\n  - type: loggly\n');
    const r = cli(['check', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /destinations\[1\]\.token: required for type loggly/);
  });

  test('a config without destinations: check accepts it, run refuses it by name, a dry run uses its journal section', () => {
    const file = path.join(dir, 'journal-only.yaml');
    const journalDir = tempDir('jf-empty-journal-');
    writeFileSync(file, `journal:\n  directory: ${journalDir}\n`);
    const checked = cli(['check', '--config', file]);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /destinations: \[\]/);
    const refused = cli(['run', '--config', file, '--no-follow']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /destinations: required to run the forwarder; list at least one destination .* or use run --dry-run/);
    const dry = cli(['run', '--dry-run', '--config', file, '--no-follow', '--format', 'text']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, new RegExp(`"destinations":\\["stdout"\\]`));
  });

  test('each command answers --help on stdout with its own usage', () => {
    for (const command of ['run', 'check']) {
      const r = cli([command, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`journal-fanout ${command} --`));
    }
  });

  test('usage errors exit 2 with the usage text', () => {
    for (const args of [[], ['run'], ['check'], ['frobnicate'], ['run', '--format', 'xml', '--dry-run'], ['run', '--bogus']]) {
      const r = cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /journal-fanout|usage:/);
    }
  });

  test('a valid config prints the resolved config and exits 0', () => {
    const file = path.join(dir, 'good.yaml');
    writeFileSync(file, 'destinations:\n  - type: loggly\n    token: ${TOKEN}\n');
    const r = cli(['check', '--config', file], { TOKEN: 'sekrit-token-123' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /valid/);
    assert.ok(!r.stdout.includes('sekrit-token-123'), 'the secret is masked');
    assert.match(r.stdout, /token: "?\*\*\*"?/);
  });
});
