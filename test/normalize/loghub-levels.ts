// Level detection measured on loghub's labelled samples (github.com/logpai/loghub). Not a test: loghub is
// licensed for research use only, so its lines are not copied here; run it by hand on a checkout,
//   git clone --depth 1 https://github.com/logpai/loghub /tmp/loghub
//   node test/normalize/loghub-levels.ts /tmp/loghub [--misses]
// and read precision (of the lines given a level from their text, how many got the labelled one) and
// recall (of all labelled lines, how many got theirs) per dataset.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Level } from '../../src/model/log-record.ts';
import { parseTextMessage, textLevel } from '../../src/normalize/text-message.ts';

/** Label spellings of the datasets' Level column, as syslog severities (the mapping src/normalize/levels.ts uses). */
const LABELS: Record<string, Level> = {
  INFO: 'info', Info: 'info', WARN: 'warning', WARNING: 'warning', Warning: 'warning', ERROR: 'error', Error: 'error',
  SEVERE: 'error', FATAL: 'crit', notice: 'notice', error: 'error',
  // Android logcat letters.
  V: 'debug', D: 'debug', I: 'info', W: 'warning', E: 'error', F: 'crit', A: 'crit',
};

/** Datasets whose structured CSV has a true Level column (Linux's holds the host name, so it is not one). */
const LABELLED = ['Android', 'Apache', 'BGL', 'HDFS', 'Hadoop', 'OpenStack', 'Spark', 'Windows', 'Zookeeper'];
/** Datasets without a level field: any level found in them is counted, to be read by eye. */
const UNLABELLED = ['HPC', 'HealthApp', 'Linux', 'Mac', 'OpenSSH', 'Proxifier', 'Thunderbird'];

/** A column of a loghub structured CSV (RFC 4180 quoting), in line order. */
function csvColumn(csv: string, name: string): string[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const column = rows[0]!.indexOf(name);
  if (column < 0) throw new Error(`no ${name} column`);
  return rows.slice(1).map((r) => r[column]!);
}

function structured(dir: string, name: string): string {
  return readFileSync(join(dir, name, `${name}_2k.log_structured.csv`), 'utf8');
}

function lines(dir: string, name: string): string[] {
  const text = readFileSync(join(dir, name, `${name}_2k.log`), 'utf8');
  return text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1).map((l) => l.replace(/\r$/, ''));
}

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: node test/normalize/loghub-levels.ts LOGHUB_DIR [--misses]');
  process.exit(2);
}
const showMisses = process.argv.includes('--misses');
const journalMs = Date.now();

console.log('dataset      lines  found  right  precision  recall');
for (const name of LABELLED) {
  const text = lines(dir, name);
  const labels = csvColumn(structured(dir, name), 'Level');
  if (labels.length !== text.length) throw new Error(`${name}: ${text.length} lines but ${labels.length} labels`);
  let found = 0;
  let right = 0;
  const misses: string[] = [];
  text.forEach((line, i) => {
    const want = LABELS[labels[i]!];
    if (want === undefined) throw new Error(`${name}: unknown label ${labels[i]}`);
    parseTextMessage(line, journalMs);
    if (textLevel !== undefined) found++;
    if (textLevel === want) right++;
    else if (misses.length < 5) misses.push(`  ${textLevel ?? '(none)'} for ${want}: ${line.slice(0, 140)}`);
  });
  const precision = found === 0 ? '-' : ((100 * right) / found).toFixed(1) + '%';
  console.log(`${name.padEnd(11)} ${String(text.length).padStart(6)} ${String(found).padStart(6)} ${String(right).padStart(6)} ${precision.padStart(10)} ${((100 * right) / text.length).toFixed(1).padStart(6)}%`);
  if (showMisses) for (const m of misses) console.log(m);
}
/** Prints how many of a dataset's lines were given a level (and, with --misses, which levels on which lines). */
function reportFound(name: string, text: string[]): void {
  const hits: string[] = [];
  for (const line of text) {
    parseTextMessage(line, journalMs);
    if (textLevel !== undefined) hits.push(`  ${textLevel}: ${line.slice(0, 140)}`);
  }
  console.log(`${name.padEnd(11)} ${String(text.length).padStart(6)} ${String(hits.length).padStart(6)}`);
  if (showMisses) for (const h of new Set(hits)) console.log(h);
}

console.log('\nunlabelled   lines  found  (a level found in a dataset without level fields; read them with --misses)');
for (const name of UNLABELLED) reportFound(name, lines(dir, name));

// The messages alone (the Content column: the text after the fields), as a container printing only its
// message would: a level found here is a word of the message taken for a level, unless the message itself
// starts with one.
console.log('\ncontent      lines  found  (a level found in the message text alone; read them with --misses)');
for (const name of [...LABELLED, ...UNLABELLED]) reportFound(name, csvColumn(structured(dir, name), 'Content'));
