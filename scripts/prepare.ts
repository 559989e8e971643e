// npm's `prepare` hook (npm install, npm ci): builds dist/ when TypeScript is installed. A production install
// (--omit=dev) has no TypeScript; it says so and the daemon runs its TypeScript sources instead.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const tsc = `${root}node_modules/typescript/bin/tsc`;
if (!existsSync(tsc)) {
  process.stderr.write(
    'journal-fanout: TypeScript is not installed (a production install): dist/ is not built and the daemon runs its TypeScript sources, ' +
      'which take about 20 MB more memory. For the compiled copy install with `npm ci && npm prune --omit=dev`.\n',
  );
} else {
  execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
}
