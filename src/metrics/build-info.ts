// What this build is (version, revision, Node.js), for the journal_fanout_build_info metric and start-up logs.
import { readFileSync } from 'node:fs';

export interface BuildInfo {
  version: string;
  /** Source revision, set by the image build (JOURNAL_FANOUT_REVISION); "unknown" when run from a checkout. */
  revision: string;
  node: string;
}

/** package.json from src/metrics/ (the sources) or from dist/src/metrics/ (the compiled copy). */
const PACKAGE_JSON = ['../../package.json', '../../../package.json'];

function packageVersion(): string {
  for (const relative of PACKAGE_JSON) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'journal-fanout' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  return { version: packageVersion(), revision: env.JOURNAL_FANOUT_REVISION || 'unknown', node: process.version };
}
