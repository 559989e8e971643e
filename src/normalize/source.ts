// Where a record comes from (host, service, stream, container, unit, ECS task), derived from journal fields.
import { fieldText, type JournalEntry } from '../model/journal-entry.ts';
import type { EcsInfo, RecordSource } from '../model/log-record.ts';
import { detached } from './detached.ts';
import { parseEcsContainerName } from './ecs-name.ts';

/**
 * Labels the Docker journald driver passes (with `--log-opt labels=...`) become fields with the label name
 * upper-cased and punctuation replaced by `_`; these are the ECS agent's labels.
 */
const ECS_FAMILY = 'COM_AMAZONAWS_ECS_TASK_DEFINITION_FAMILY';
const ECS_REVISION = 'COM_AMAZONAWS_ECS_TASK_DEFINITION_VERSION';
const ECS_CLUSTER = 'COM_AMAZONAWS_ECS_CLUSTER';
const ECS_TASK_ARN = 'COM_AMAZONAWS_ECS_TASK_ARN';

/** A container's source is built once and shared by its records (do not mutate a record's source). */
const MAX_CACHED_CONTAINERS = 4096;

interface CachedSource {
  name: string | undefined;
  hostname: string | undefined;
  source: RecordSource;
}

function text(entry: JournalEntry, name: string): string | undefined {
  const v = entry.fields[name];
  // Fast path: a single valid-UTF-8 value, which is what journald nearly always holds.
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (v === undefined) return undefined;
  const t = fieldText(entry, name);
  return t === '' ? undefined : t;
}

function unitService(unit: string): string {
  return unit.endsWith('.service') ? unit.slice(0, -'.service'.length) : unit;
}

/**
 * Derives RecordSource with the default service and stream (DESIGN.md "Normalizing"): service is the ECS
 * task family (label, else parsed from the ECS container name), else CONTAINER_NAME, else the systemd unit
 * without `.service`, else SYSLOG_IDENTIFIER, else _COMM; stream is the 12-hex container ID, else the host.
 */
export class SourceDeriver {
  readonly #host: string;
  readonly #containers = new Map<string, CachedSource>();

  constructor(host: string) {
    this.#host = host;
  }

  derive(entry: JournalEntry): RecordSource {
    const fullId = text(entry, 'CONTAINER_ID_FULL');
    const shortId = text(entry, 'CONTAINER_ID');
    const hostname = text(entry, '_HOSTNAME');
    if (fullId === undefined && shortId === undefined) return this.#plain(entry, hostname ?? this.#host);
    const key = (fullId ?? shortId)!;
    const name = text(entry, 'CONTAINER_NAME');
    const hit = this.#containers.get(key);
    if (hit !== undefined && hit.name === name && hit.hostname === hostname) return hit.source;
    // Cached for as long as the container logs: its strings are copied out of the reader's chunk (see detached).
    const source = detachedSource(this.#container(entry, hostname ?? this.#host, shortId ?? fullId!.slice(0, 12), name));
    if (this.#containers.size >= MAX_CACHED_CONTAINERS) this.#containers.delete(this.#containers.keys().next().value!);
    // The key too: a map key that is a slice of a chunk keeps the chunk alive as long as the container logs.
    this.#containers.set(hit === undefined ? detached(key) : key, { name: name === undefined ? name : detached(name), hostname: hostname === undefined ? hostname : detached(hostname), source });
    return source;
  }

  #plain(entry: JournalEntry, host: string): RecordSource {
    const unit = text(entry, '_SYSTEMD_UNIT');
    const identifier = text(entry, 'SYSLOG_IDENTIFIER');
    const service = unit !== undefined ? unitService(unit) : (identifier ?? text(entry, '_COMM') ?? 'unknown');
    const source: RecordSource = { host, service, stream: host };
    if (unit !== undefined) source.unit = unit;
    if (identifier !== undefined) source.identifier = identifier;
    const pid = text(entry, '_PID');
    if (pid !== undefined) {
      const n = Number(pid);
      if (Number.isInteger(n) && n > 0) source.pid = n;
    }
    return source;
  }

  #container(entry: JournalEntry, host: string, id: string, name: string | undefined): RecordSource {
    let family = text(entry, ECS_FAMILY);
    let revision = text(entry, ECS_REVISION);
    if (family === undefined && name !== undefined) {
      const parsed = parseEcsContainerName(name);
      if (parsed !== undefined) {
        family = parsed.family;
        revision ??= parsed.revision;
      }
    }
    const unit = text(entry, '_SYSTEMD_UNIT');
    const identifier = text(entry, 'SYSLOG_IDENTIFIER');
    const service = family ?? name ?? (unit !== undefined ? unitService(unit) : undefined) ?? identifier ?? 'unknown';
    const source: RecordSource = {
      host,
      service,
      stream: id,
      container: { id, name: name ?? '', image: text(entry, 'IMAGE_NAME') ?? '' },
    };
    if (unit !== undefined) source.unit = unit;
    if (identifier !== undefined) source.identifier = identifier;
    // _PID of a container entry is dockerd's, not the application's: left out.
    if (family !== undefined) {
      const ecs: EcsInfo = {
        cluster: text(entry, ECS_CLUSTER) ?? '',
        family,
        revision: revision ?? '',
        taskArn: text(entry, ECS_TASK_ARN) ?? '',
      };
      source.ecs = ecs;
    }
    return source;
  }
}

function detachedSource(s: RecordSource): RecordSource {
  const out: RecordSource = { host: detached(s.host), service: detached(s.service), stream: detached(s.stream) };
  if (s.container !== undefined) out.container = { id: detached(s.container.id), name: detached(s.container.name), image: detached(s.container.image) };
  if (s.unit !== undefined) out.unit = detached(s.unit);
  if (s.identifier !== undefined) out.identifier = detached(s.identifier);
  if (s.pid !== undefined) out.pid = s.pid;
  if (s.ecs !== undefined) out.ecs = { cluster: detached(s.ecs.cluster), family: detached(s.ecs.family), revision: detached(s.ecs.revision), taskArn: detached(s.ecs.taskArn) };
  return out;
}
