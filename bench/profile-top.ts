// Summarizes a V8 .cpuprofile (node --cpu-prof): the functions and files with the most self time.
// Usage: node bench/profile-top.ts FILE.cpuprofile [top=30]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
if (!file) throw new Error('usage: node bench/profile-top.ts FILE.cpuprofile [top]');
const top = Number(process.argv[3] ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
/** This checkout's root as profile URLs write it; the compiled copy's files (dist/...) are charged to their sources. */
const ROOT = new URL('../', import.meta.url).href;
const short = (url: string) => (url.startsWith(ROOT) ? url.slice(ROOT.length).replace(/^dist\//, '').replace(/\.js$/, '.ts') : url.replace(/^file:\/\/\/?/, '')) || '(native)';
const fnTotals = new Map<string, number>();
const fileTotals = new Map<string, number>();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const fn = `${functionName || '(anonymous)'} ${short(url)}${url ? `:${lineNumber + 1}` : ''}`;
  fnTotals.set(fn, (fnTotals.get(fn) ?? 0) + us);
  const f = url.includes('node_modules/') ? short(url).replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, 'node_modules/$1') : short(url);
  fileTotals.set(f, (fileTotals.get(f) ?? 0) + us);
}
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
};
// Each sample charged to the nearest frame (itself or a caller) in this project or in a package: native work
// such as a socket write or JSON.parse is counted where it was asked for.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const owners = new Map<string, number>();
for (const [id, us] of selfUs) {
  let owner = '(native, no JS caller)';
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const url = byId.get(at)!.callFrame.url;
    if (url.includes('node_modules/')) {
      owner = short(url).replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, 'node_modules/$1');
      break;
    }
    if (url.startsWith(ROOT) && /^(src|adapters|bench)\//.test(short(url))) {
      owner = short(url);
      break;
    }
  }
  const { functionName } = byId.get(id)!.callFrame;
  if (functionName === '(idle)' || functionName === '(garbage collector)' || functionName === '(program)') owner = functionName;
  owners.set(owner, (owners.get(owner) ?? 0) + us);
}
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
print('self time by function', fnTotals);
print('self time by file / package', fileTotals);
print('time charged to the nearest project file or package on the stack', owners);
