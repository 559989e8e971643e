// Which journal reader runs (journal.reader: auto | native | journalctl) and opening one, so that the pipeline
// and catch-up readers never know which it is.
import { ConfigError } from '../model/errors.ts';
import type { Logger } from '../selflog/logger.ts';
import { JournalReader } from './journal-reader.ts';
import { libsystemdName, loadLibsystemd } from './libsystemd.ts';
import { NativeJournalReader } from './native-reader.ts';
import type { JournalEntryReader, ReaderCounters, ReaderOptions } from './reader.ts';

export type ReaderSetting = 'auto' | 'native' | 'journalctl';
export type ReaderKind = 'native' | 'journalctl';

let probe: { ok: true } | { ok: false; reason: string } | undefined;
let fallbackLogged = false;

/** Whether libsystemd can be used here (koffi's binary, the library and every function): asked once per process. */
export function nativeAvailability(): { ok: true } | { ok: false; reason: string } {
  if (!probe) {
    try {
      loadLibsystemd();
      probe = { ok: true };
    } catch (error) {
      probe = { ok: false, reason: (error as Error).message };
    }
  }
  return probe;
}

/**
 * The reader a setting means on this host. `auto`: native when libsystemd loads, else journalctl, said once
 * in an info line with the reason. `native` where libsystemd cannot be loaded is a configuration error.
 */
export function chooseReader(setting: ReaderSetting, logger: Logger): ReaderKind {
  if (setting === 'journalctl') return 'journalctl';
  const available = nativeAvailability();
  if (available.ok) return 'native';
  if (setting === 'native') {
    throw new ConfigError([
      `journal.reader: native, but the native reader cannot run here: ${available.reason}. Install libsystemd (Debian/Ubuntu: libsystemd0; Fedora/RHEL: systemd-libs), or set journal.reader to auto or journalctl`,
    ]);
  }
  if (!fallbackLogged) {
    fallbackLogged = true;
    logger.info({ reader: 'journalctl', library: libsystemdName(), reason: available.reason }, `native journal reader unavailable (${available.reason}): reading the journal with journalctl instead`);
  }
  return 'journalctl';
}

export function openReader(kind: ReaderKind, options: ReaderOptions, logger: Logger, counters?: ReaderCounters): JournalEntryReader {
  return kind === 'native' ? new NativeJournalReader(options, logger, counters) : new JournalReader(options, logger, counters);
}
