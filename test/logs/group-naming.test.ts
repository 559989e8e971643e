// Service <-> log group, as the forwarder names groups from its template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeGroupName } from '../../adapters/cloudwatch/names.ts';
import { GroupNaming } from '../../src/logs/group-naming.ts';
import { ConfigError } from '../../src/model/errors.ts';

test('"/ecs/{service}": prefix /ecs/, both ways', () => {
  const n = GroupNaming.fromTemplate('/ecs/{service}', 'group');
  assert.equal(n.listPrefix, '/ecs/');
  assert.equal(n.groupOf('api'), '/ecs/api');
  assert.equal(n.serviceOf('/ecs/api'), 'api');
  assert.equal(n.serviceOf('/other/api'), undefined);
  assert.equal(n.serviceOf('/ecs/'), undefined);
});

test('a service name the forwarder had to sanitize maps to the same group name', () => {
  const n = GroupNaming.fromTemplate('/ecs/{service}', 'group');
  assert.equal(n.groupOf('my service'), sanitizeGroupName('/ecs/my service'));
  assert.match(n.groupOf('my service'), /^\/ecs\/my_service-[0-9a-f]{8}$/);
});

test('a suffix and placeholders in between: the service is what lies between prefix and suffix', () => {
  const n = GroupNaming.fromTemplate('/logs/{ecs.cluster}/{service}/app', 'group');
  assert.equal(n.listPrefix, '/logs/');
  assert.equal(n.serviceOf('/logs/prod/api/app'), 'prod/api');
  assert.equal(n.groupOf('prod/api'), '/logs/prod/api/app');
  assert.equal(n.serviceOf('/logs/prod/api'), undefined);
});

test('a template without placeholders is one group, its own service; no prefix lists every group', () => {
  const fixed = GroupNaming.fromTemplate('faults', 'group');
  assert.equal(fixed.listPrefix, 'faults');
  assert.equal(fixed.serviceOf('faults'), 'faults');
  assert.equal(fixed.serviceOf('faults2'), undefined);
  assert.equal(fixed.groupOf('faults'), 'faults');
  const all = GroupNaming.fromTemplate('{service}', 'group');
  assert.equal(all.listPrefix, undefined);
  assert.equal(all.serviceOf('anything/at/all'), 'anything/at/all');
});

test('--group-prefix, and a bad template is a config error naming it', () => {
  const n = GroupNaming.fromPrefix('/ecs/');
  assert.equal(n.groupOf('api'), '/ecs/api');
  assert.equal(n.origin, '--group-prefix "/ecs/"');
  assert.throws(() => GroupNaming.fromTemplate('/ecs/{servce}', 'destination cloudwatch: group'), (e: unknown) => e instanceof ConfigError && /destination cloudwatch: group: unknown name "servce"/.test(e.message));
});
