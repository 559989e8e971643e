// What every listener is to the proxy service: something that hands on syslog messages and can stop.

/** Where a message came from; a stream connection has its own, so the parts of a long message stay together. */
export interface Origin {
  /** The listener's address as configured (`unixgram:///run/...`): the metrics label. */
  readonly listener: string;
  /** Datagram listeners cannot push back: what journald cannot take in time is dropped (counted, said). */
  readonly datagram: boolean;
  /** The header of the message whose parts are arriving on this connection (set by the service). */
  parts?: unknown;
  /** The service's per-listener counter (set by the service on first use). */
  counter?: { n: number };
}

export interface MessageSink {
  /**
   * One datagram, or one frame of a stream (flags: FRAME_CONTINUED | FRAME_MORE from stream-framer.ts).
   * `frame` is valid only during the call: what is kept must be copied.
   */
  receive(frame: Buffer, origin: Origin, flags: number): void;
  /** A datagram was longer than the receive buffer and arrived cut short. */
  truncated?(origin: Origin, length: number): void;
}

export interface Listener {
  readonly url: string;
  /** For tcp/udp listeners on port 0 (tests): the port the system chose. */
  readonly port?: number | undefined;
  readonly listening: boolean;
  start(): Promise<void>;
  /** Stream listeners stop reading (journald is behind); datagram listeners cannot, and ignore it. */
  pause(): void;
  resume(): void;
  /** Stops receiving; stream connections hand on what they hold, then close. */
  close(): Promise<void>;
}
