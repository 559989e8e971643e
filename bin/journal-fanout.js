#!/usr/bin/env node
// Entry point of the `journal-fanout` command. Node 24 runs the TypeScript sources directly.
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
const flags = (process.env.JOURNAL_FANOUT_NODE_FLAGS ?? '--max-semi-space-size=8 --max-old-space-size=512').split(' ').filter(Boolean);
if (flags.length > 0 && process.env.JOURNAL_FANOUT_REEXEC !== '1' && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...flags, ...process.argv.slice(1)], { ...process.env, JOURNAL_FANOUT_REEXEC: '1' });
}

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
