// Deployment files: ECS task definition, service and IAM policies are valid JSON with the keys that matter;
// the systemd unit passes systemd-analyze verify with its hardening, restart policy and state directory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CONFIG = fileURLToPath(new URL('../../config/', import.meta.url));
const json = async (file: string) => JSON.parse(await readFile(path.join(CONFIG, file), 'utf8')) as Record<string, unknown>;

interface Statement { Sid: string; Effect: string; Action: string | string[]; Resource: string | string[] }
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resources = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

describe('ECS', () => {
  test('task definition: one essential container, host journal and machine-id read-only, state writable, health check', async () => {
    const td = (await json('ecs/task-definition.json')) as {
      family: string; requiresCompatibilities: string[]; taskRoleArn: string; networkMode: string;
      containerDefinitions: Array<{ name: string; image: string; essential: boolean; command: string[]; readonlyRootFilesystem: boolean; stopTimeout: number;
        mountPoints: Array<{ sourceVolume: string; containerPath: string; readOnly: boolean }>; healthCheck: { command: string[] };
        linuxParameters: { capabilities: { drop: string[] } }; secrets: Array<{ name: string; valueFrom: string }>; logConfiguration: { logDriver: string } }>;
      volumes: Array<{ name: string; host: { sourcePath: string } }>;
    };
    assert.equal(td.family, 'journal-fanout');
    assert.deepEqual(td.requiresCompatibilities, ['EC2'], 'DAEMON services run on EC2 container instances');
    assert.match(td.taskRoleArn, /^arn:aws:iam::\d{12}:role\//);
    assert.equal(td.containerDefinitions.length, 1);
    const c = td.containerDefinitions[0]!;
    assert.equal(c.essential, true);
    assert.deepEqual(c.command, ['run', '--config', '/etc/journal-fanout/config.yaml']);
    assert.equal(c.readonlyRootFilesystem, true);
    assert.deepEqual(c.linuxParameters.capabilities.drop, ['ALL']);
    assert.ok(c.stopTimeout > 10, 'longer than pipeline.shutdown_timeout (10 s)');
    const hostPath = (volume: string) => td.volumes.find((v) => v.name === volume)?.host.sourcePath;
    const mounts = Object.fromEntries(c.mountPoints.map((m) => [m.containerPath, { host: hostPath(m.sourceVolume), readOnly: m.readOnly }]));
    assert.deepEqual(mounts['/var/log/journal'], { host: '/var/log/journal', readOnly: true });
    assert.deepEqual(mounts['/run/log/journal'], { host: '/run/log/journal', readOnly: true });
    assert.deepEqual(mounts['/etc/machine-id'], { host: '/etc/machine-id', readOnly: true });
    assert.deepEqual(mounts['/var/lib/journal-fanout'], { host: '/var/lib/journal-fanout', readOnly: false });
    assert.deepEqual(c.healthCheck.command.slice(0, 3), ['CMD', 'node', '/app/dist/src/metrics/healthcheck.js']);
    assert.notEqual(c.logConfiguration.logDriver, 'journald', 'its own logs must not loop back into the journal it ships');
    assert.deepEqual(c.secrets.map((s) => s.name).sort(), ['LOGDNA_KEY', 'LOGGLY_TOKEN']);
  });

  test('service: DAEMON scheduling', async () => {
    const svc = (await json('ecs/service.json')) as { schedulingStrategy: string; taskDefinition: string; launchType: string; desiredCount?: number };
    assert.equal(svc.schedulingStrategy, 'DAEMON');
    assert.equal(svc.taskDefinition, 'journal-fanout');
    assert.equal(svc.launchType, 'EC2');
    assert.equal(svc.desiredCount, undefined, 'a daemon service has no desired count');
  });

  test('task role policy: only the CloudWatch Logs actions the adapter calls, scoped to the /ecs/ groups', async () => {
    const policy = (await json('ecs/task-role-policy.json')) as { Version: string; Statement: Statement[] };
    assert.equal(policy.Version, '2012-10-17');
    const all = policy.Statement.flatMap(actions).sort();
    assert.deepEqual(all, ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:PutLogEvents', 'logs:PutRetentionPolicy', 'logs:TagResource']);
    for (const s of policy.Statement) {
      assert.equal(s.Effect, 'Allow');
      for (const r of resources(s)) assert.match(r, /^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:/, `${s.Sid}: no wildcard resource`);
    }
    const put = policy.Statement.find((s) => actions(s).includes('logs:PutLogEvents'))!;
    assert.deepEqual(resources(put), ['arn:aws:logs:us-east-1:123456789012:log-group:/ecs/*:log-stream:*']);
  });

  test('execution role and trust policies parse with their keys', async () => {
    const exec = (await json('ecs/execution-role-policy.json')) as { Statement: Statement[] };
    assert.ok(exec.Statement.some((s) => actions(s).includes('secretsmanager:GetSecretValue')));
    const trust = (await json('ecs/trust-policy.json')) as { Statement: Array<{ Principal: { Service: string }; Action: string }> };
    assert.equal(trust.Statement[0]!.Principal.Service, 'ecs-tasks.amazonaws.com');
    assert.equal(trust.Statement[0]!.Action, 'sts:AssumeRole');
  });

  test('Docker daemon and app log configuration send container logs to journald with the ECS labels journal-fanout reads', async () => {
    const labels = 'com.amazonaws.ecs.cluster,com.amazonaws.ecs.task-definition-family,com.amazonaws.ecs.task-definition-version,com.amazonaws.ecs.task-arn,com.amazonaws.ecs.container-name';
    const daemon = (await json('ecs/docker-daemon.json')) as { 'log-driver': string; 'log-opts': { labels: string } };
    assert.equal(daemon['log-driver'], 'journald');
    assert.equal(daemon['log-opts'].labels, labels);
    const app = (await json('ecs/app-log-configuration.json')) as { logDriver: string; options: { labels: string } };
    assert.equal(app.logDriver, 'journald');
    assert.equal(app.options.labels, labels);
    // The journald driver turns label names into fields: upper case, punctuation to "_" (what src/normalize/source.ts reads).
    const fields = labels.split(',').map((l) => l.toUpperCase().replace(/[^A-Z0-9]/g, '_'));
    const source = await readFile(fileURLToPath(new URL('../../src/normalize/source.ts', import.meta.url)), 'utf8');
    for (const f of ['COM_AMAZONAWS_ECS_TASK_DEFINITION_FAMILY', 'COM_AMAZONAWS_ECS_CLUSTER', 'COM_AMAZONAWS_ECS_TASK_ARN']) {
      assert.ok(fields.includes(f) && source.includes(`'${f}'`), f);
    }
    const agent = await readFile(path.join(CONFIG, 'ecs/ecs.config'), 'utf8');
    assert.match(agent, /^ECS_AVAILABLE_LOGGING_DRIVERS=\[.*"journald".*\]$/m);
  });
});

describe('systemd', () => {
  const unitFile = path.join(CONFIG, 'systemd/journal-fanout.service');

  test('the unit restarts, keeps its state directory, is hardened, and stops within the shutdown deadline', async () => {
    const unit = await readFile(unitFile, 'utf8');
    const values = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);
    assert.deepEqual(values('Restart'), ['always']);
    assert.deepEqual(values('StateDirectory'), ['journal-fanout']);
    assert.deepEqual(values('StateDirectoryMode'), ['0700']);
    assert.deepEqual(values('KillSignal'), ['SIGTERM']);
    assert.ok(Number(values('TimeoutStopSec')[0]!.replace(/s$/, '')) > 10);
    assert.deepEqual(values('SupplementaryGroups'), ['systemd-journal']);
    for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'RestrictSUIDSGID', 'DynamicUser']) assert.deepEqual(values(key), ['yes'], key);
    assert.deepEqual(values('ProtectSystem'), ['strict']);
    assert.deepEqual(values('CapabilityBoundingSet'), ['']);
    assert.match(values('ExecStart')[0]!, /bin\/journal-fanout\.js run --config \/etc\/journal-fanout\/config\.yaml$/);
  });

  // systemd-analyze comes with the systemd package, which the tests need anyway (journalctl, journald).
  test('systemd-analyze verify finds nothing wrong', { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'jf-unit-'));
    try {
      // verify checks that ExecStart's binary exists: point it at one that does.
      const unit = (await readFile(unitFile, 'utf8')).replaceAll('/opt/journal-fanout/node_modules/.bin/node', '/bin/true');
      const file = path.join(dir, 'journal-fanout.service');
      await writeFile(file, unit);
      const { stdout, stderr } = await run('systemd-analyze', ['verify', file]);
      assert.equal(stdout + stderr, '', 'systemd-analyze verify printed warnings');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
