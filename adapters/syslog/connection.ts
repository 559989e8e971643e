// One connected TCP or TLS socket to the syslog server: writes batches, each delivered once the server's TCP stack acknowledged it and the connection then stood for settle_time.
import type { Socket } from 'node:net';
import { DestinationError } from '../../src/model/errors.ts';
import { describeConnectError } from './retry.ts';
import type { TcpAcks } from './tcp-acks.ts';

interface Delivery {
  /** TcpAcks.handed() when the write callback ran: acknowledged once acked() reaches it. */
  target: number;
  /** When the acknowledgement was seen; delivered settleMs later if the connection still stands. */
  ackedAt?: number;
  resolve(): void;
  reject(error: Error): void;
}

/** Acknowledgements are looked for at once, then at growing intervals up to this while deliveries wait. */
const MAX_POLL_MS = 20;

export class StreamConnection {
  readonly socket: Socket;
  /** Where the connection goes, for messages: "tcp://host:port". */
  readonly where: string;
  readonly #acks: TcpAcks | undefined;
  /** Written and waiting for the acknowledgement, in write order (targets never decrease). */
  #waiting: Delivery[] = [];
  /** Writes whose callback has not run yet. */
  #writing = new Set<(error: Error) => void>();
  /** Acknowledged, waiting out settleMs, in acknowledgement order. */
  #settling: Delivery[] = [];
  readonly #settleMs: number;
  #settleTimer: NodeJS.Timeout | undefined;
  #failure: DestinationError | undefined;
  #poll: NodeJS.Timeout | undefined;
  #pollMs = 1;

  /**
   * `acks` undefined: a batch counts as acknowledged when its write callback runs (the kernel has it).
   * `settleMs`: how long the connection must stand after a batch's acknowledgement before it counts as delivered.
   */
  constructor(socket: Socket, where: string, acks: TcpAcks | undefined, settleMs: number) {
    this.socket = socket;
    this.where = where;
    this.#acks = acks;
    this.#settleMs = settleMs;
    // Syslog servers send nothing; reading keeps the socket flowing so that a FIN or reset is seen at once.
    socket.on('data', () => {});
    // A server that closes may have left acknowledged bytes unread: whatever is not yet delivered goes again.
    socket.on('end', () => this.#fail('the server closed the connection', 'ECONNCLOSED'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // TLS 1.3 servers refuse a client certificate after the handshake: that needs a human, not a retry.
      const described = describeConnectError(error, where, true);
      if (described.fatal) this.destroy(described);
      else this.#fail(error.message, error.code ?? 'ERR_SOCKET');
    });
    socket.on('close', () => this.#fail('the connection closed', 'ECONNCLOSED'));
  }

  /** Why the connection is unusable, or undefined while it works. */
  get failure(): DestinationError | undefined {
    return this.#failure;
  }

  /**
   * Writes one batch (already framed). Resolves when the server's kernel acknowledged all of it; rejects with
   * a retryable DestinationError when the connection fails first (the batch is then sent again: possibly a
   * duplicate, never a loss). An abort before the write completed closes the connection: part of a frame
   * may be on the wire, and only a new connection starts clean.
   */
  write(payload: Buffer, signal: AbortSignal): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<void>((resolve, reject) => {
      let written = false;
      let delivery: Delivery | undefined;
      const onAbort = () => {
        const reason = new DestinationError('ABORT_ERR', `${this.where}: ${String((signal.reason as Error | undefined)?.message ?? 'aborted')} before the server acknowledged the batch`, { retryable: true });
        if (!written) this.destroy(reason);
        else if (delivery) {
          this.#waiting = this.#waiting.filter((d) => d !== delivery);
          this.#settling = this.#settling.filter((d) => d !== delivery);
        }
        reject(reason);
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = (error?: Error) => {
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const failWrite = (error: Error) => settle(error);
      this.#writing.add(failWrite);
      this.socket.write(payload, (error) => {
        this.#writing.delete(failWrite);
        written = true;
        if (error) {
          this.#fail(error.message, (error as NodeJS.ErrnoException).code ?? 'ERR_SOCKET');
          settle(this.#failure);
          return;
        }
        if (this.#failure) {
          settle(this.#failure);
          return;
        }
        delivery = { target: this.#acks ? this.#acks.handed() : 0, resolve: () => settle(), reject: (e) => settle(e) };
        if (!this.#acks) {
          this.#acknowledged(delivery);
          return;
        }
        this.#waiting.push(delivery);
        this.#pollMs = 1;
        this.#check();
      });
    });
  }

  #check(): void {
    if (!this.#acks || this.#waiting.length === 0 || this.socket.destroyed) return;
    const acked = this.#acks.acked();
    let progressed = false;
    while (this.#waiting.length > 0 && this.#waiting[0]!.target <= acked) {
      this.#acknowledged(this.#waiting.shift()!);
      progressed = true;
    }
    if (this.#waiting.length === 0 || this.#failure) return;
    this.#pollMs = progressed ? 1 : Math.min(MAX_POLL_MS, this.#pollMs * 2);
    if (this.#poll === undefined) {
      this.#poll = setTimeout(() => {
        this.#poll = undefined;
        this.#check();
      }, this.#pollMs);
    }
  }

  #acknowledged(delivery: Delivery): void {
    if (this.#settleMs <= 0) {
      delivery.resolve();
      return;
    }
    delivery.ackedAt = performance.now();
    this.#settling.push(delivery);
    this.#settleTimer ??= setTimeout(() => this.#settled(), this.#settleMs);
  }

  #settled(): void {
    this.#settleTimer = undefined;
    const now = performance.now();
    while (this.#settling.length > 0 && now - this.#settling[0]!.ackedAt! >= this.#settleMs) this.#settling.shift()!.resolve();
    const next = this.#settling[0];
    if (next) this.#settleTimer = setTimeout(() => this.#settled(), Math.max(1, this.#settleMs - (now - next.ackedAt!)));
  }

  #fail(message: string, code: string): void {
    if (this.#failure) return;
    this.destroy(new DestinationError(code, `${this.where}: ${message} (${code}); unacknowledged batches are sent again after reconnecting`, { retryable: true }));
  }

  /** Closes the connection at once: every batch not yet acknowledged fails with `reason` (retryable). */
  destroy(reason = new DestinationError('ECONNCLOSED', `${this.where}: connection closed by journal-fanout`, { retryable: true })): void {
    if (this.#failure) return;
    this.#failure = reason;
    clearTimeout(this.#poll);
    this.#poll = undefined;
    clearTimeout(this.#settleTimer);
    this.#settleTimer = undefined;
    const waiting = [...this.#settling, ...this.#waiting];
    this.#waiting = [];
    this.#settling = [];
    for (const d of waiting) d.reject(reason);
    for (const fail of [...this.#writing]) fail(reason);
    this.#writing.clear();
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** Ends the connection after what is written; destroys it if the server does not close within `graceMs`. */
  async end(graceMs = 1000): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, graceMs);
      timer.unref();
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }
}
