/**
 * `llm-batch mock-server`: runs the local provider emulator in the foreground.
 */
import { parseArgs } from 'node:util';
import { createMockProviderServer, type LatencySpec, type MockProviderServerOptions } from '../../testing/mock-server/index.js';

/** Where the command writes; the CLI passes its own streams. */
export interface MockServerCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Stops the server when aborted; without it SIGINT / SIGTERM do. */
  readonly signal?: AbortSignal;
}

export const mockServerHelp = `Usage: llm-batch mock-server [options]

Runs the local OpenAI + Anthropic + Gemini emulator until Ctrl-C.

Options:
  --port <n>               port to listen on (default: 0, a free port)
  --host <host>            interface to bind (default: 127.0.0.1)
  --latency <ms|p50:p99>   latency of generation calls, fixed or lognormal (default: 0)
  --rpm <n>                requests per minute per provider (default: unlimited)
  --tpm <n>                tokens per minute per provider (default: unlimited)
  --fail-rate <0..1>       share of generation calls answered with 500/503/429 (default: 0)
  --seed <n>               seed of every random choice (default: 1)
  --batch-duration <ms>    how long a native batch takes to process (default: 500)
  -h, --help               show this help
`;

class UsageError extends Error {}

function parseNumber(name: string, value: string | undefined, check: (number: number) => boolean, expectation: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || !check(number)) throw new UsageError(`--${name} expects ${expectation}, got '${value}'`);
  return number;
}

function parseLatency(value: string | undefined): LatencySpec | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(value.trim());
  if (match === null) throw new UsageError(`--latency expects <ms> or <p50:p99>, got '${value}'`);
  const p50 = Number(match[1]);
  if (match[2] === undefined) return p50;
  const p99 = Number(match[2]);
  if (p99 < p50) throw new UsageError(`--latency expects p50 <= p99, got '${value}'`);
  return { p50, p99 };
}

/** Turns the command line into server options; throws a usage error naming the bad flag. */
export function parseMockServerArguments(argv: readonly string[]): { help: boolean; options: MockProviderServerOptions } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        latency: { type: 'string' },
        rpm: { type: 'string' },
        tpm: { type: 'string' },
        'fail-rate': { type: 'string' },
        seed: { type: 'string' },
        'batch-duration': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const port = parseNumber('port', values.port, (number) => Number.isInteger(number) && number >= 0 && number <= 65_535, 'an integer port between 0 and 65535');
  const requestsPerMinute = parseNumber('rpm', values.rpm, (number) => number > 0, 'a positive number');
  const tokensPerMinute = parseNumber('tpm', values.tpm, (number) => number > 0, 'a positive number');
  const failRate = parseNumber('fail-rate', values['fail-rate'], (number) => number >= 0 && number <= 1, 'a number between 0 and 1');
  const seed = parseNumber('seed', values.seed, Number.isInteger, 'an integer');
  const batchDuration = parseNumber('batch-duration', values['batch-duration'], (number) => number >= 0, 'a non-negative number of milliseconds');
  const latency = parseLatency(values.latency);
  const rateLimit = requestsPerMinute === undefined && tokensPerMinute === undefined ? undefined : { ...(requestsPerMinute === undefined ? {} : { requestsPerMinute }), ...(tokensPerMinute === undefined ? {} : { tokensPerMinute }) };
  return {
    help: values.help === true,
    options: {
      ...(port === undefined ? {} : { port }),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(latency === undefined ? {} : { latency }),
      ...(rateLimit === undefined ? {} : { rateLimit }),
      ...(failRate === undefined ? {} : { faults: { rate: failRate } }),
      ...(seed === undefined ? {} : { seed }),
      ...(batchDuration === undefined ? {} : { batch: { processingMs: batchDuration } }),
    },
  };
}

/**
 * Runs the emulator until SIGINT / SIGTERM (or `io.signal`), printing its URL and the environment
 * that points the official SDKs at it. Resolves with the exit code.
 */
export async function runMockServerCommand(argv: readonly string[], io: MockServerCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseMockServerArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`llm-batch mock-server: ${error.message}\n\n${mockServerHelp}`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(mockServerHelp);
    return 0;
  }
  let server;
  try {
    server = await createMockProviderServer(parsed.options);
  } catch (error) {
    io.stderr.write(`llm-batch mock-server: ${(error as Error).message}\n`);
    return 1;
  }
  io.stdout.write(
    [
      `Mock provider server listening on ${server.url}`,
      '',
      'Point the SDKs at it:',
      `  export OPENAI_BASE_URL=${server.url}/v1`,
      `  export ANTHROPIC_BASE_URL=${server.url}`,
      `  export GOOGLE_GEMINI_BASE_URL=${server.url}`,
      '  export OPENAI_API_KEY=mock-key',
      '  export ANTHROPIC_API_KEY=mock-key',
      '  export GEMINI_API_KEY=mock-key',
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (io.signal !== undefined) {
      if (io.signal.aborted) stop();
      else io.signal.addEventListener('abort', stop, { once: true });
    } else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  const stats = server.stats();
  await server.close();
  io.stderr.write(`Stopped after ${stats.requests} requests.\n`);
  return 0;
}
