#!/usr/bin/env node
// Entry point of the `journal-fanout` command: runs the compiled copy in dist/ (npm run build), or the
// TypeScript sources when dist/ is missing or older than them.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `journal-fanout needs Node.js 24 or newer (this is ${process.version}).\n` +
      'Run it through npm (npm run ..., npx journal-fanout ...), which uses the Node 24 that `npm install` put in node_modules/.bin.\n',
  );
  process.exit(1);
}

// V8 sizes its heap for the machine (GBs on a big host) and lets it grow far past what the daemon keeps
// alive. Measured on a 200,000-entry backlog to CloudWatch: peak RSS 432 MB by default, 214 MB with these
// flags, at the same speed. The process re-executes itself once with them (same pid, so systemd, Docker
// and signals see one process). JOURNAL_FANOUT_NODE_FLAGS overrides them ("" turns this off).
// The proxy keeps little on the heap: a 1 MB young generation measured 13 MB less RSS at 10,000 lines/s, same CPU.
// The forwarder's young generation is 16 MB: against 8 MB it measured 10-16% less CPU per entry on a 300,000-entry
// backlog to CloudWatch for 8-21 MB more anonymous peak (docs/performance.md, "young generation of 16 MB").
const defaultFlags = process.argv[2] === 'proxy' ? '--max-semi-space-size=1 --max-old-space-size=512' : '--max-semi-space-size=16 --max-old-space-size=512';
const flags = (process.env.JOURNAL_FANOUT_NODE_FLAGS ?? defaultFlags).split(' ').filter(Boolean);
if (flags.length > 0 && process.env.JOURNAL_FANOUT_REEXEC !== '1' && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...flags, ...process.argv.slice(1)], { ...process.env, JOURNAL_FANOUT_REEXEC: '1' });
}

/** Newest modification time (ms) of the .ts files under `dir`, 0 when there is none. */
function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts')) newest = Math.max(newest, statSync(`${e.parentPath}/${e.name}`).mtimeMs);
  }
  return newest;
}

// Compiled JavaScript spares the process Node's type stripper (measured: 26 MB less RSS at start-up with the
// CloudWatch adapter loaded). A checkout edited since the last build runs its sources, so that what runs is
// what was edited; the Docker image ships dist/ alone.
const root = fileURLToPath(new URL('../', import.meta.url));
const compiled = `${root}dist/src/cli/main.js`;
let entry = '../src/cli/main.ts';
if (existsSync(compiled)) {
  const built = statSync(compiled).mtimeMs;
  const stale = ['src', 'adapters'].some((d) => existsSync(root + d) && newestSource(root + d) > built);
  if (!stale) entry = '../dist/src/cli/main.js';
  else process.stderr.write('journal-fanout: src/ is newer than dist/; running the TypeScript sources (npm run build makes the leaner compiled copy)\n');
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
