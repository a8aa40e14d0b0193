/**
 * A mistake on the command line (unknown flag, missing argument, bad value). The CLI prints its
 * message with a pointer to `--help` and exits with code 2.
 */
export class UsageError extends Error {
  /** The command whose help to point to. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
