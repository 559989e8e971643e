// What this build is (version, revision, Node.js), for the journal_fanout_build_info metric and start-up logs.
import { readFileSync } from 'node:fs';

export interface BuildInfo {
  version: string;
  /** Source revision, set by the image build (JOURNAL_FANOUT_REVISION); "unknown" when run from a checkout. */
  revision: string;
  node: string;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  return { version: packageVersion(), revision: env.JOURNAL_FANOUT_REVISION || 'unknown', node: process.version };
}
