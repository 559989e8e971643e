// Records with awkward names and text (controls, quotes, brackets, non-ASCII, lone surrogates) for the property tests.
import fc from 'fast-check';
import { sampleRecord } from '../../standins/sample-records.ts';

/** Arbitrary text, mostly awkward: controls, quotes, brackets, non-ASCII, lone surrogates. */
const text = (maxLength: number) => fc.string({ unit: fc.oneof(fc.constantFrom('"', '\\', ']', '[', ' ', '\n', '\0', '=', ':', '#', '\ufeff', 'é', '\ud800'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength });

export const arbitraryRecord = fc.record({ service: text(60), stream: text(140), host: text(40), name: text(30), message: text(3000), level: fc.integer({ min: 0, max: 7 }) }).map((a) => {
  const r = sampleRecord(a.level, { message: a.message });
  r.source = { ...r.source, service: a.service, stream: a.stream, host: a.host, container: { id: a.stream, name: a.name, image: 'img' } };
  return r;
});

