// Where `journal-fanout logs` reads: the forwarder config's CloudWatch destination (group template, region,
// endpoint), or plain flags. Only that destination is validated: other destinations' secrets need not be set.
import type { CloudWatchOptions } from '../../adapters/cloudwatch/config.ts';
import { loadConfigTree, validateConfig } from '../config/load.ts';
import { LogsError } from './errors.ts';
import { DEFAULT_GROUP_TEMPLATE, GroupNaming } from './group-naming.ts';

export interface TargetFlags {
  config?: string | undefined;
  destination?: string | undefined;
  groupPrefix?: string | undefined;
  region?: string | undefined;
  endpoint?: string | undefined;
}

export interface LogsTarget {
  naming: GroupNaming;
  region: string | undefined;
  endpoint: string | undefined;
}

/** The shape the CloudWatch destination's schema asks of a region and an endpoint (adapters/cloudwatch/config.ts). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const usage = (message: string) => new LogsError('ERR_LOGS_USAGE', message, { exitCode: 2 });

function checkFlags(flags: TargetFlags): void {
  if (flags.region !== undefined && !REGION.test(flags.region)) throw usage(`--region: expected an AWS region such as "us-east-1", got ${JSON.stringify(flags.region)}`);
  if (flags.endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(flags.endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw usage(`--endpoint: expected an http(s) URL such as https://logs.us-east-1.amazonaws.com, got ${JSON.stringify(flags.endpoint)}`);
    }
  }
  if (flags.destination !== undefined && flags.config === undefined) throw usage('--destination picks a destination of --config FILE; give --config too');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The CloudWatch destinations of a config file, validated with their names as the forwarder assigns them. The
 * other destinations stand in as bare stdout entries keeping their explicit names, so that numbering, names and
 * error paths (`destinations[2].group`) are the forwarder's, while their options (and secrets) are not read.
 */
async function cloudwatchDestinations(file: string, env: NodeJS.ProcessEnv): Promise<Array<CloudWatchOptions & { name: string }>> {
  const tree = await loadConfigTree(file);
  const listed = isObject(tree) && Array.isArray(tree.destinations) ? tree.destinations : [];
  const reduced = {
    destinations: listed.map((d: unknown) =>
      isObject(d) && d.type === 'cloudwatch' ? d : { type: 'stdout', ...(isObject(d) && typeof d.name === 'string' ? { name: d.name } : {}) },
    ),
  };
  const config = validateConfig(reduced, file, env);
  return (config.destinations as Array<{ type: string }>).filter((d) => d.type === 'cloudwatch') as Array<CloudWatchOptions & { name: string }>;
}

export async function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): Promise<LogsTarget> {
  checkFlags(flags);
  if (flags.config === undefined) {
    const naming = flags.groupPrefix !== undefined ? GroupNaming.fromPrefix(flags.groupPrefix) : GroupNaming.fromTemplate(DEFAULT_GROUP_TEMPLATE, 'the default group template');
    return { naming, region: flags.region, endpoint: flags.endpoint };
  }
  const file = flags.config;
  const destinations = await cloudwatchDestinations(file, env);
  const names = destinations.map((d) => d.name);
  let chosen: (CloudWatchOptions & { name: string }) | undefined;
  if (flags.destination !== undefined) {
    chosen = destinations.find((d) => d.name === flags.destination);
    if (!chosen) {
      throw usage(`${file} has no cloudwatch destination named ${JSON.stringify(flags.destination)}; ${names.length ? `its cloudwatch destinations: ${names.join(', ')}` : 'it has none'}`);
    }
  } else if (destinations.length === 1) {
    chosen = destinations[0];
  } else if (destinations.length === 0) {
    throw usage(`${file} has no cloudwatch destination; read with --group-prefix PREFIX (and --region) instead, or give a config that ships to CloudWatch`);
  } else {
    throw usage(`${file} has ${destinations.length} cloudwatch destinations (${names.join(', ')}); pick one with --destination NAME`);
  }
  const d = chosen!;
  const naming = flags.groupPrefix !== undefined ? GroupNaming.fromPrefix(flags.groupPrefix) : GroupNaming.fromTemplate(d.group, `${file}: destination ${d.name}: group`);
  return { naming, region: flags.region ?? d.region, endpoint: flags.endpoint ?? d.endpoint };
}
