// The Docker image's runtime layout, rebuilt without a Docker engine by scripts/docker-layout-test.sh, runs the daemon.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/docker-layout-test.sh', import.meta.url));
const DOCKERFILE = fileURLToPath(new URL('../../Dockerfile', import.meta.url));

test('the Dockerfile: Node 24 slim base, libsystemd and journalctl, non-root user, healthcheck, the documented command', async () => {
  const text = await readFile(DOCKERFILE, 'utf8');
  assert.match(text, /^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
  assert.equal(text.match(/^FROM /gm)?.length, 3, 'multi-stage: deps, build and runtime');
  assert.match(text, /apt-get install -y --no-install-recommends libsystemd0 systemd/, 'libsystemd0 for the native reader, systemd for journalctl');
  assert.doesNotMatch(text, /--omit=optional/, 'koffi\'s prebuilt binary is an optional dependency');
  assert.match(text, /^USER journal-fanout$/m);
  assert.match(text, /--gid systemd-journal --groups adm/);
  assert.match(text, /^HEALTHCHECK .* CMD \["node", "\/app\/dist\/src\/metrics\/healthcheck\.js", "127\.0\.0\.1:9880"\]$/m);
  assert.match(text, /^COPY --from=build \/app\/dist \.\/dist$/m, 'the image runs the compiled copy');
  assert.match(text, /^ENTRYPOINT \["node", "\/app\/bin\/journal-fanout\.js"\]$/m);
  assert.match(text, /^CMD \["run", "--config", "\/etc\/journal-fanout\/config\.yaml"\]$/m);
});

test('scripts/docker-layout-test.sh: the image layout runs the native reader, answers its healthcheck and stops cleanly', { timeout: 180_000 }, async () => {
  const { stdout } = await run('bash', [SCRIPT], { timeout: 170_000, maxBuffer: 16 << 20 });
  assert.match(stdout, /^docker layout: ok \(40 records by the native reader, healthcheck passed, metrics counted, SIGTERM exit 0, checkpoint 0600\)$/m);
});
