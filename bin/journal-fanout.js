#!/usr/bin/env node
// Entry point of the `journal-fanout` command. Node 24 runs the TypeScript sources directly.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `journal-fanout needs Node.js 24 or newer (this is ${process.version}).\n` +
      'Run it through npm (npx journal-fanout ..., npm run ...), which uses the Node 24 that `npm install` put in node_modules/.bin.\n',
  );
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
