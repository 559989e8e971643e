// Syslog over UDP (RFC 5426): one datagram per message. Lossy by nature: a datagram counts as sent once the kernel took it.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { DestinationError } from '../../src/model/errors.ts';
import type { SyslogEndpoint } from './config.ts';
import { describeConnectError } from './retry.ts';

export class UdpTransport {
  readonly #endpoint: SyslogEndpoint;
  readonly where: string;
  #socket: Promise<dgram.Socket> | undefined;

  constructor(endpoint: SyslogEndpoint) {
    this.#endpoint = endpoint;
    this.where = `udp://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
  }

  /**
   * A socket connected to the server's address (resolved now, again after a failure). A connected UDP socket
   * reports the ICMP "port unreachable" of a server that is down as ECONNREFUSED on a later send.
   */
  open(): Promise<dgram.Socket> {
    this.#socket ??= this.#connect().catch((error: unknown) => {
      this.#socket = undefined;
      throw describeConnectError(error, this.where, false);
    });
    return this.#socket;
  }

  async #connect(): Promise<dgram.Socket> {
    const { address, family } = await lookup(this.#endpoint.host);
    const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(this.#endpoint.port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => this.#drop(socket));
    return socket;
  }

  #drop(socket: dgram.Socket): void {
    void this.#socket?.then((current) => {
      if (current === socket) this.#socket = undefined;
    });
    try {
      socket.close();
    } catch {
      // already closed
    }
  }

  /** Sends each message as one datagram; resolves when the kernel took them all. */
  async send(datagrams: readonly string[], signal: AbortSignal): Promise<void> {
    const socket = await this.open();
    if (signal.aborted) throw new DestinationError('ABORT_ERR', `${this.where}: send aborted`, { retryable: true });
    let failure: NodeJS.ErrnoException | undefined;
    await Promise.all(
      datagrams.map(
        (datagram) =>
          new Promise<void>((resolve) =>
            socket.send(datagram, (error) => {
              if (error) failure ??= error;
              resolve();
            }),
          ),
      ),
    );
    if (failure) {
      this.#drop(socket);
      throw describeConnectError(failure, this.where, false);
    }
  }

  async close(): Promise<void> {
    const socket = await this.#socket?.catch(() => undefined);
    this.#socket = undefined;
    if (socket) this.#drop(socket);
  }
}
