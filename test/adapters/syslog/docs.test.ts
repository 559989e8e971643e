// docs/destinations/syslog.md lists every option of the schema, and config/syslog.yaml holds valid syslog destinations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import destinationModule from '../../../adapters/syslog/index.ts';
import { capturedLogger } from '../../standins/sample-records.ts';

const root = new URL('../../../', import.meta.url);

test('every option of the schema has a row in docs/destinations/syslog.md', () => {
  const doc = readFileSync(new URL('docs/destinations/syslog.md', root), 'utf8');
  const shape = (destinationModule.schema as unknown as { shape: Record<string, unknown> }).shape;
  for (const name of Object.keys(shape)) assert.match(doc, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `option ${name} is not documented`);
});

test('config/syslog.yaml holds valid syslog destinations whose templates and structured data compile', () => {
  const text = readFileSync(new URL('config/syslog.yaml', root), 'utf8').replace('${LOGGLY_TOKEN}', '0123abcd-aaaa-bbbb-cccc-0123456789ab');
  const config = parse(text) as { destinations: unknown[] };
  const entries = config.destinations.filter((d) => (d as { type?: string }).type === 'syslog');
  assert.equal(entries.length, 2);
  for (const entry of entries) {
    const parsed = destinationModule.schema.safeParse(entry);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    // Constructing the destination compiles its templates and structured data; over tcp://, as the CA file exists only on a real host.
    const options = { ...parsed.data, tls: undefined, url: parsed.data.url.replace('tls://', 'tcp://') };
    destinationModule.create(options, { id: 'syslog', host: 'h', logger: capturedLogger().logger });
  }
});
