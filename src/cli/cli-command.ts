import type { CliIo } from './cli-io.js';

/** One `llm-batch` command: a thin layer over the public client. */
export interface CliCommand {
  readonly name: string;
  /** One line for the command list of `llm-batch --help`. */
  readonly summary: string;
  /** The full `--help` text, with examples. */
  readonly help: string;
  /** Runs the command; resolves to the process exit code. Errors thrown are reported by the caller. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
