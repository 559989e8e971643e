// A Docker Engine API stand-in on a unix socket, strict to the one call the proxy makes:
// GET /containers/{id}/json (also under a /vX.Y version prefix), answered with the shape of a real container
// inspect (API 1.45), the reference resolved as dockerd does (full ID, name with or without "/", unique ID
// prefix), 404 {"message":"No such container: REF"} otherwise; every other method or path is refused as
// dockerd refuses it. Faults (latency, HTTP status, connection reset) are injected per request.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { FaultQueue, type Fault } from '../http-faults.ts';

export interface StandinContainer {
  /** 64 hex; random when left out. */
  id?: string;
  name: string;
  image: string;
  labels?: Record<string, string>;
  env?: string[];
  /** HostConfig.LogConfig: the container's log driver and options. */
  logConfig?: { Type: string; Config: Record<string, string> };
}

type Stored = Required<StandinContainer>;

const ROUTE = /^(?:\/v1\.\d{1,2})?\/containers\/([^/]+)\/json$/;

export class DockerStandin {
  readonly socketPath: string;
  readonly faults = new FaultQueue();
  /** Every request, in order: method and path. */
  readonly requests: Array<{ method: string; path: string }> = [];
  readonly #containers = new Map<string, Stored>();
  readonly #server: http.Server;

  private constructor(socketPath: string) {
    this.socketPath = socketPath;
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
  }

  static async start(socketPath: string, containers: StandinContainer[] = []): Promise<DockerStandin> {
    rmSync(socketPath, { force: true });
    const standin = new DockerStandin(socketPath);
    for (const c of containers) standin.add(c);
    await new Promise<void>((resolve, reject) => {
      standin.#server.once('error', reject);
      standin.#server.listen(socketPath, () => resolve());
    });
    return standin;
  }

  /** Adds a container; returns its full ID. */
  add(container: StandinContainer): string {
    const id = container.id ?? randomBytes(32).toString('hex');
    if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`stand-in container id must be 64 hex, got ${id}`);
    this.#containers.set(id, { id, labels: {}, env: [], logConfig: { Type: 'syslog', Config: {} }, ...container });
    return id;
  }

  remove(id: string): void {
    this.#containers.delete(id);
  }

  inject(fault: Fault): void {
    this.faults.inject(fault);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    rmSync(this.socketPath, { force: true });
  }

  /** dockerd's resolution: full ID, then name, then a unique ID prefix. */
  #resolve(ref: string): Stored | undefined {
    const byId = this.#containers.get(ref);
    if (byId) return byId;
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    for (const c of this.#containers.values()) if (c.name === name) return c;
    const matches = [...this.#containers.values()].filter((c) => c.id.startsWith(ref));
    return matches.length === 1 ? matches[0] : undefined;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    this.requests.push({ method: req.method ?? '', path });
    const { latencyMs, fault } = this.faults.take();
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (res.destroyed) return;
    const headers = { 'content-type': 'application/json', 'api-version': '1.45', 'docker-experimental': 'false', ostype: 'linux', server: 'Docker/26.1.4 (linux)' };
    const send = (status: number, body: unknown) => res.writeHead(status, headers).end(JSON.stringify(body) + '\n');
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      send(fault.status, { message: fault.body ?? 'injected fault' });
      return;
    }
    const route = ROUTE.exec(path);
    if (!route) {
      send(404, { message: 'page not found' });
      return;
    }
    if (req.method !== 'GET') {
      // dockerd's router answers a known path with an unsupported method as it answers an unknown path.
      send(404, { message: 'page not found' });
      return;
    }
    const ref = decodeURIComponent(route[1]!);
    const c = this.#resolve(ref);
    if (!c) {
      send(404, { message: `No such container: ${ref}` });
      return;
    }
    send(200, inspect(c));
  }
}

/** A container inspect answer with the fields and nesting of dockerd's (API 1.45), values plausible. */
function inspect(c: Stored): Record<string, unknown> {
  const started = '2026-11-24T10:00:00.000000000Z';
  return {
    Id: c.id,
    Created: '2026-11-24T09:59:59.000000000Z',
    Path: '/docker-entrypoint.sh',
    Args: ['run'],
    State: { Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 4242, ExitCode: 0, Error: '', StartedAt: started, FinishedAt: '0001-01-01T00:00:00Z' },
    Image: `sha256:${'ab'.repeat(32)}`,
    ResolvConfPath: `/var/lib/docker/containers/${c.id}/resolv.conf`,
    HostnamePath: `/var/lib/docker/containers/${c.id}/hostname`,
    HostsPath: `/var/lib/docker/containers/${c.id}/hosts`,
    LogPath: '',
    Name: `/${c.name}`,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: 'docker-default',
    ExecIDs: null,
    HostConfig: { Binds: null, ContainerIDFile: '', LogConfig: c.logConfig, NetworkMode: 'bridge', PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false },
    GraphDriver: { Data: null, Name: 'overlay2' },
    Mounts: [],
    Config: {
      Hostname: c.id.slice(0, 12),
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: c.env,
      Cmd: ['run'],
      Image: c.image,
      Volumes: null,
      WorkingDir: '',
      Entrypoint: ['/docker-entrypoint.sh'],
      OnBuild: null,
      Labels: c.labels,
    },
    NetworkSettings: { Bridge: '', SandboxID: 'f'.repeat(64), Ports: {}, Networks: {} },
  };
}
