// bin/journal-fanout.js runs the compiled copy in dist/ when it is up to date, else the TypeScript sources.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp-dir.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/journal-fanout.js', import.meta.url));

/** A tree shaped like the package, whose two entry points say which one ran. */
async function tree(): Promise<string> {
  const root = tempDir('jf-entry-');
  await mkdir(path.join(root, 'bin'));
  await mkdir(path.join(root, 'dist/src/cli'), { recursive: true });
  await mkdir(path.join(root, 'src/cli'), { recursive: true });
  await mkdir(path.join(root, 'adapters/x'), { recursive: true });
  await copyFile(BIN, path.join(root, 'bin/journal-fanout.js'));
  await writeFile(path.join(root, 'dist/src/cli/main.js'), "export async function main(argv) { process.stdout.write('compiled ' + argv.join(' ')); return 0; }\n");
  await writeFile(path.join(root, 'src/cli/main.ts'), "export async function main(argv: string[]): Promise<number> { process.stdout.write('sources ' + argv.join(' ')); return 0; }\n");
  await writeFile(path.join(root, 'adapters/x/index.ts'), 'export {};\n');
  return root;
}

const at = (file: string, seconds: number) => utimes(file, seconds, seconds);
const start = (root: string) => run(process.execPath, [path.join(root, 'bin/journal-fanout.js'), 'check', 'x'], { env: { ...process.env, JOURNAL_FANOUT_NODE_FLAGS: '' } });

test('a dist/ built after every source runs, silently', async () => {
  const root = await tree();
  await at(path.join(root, 'src/cli/main.ts'), 1_000);
  await at(path.join(root, 'adapters/x/index.ts'), 1_000);
  await at(path.join(root, 'dist/src/cli/main.js'), 2_000);
  const { stdout, stderr } = await start(root);
  assert.equal(stdout, 'compiled check x');
  assert.equal(stderr, '');
});

test('a source edited after the build runs the sources, and says so', async () => {
  const root = await tree();
  await at(path.join(root, 'src/cli/main.ts'), 1_000);
  await at(path.join(root, 'dist/src/cli/main.js'), 2_000);
  await at(path.join(root, 'adapters/x/index.ts'), 3_000);
  const { stdout, stderr } = await start(root);
  assert.equal(stdout, 'sources check x');
  assert.match(stderr, /src\/ is newer than dist\/; running the TypeScript sources \(npm run build/);
});

test('without dist/ the sources run', async () => {
  const root = await tree();
  await rm(path.join(root, 'dist'), { recursive: true });
  const { stdout } = await start(root);
  assert.equal(stdout, 'sources check x');
});

test('an image layout without src/ runs dist/', async () => {
  const root = await tree();
  await rm(path.join(root, 'src'), { recursive: true });
  await rm(path.join(root, 'adapters'), { recursive: true });
  const { stdout } = await start(root);
  assert.equal(stdout, 'compiled check x');
});
