// The forward docs page holds the options table generated from the schema, its receiver configs name what the
// adapter speaks, and config/forward.yaml is a valid forward destination.
// Regenerate the table with: JF_WRITE_DOCS=1 node --test test/adapters/forward/docs.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { forwardOptionsSchema } from '../../../adapters/forward/config.ts';

const DOC = new URL('../../../docs/destinations/forward.md', import.meta.url);
const EXAMPLE = new URL('../../../config/forward.yaml', import.meta.url);
const START = '<!-- options:start (generated from adapters/forward/config.ts) -->';
const END = '<!-- options:end -->';
const DURATIONS = new Set(['flush_interval', 'ack_timeout', 'connect_timeout', 'recover_interval', 'keepalive_timeout']);

type Shaped = { shape: Record<string, { description?: string }> };
const inner = (schema: unknown): unknown => {
  let s = schema as { def: { type: string; innerType?: unknown; element?: unknown } };
  while (['default', 'prefault', 'optional'].includes(s.def.type)) s = s.def.innerType as typeof s;
  return s;
};

function formatDefault(key: string, value: unknown): string {
  if (value === undefined) return '-';
  if (DURATIONS.has(key) && typeof value === 'number') return `\`${value % 1000 === 0 ? `${value / 1000}s` : `${value}ms`}\``;
  return `\`${JSON.stringify(value)}\``;
}

function optionsTable(): string {
  const defaults = forwardOptionsSchema.parse({ type: 'forward', servers: [{ host: 'x' }] }) as Record<string, unknown>;
  const rows = ['| Option | Default | Description |', '| --- | --- | --- |'];
  const row = (key: string, shown: string, description: string) => rows.push(`| \`${key}\` | ${shown} | ${description.replaceAll('|', '\\|')} |`);
  for (const [key, schema] of Object.entries(forwardOptionsSchema.shape)) {
    if (key === 'type') {
      row(key, '(required) `forward`', 'Selects this destination.');
      continue;
    }
    if (key === 'servers') {
      row(key, '(required)', schema.description ?? '');
      const element = (inner(schema) as { def: { element: Shaped } }).def.element;
      const serverDefaults = (defaults.servers as Array<Record<string, unknown>>)[0]!;
      for (const [sub, s] of Object.entries(element.shape)) row(`servers[].${sub}`, sub === 'host' ? '(required)' : formatDefault(sub, serverDefaults[sub]), s.description ?? '');
      continue;
    }
    if (key === 'tls') {
      const tls = inner(schema) as Shaped;
      const tlsDefaults = defaults.tls as Record<string, unknown>;
      for (const [sub, s] of Object.entries(tls.shape)) row(`tls.${sub}`, formatDefault(sub, tlsDefaults[sub]), (inner(s) as { description?: string }).description ?? s.description ?? '');
      continue;
    }
    row(key, formatDefault(key, defaults[key]), schema.description ?? '');
  }
  return rows.join('\n');
}

describe('forward docs', () => {
  test('the options table matches the schema', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    assert.ok(start >= 0 && end > start, 'the page has the options markers');
    const fresh = `${START}\n${optionsTable()}\n${END}`;
    if (process.env.JF_WRITE_DOCS === '1') writeFileSync(DOC, doc.slice(0, start) + fresh + doc.slice(end + END.length));
    const now = readFileSync(DOC, 'utf8');
    assert.equal(now.slice(now.indexOf(START), now.indexOf(END) + END.length), fresh, 'regenerate: JF_WRITE_DOCS=1 node --test test/adapters/forward/docs.test.ts');
  });

  test('the receiver configs: Fluentd, Fluent Bit and Vector listen with the shared key and TLS the page describes', () => {
    const doc = readFileSync(DOC, 'utf8');
    const block = (lang: string, marker: string) => {
      const blocks = [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```', 'g'))].map((m) => m[1]!);
      const found = blocks.find((b) => b.includes(marker));
      assert.ok(found, `a ${lang} block with ${marker}`);
      return found;
    };
    const fluentd = block('xml', '@type forward');
    for (const s of ['<transport tls>', 'cert_path', 'private_key_path', '<security>', 'self_hostname', 'shared_key', 'port 24224']) assert.ok(fluentd.includes(s), `Fluentd config: ${s}`);
    const fluentBit = parse(block('yaml', 'name: forward')) as { pipeline: { inputs: Array<Record<string, unknown>> } };
    const input = fluentBit.pipeline.inputs[0]!;
    assert.equal(input.name, 'forward');
    for (const k of ['shared_key', 'self_hostname', 'tls', 'tls.crt_file', 'tls.key_file', 'buffer_max_size']) assert.ok(k in input, `Fluent Bit input: ${k}`);
    const vector = parse(block('yaml', 'type: fluent')) as { sources: Record<string, { type: string; tls: Record<string, unknown> }>; sinks: Record<string, { acknowledgements?: { enabled: boolean } }> };
    const source = Object.values(vector.sources)[0]!;
    assert.equal(source.type, 'fluent');
    assert.equal(source.tls.enabled, true);
    assert.ok(Object.values(vector.sinks).every((s) => s.acknowledgements?.enabled === true), 'Vector sinks acknowledge end to end');
  });

  test('config/forward.yaml holds a valid forward destination (with its ${...} secrets filled in)', () => {
    const text = readFileSync(EXAMPLE, 'utf8').replace(/\$\{[A-Z_]+\}/g, 'example-secret');
    const config = parse(text) as { destinations: Array<Record<string, unknown>> };
    const entry = config.destinations.find((d) => d.type === 'forward');
    const parsed = forwardOptionsSchema.safeParse(entry);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    assert.ok(parsed.data.servers.length >= 2, 'the example shows failover');
    assert.equal(parsed.data.tls.enabled, true);
  });
});
