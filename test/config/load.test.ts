// Config loading: defaults, interpolation, and a specific message for each kind of malformed config.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfigFile, maskSecrets, parseConfigText } from '../../src/config/load.ts';
import { ConfigError } from '../../src/model/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { MALFORMED_CONFIGS as malformed } from './malformed-configs.ts';

function problemsOf(yaml: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfigText(yaml, 'test.yaml', env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.file, 'test.yaml');
    return error.message;
  }
  assert.fail('expected the config to be rejected');
}

describe('config loading', () => {
  test('a minimal config gets every default', () => {
    const config = parseConfigText('destinations:\n  - type: stdout\n', 'min.yaml', {});
    assert.equal(config.journal.start, 'tail');
    assert.equal(config.journal.namespace, null);
    assert.deepEqual(config.journal.matches, []);
    assert.equal(config.state.directory, '/var/lib/journal-fanout');
    assert.equal(config.rate_limit.interval, 60_000);
    assert.equal(config.rate_limit.burst, 200_000);
    assert.equal(config.pipeline.shutdown_timeout, 10_000);
    assert.equal(config.metrics.listen, '127.0.0.1:9880');
    assert.equal((config.destinations[0] as { name: string }).name, 'stdout');
    assert.equal((config.destinations[0] as { format: string }).format, 'json');
  });

  test('${ENV} and ${ENV:-default} are replaced after YAML parsing; $$ is a literal $', () => {
    const config = parseConfigText(
      'state:\n  directory: "${STATE_DIR}/x$$y"\njournal:\n  namespace: ${NS:-fallback}\ndestinations:\n  - type: stdout\n',
      'env.yaml',
      { STATE_DIR: '/tmp/s' },
    );
    assert.equal(config.state.directory, '/tmp/s/x$y');
    assert.equal(config.journal.namespace, 'fallback');
  });

  test('destinations without names get type, type-2...; explicit names must be unique', () => {
    const config = parseConfigText('destinations:\n  - type: stdout\n  - type: stdout\n  - {type: stdout, name: mine}\n', 'ids.yaml', {});
    assert.deepEqual(config.destinations.map((d) => (d as { name: string }).name), ['stdout', 'stdout-2', 'mine']);
    assert.match(problemsOf('destinations:\n  - {type: stdout, name: a}\n  - {type: stdout, name: a}\n'), /destinations\[1\]\.name: "a" is used twice/);
  });

  for (const [name, yaml, expected, env] of malformed) {
    test(`rejects: ${name}`, () => {
      assert.match(problemsOf(yaml, env), expected);
    });
  }

  test('a missing file is named with the fix', async () => {
    await assert.rejects(loadConfigFile('/nonexistent/jf.yaml'), (e: unknown) => e instanceof ConfigError && /\/nonexistent\/jf\.yaml: cannot read the config file \(ENOENT\); check the path given to --config/.test(e.message));
  });

  test('every problem of a file is reported at once', () => {
    const message = problemsOf('journal:\n  start: x\nstate:\n  directory: 1\ndestinations:\n  - type: stdout\n');
    assert.match(message, /2 problems/);
    assert.match(message, /journal\.start/);
    assert.match(message, /state\.directory/);
  });

  test('a file on disk loads', async () => {
    const dir = tempDir('jf-config-');
    const file = path.join(dir, 'c.yaml');
    await writeFile(file, 'destinations:\n  - type: stdout\n    format: text\n');
    const config = await loadConfigFile(file, {});
    assert.equal((config.destinations[0] as { format: string }).format, 'text');
    assert.deepEqual(maskSecrets(config), config);
  });
});
