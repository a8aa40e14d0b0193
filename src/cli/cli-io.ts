/** A stream the CLI writes to; `isTTY` and `columns` decide between a progress bar and plain lines. */
export interface CliOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Where `llm-batch run -` reads its requests; `isTTY` true means nothing is piped in. */
export interface CliInput extends AsyncIterable<Uint8Array | string> {
  readonly isTTY?: boolean;
}

/**
 * What a command may touch of the outside world. Commands never reach for `process` directly, so
 * they run the same in the bin, in tests and when embedded.
 */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Standard input, read only when the request file is `-`. */
  readonly stdin?: CliInput;
  /** Aborted on Ctrl-C: long waits stop, and the job keeps running at the provider. */
  readonly signal?: AbortSignal;
}

/** The process's own streams and environment. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    // A getter: only a command that reads `-` sets up the process's stdin stream.
    get stdin() {
      return process.stdin;
    },
    ...(signal ? { signal } : {}),
  };
}
