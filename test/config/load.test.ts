// Config loading: defaults, interpolation, and a specific message for each kind of malformed config.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfigFile, maskSecrets, parseConfigText } from '../../src/config/load.ts';
import { ConfigError } from '../../src/model/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';

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

  // Each malformed config and the message it must produce: the key path, what was wrong, what is expected.
  const malformed: Array<[string, string, RegExp, NodeJS.ProcessEnv?]> = [
    ['YAML syntax error', 'destinations:\n  - type: stdout\n   bad: [\n', /line \d+, column \d+: YAML syntax error/],
    ['unknown top-level key', 'destinatons:\n  - type: stdout\n', /destinatons: unknown key/],
    ['unknown key in a section', 'journal:\n  strat: head\ndestinations:\n  - type: stdout\n', /journal\.strat: unknown key/],
    ['unknown destination type', 'destinations:\n  - type: elasticsearch\n', /destinations\[0\]\.type: unknown destination type "elasticsearch"; expected one of .*stdout/],
    ['destination without type', 'destinations:\n  - format: json\n', /destinations\[0\]\.type: required; one of/],
    ['no destinations', 'journal:\n  start: head\n', /destinations: required \(expected array\)/],
    ['empty destination list', 'destinations: []\n', /destinations: at least one destination is required/],
    ['bad enum value', 'journal:\n  start: middle\ndestinations:\n  - type: stdout\n', /journal\.start: expected one of "tail", "head", got string "middle"/],
    ['bad duration', 'rate_limit:\n  interval: soon\ndestinations:\n  - type: stdout\n', /rate_limit\.interval: expected a duration such as "500ms"/],
    ['negative burst', 'rate_limit:\n  burst: -5\ndestinations:\n  - type: stdout\n', /rate_limit\.burst: expected number to be >=0, got number -5/],
    ['wrong type', 'state:\n  directory: 42\ndestinations:\n  - type: stdout\n', /state\.directory: expected string, got number 42/],
    ['unset environment variable', 'state:\n  directory: ${NOPE_NOT_SET}\ndestinations:\n  - type: stdout\n', /state\.directory: environment variable NOPE_NOT_SET is not set; export it/],
    ['malformed variable reference', 'state:\n  directory: ${bad-name}\ndestinations:\n  - type: stdout\n', /state\.directory: malformed variable reference "\$\{bad-name\}"/],
    ['namespace and directory both set', 'journal:\n  namespace: a\n  directory: /x\ndestinations:\n  - type: stdout\n', /journal\.directory: set either namespace or directory, not both/],
    ['bad journalctl match', 'journal:\n  matches: ["docker"]\ndestinations:\n  - type: stdout\n', /journal\.matches\[0\]: expected a journalctl match FIELD=value/],
    ['unknown key in a destination', 'destinations:\n  - type: stdout\n    fromat: text\n', /destinations\[0\]\.fromat: unknown key/],
    ['bad metrics address', 'metrics:\n  listen: "9880"\ndestinations:\n  - type: stdout\n', /metrics\.listen: expected HOST:PORT/],
    ['top level is a list', '- type: stdout\n', /\(top level\): expected a mapping/],
  ];
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
