// The shape of one `journal-fanout <command>`: its usage lines and its entry. main.ts dispatches on the name.

export interface Command {
  /** The word after `journal-fanout`. */
  readonly name: string;
  /** Usage lines for the top-level help, each starting with `journal-fanout <name>`. */
  readonly usage: string;
  /** Option lines (indented), shown under "options:" in the top-level help; "" when none of its own. */
  readonly options: string;
  /** Runs the command with the arguments after its name; resolves with the exit code. */
  main(argv: string[]): Promise<number>;
}

/** A usage mistake: main prints it with the usage text and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
