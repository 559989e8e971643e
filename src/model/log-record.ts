// LogRecord: the one structured shape every destination receives (DESIGN.md "Data model").

/** Syslog severities, most severe first; index = syslog PRIORITY number. */
export const LEVELS = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'] as const;
export type Level = (typeof LEVELS)[number];

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
}

export interface EcsInfo {
  cluster: string;
  family: string;
  revision: string;
  taskArn: string;
}

export interface RecordSource {
  host: string;
  service: string;
  stream: string;
  container?: ContainerInfo;
  unit?: string;
  identifier?: string;
  pid?: number;
  ecs?: EcsInfo;
}

export interface LogRecord {
  /** Milliseconds since the epoch. */
  time: number;
  level: Level;
  /** The message text; never empty of what the entry said (invalid UTF-8 is replaced, never dropped). */
  message: string;
  /** Structured data parsed from the message (JSON object keys, logfmt pairs). */
  fields: Record<string, unknown>;
  source: RecordSource;
  /** Cursor of the last journal entry this record holds. */
  cursor: string;
  /** Reader sequence number of the last journal entry this record holds. */
  seq: number;
  /** Sequence numbers of the other entries joined into this record (partial or multiline parts). */
  joinedSeqs?: number[];
}
