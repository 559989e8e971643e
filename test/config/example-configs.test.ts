// Every example config under config/ passes the real `journal-fanout check`, with its ${...} secrets given.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(REPO, 'bin/journal-fanout.js');

/** config/*.yaml and config/**\/*.yaml as they are now (other engineers add examples). */
function exampleConfigs(dir = path.join(REPO, 'config')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return exampleConfigs(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

describe('example configs', () => {
  const files = exampleConfigs();

  test('there are examples, config/example.yaml among them, with all four destination types', () => {
    const rel = files.map((f) => path.relative(REPO, f));
    assert.ok(rel.includes('config/example.yaml'), rel.join(', '));
    const text = readFileSync(path.join(REPO, 'config/example.yaml'), 'utf8');
    for (const type of ['cloudwatch', 'loggly', 'logdna', 'stdout']) assert.match(text, new RegExp(`^  - type: ${type}$`, 'm'));
  });

  for (const file of files) {
    const rel = path.relative(REPO, file);
    test(`${rel} passes journal-fanout check, secrets masked`, async () => {
      const text = readFileSync(file, 'utf8');
      const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
      const secrets = new Set<string>();
      for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
        env[m[1]!] = `test-secret-${m[1]!.toLowerCase()}`;
        secrets.add(env[m[1]!]!);
      }
      let result: { stdout: string; stderr: string };
      try {
        result = await run(process.execPath, [BIN, 'check', '--config', file], { env, cwd: REPO, timeout: 30_000 });
      } catch (error) {
        const e = error as { code?: number; stderr?: string };
        assert.fail(`${rel}: journal-fanout check exited ${e.code}: ${e.stderr}`);
      }
      assert.ok(result.stdout.startsWith(`# ${file}: valid\n`), result.stdout.slice(0, 200));
      for (const secret of secrets) {
        // A secret that is a destination's credential is masked; one used elsewhere (e.g. a tag) may show.
        if (/token|key/i.test(secret)) assert.ok(!result.stdout.includes(secret), `${rel}: ${secret} printed unmasked`);
      }
    });
  }
});
