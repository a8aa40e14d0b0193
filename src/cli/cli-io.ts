import { createKeyValueMask } from '../errors/redact-secrets.js';

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

/**
 * The process's own streams and environment. Everything written passes through the mask of the
 * exact key values of this environment (and of any key an adapter registers), so that no command
 * can print a key however it came by the text. A reader that closes the pipe early
 * (`llm-batch results JOB | head -1`) ends the process quietly with code 0.
 */
export function processIo(signal?: AbortSignal): CliIo {
  exitQuietlyWhenTheReaderLeaves();
  // The environment of a CLI process does not change once it runs; reading it once keeps the mask
  // cheap for a results file of a million lines.
  const maskKeys = createKeyValueMask(process.env);
  return {
    stdout: maskedOutput(process.stdout, maskKeys),
    stderr: maskedOutput(process.stderr, maskKeys),
    env: process.env,
    // A getter: only a command that reads `-` sets up the process's stdin stream.
    get stdin() {
      return process.stdin;
    },
    ...(signal ? { signal } : {}),
  };
}

function maskedOutput(stream: NodeJS.WriteStream, maskKeys: (text: string) => string): CliOutput {
  return {
    // After a broken pipe the stream is destroyed: a further write would only raise another error.
    write: (text: string) => (stream.destroyed ? false : stream.write(maskKeys(text))),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}

let listening = false;

/**
 * Node reports a closed pipe as an `EPIPE` error event on the stream, which, unhandled, crashes with
 * a stack trace. Nothing more can reach that reader, which has what it wanted: stop as `head` expects
 * (the shell's SIGPIPE convention, without its exit code). On stderr, an EPIPE only loses messages.
 */
function exitQuietlyWhenTheReaderLeaves(): void {
  if (listening) return;
  listening = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}
