import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { extname } from 'node:path';
import type { CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';
import { UsageError } from './usage-error.js';
import { outputFormats, type OutputFormat, type TextSink } from './write-results.js';

/** Where results go: `--out FILE` or stdout, in `--output FORMAT` (else the file's extension, else `fallback`). */
export interface OutputTarget {
  readonly format: OutputFormat;
  /** The file, when `--out` was given. */
  readonly file: string | undefined;
  readonly write: TextSink;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/** The format each file extension stands for, for `--out FILE` without `--output`. */
const formatsByExtension: Readonly<Record<string, OutputFormat>> = {
  md: 'md',
  markdown: 'md',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  csv: 'csv',
};

/**
 * The results format: `--output FORMAT`, else the extension of `--out FILE`, else `fallback` (results
 * on stdout). A command calls it before any work, so that a bad flag fails before a job is sent.
 *
 * @throws UsageError for an unknown `--output`, or an `--out` file whose extension names no format
 * (`results.xlsx` would otherwise be written as Markdown without a word).
 */
export function outputFormatOf(line: CommandLine, fallback: OutputFormat): OutputFormat {
  const asked = line.choice('output', outputFormats);
  if (asked !== undefined) return asked;
  const file = line.string('out');
  if (file === undefined) return fallback;
  const extension = extname(file).slice(1).toLowerCase();
  const format = Object.hasOwn(formatsByExtension, extension) ? formatsByExtension[extension] : undefined;
  if (format === undefined) {
    const named = extension === '' ? 'has no extension' : `ends in .${extension}, which is not a results format`;
    throw new UsageError(
      `--out ${JSON.stringify(file)} ${named}; name the file .md, .json, .jsonl or .csv, or say the format with --output ${outputFormats.join('|')}`,
      line.command,
    );
  }
  return format;
}

export async function openOutputTarget(line: CommandLine, io: CliIo, fallback: OutputFormat): Promise<OutputTarget> {
  const format = outputFormatOf(line, fallback);
  const file = line.string('out');
  if (file === undefined) {
    return { format, file, write: (text) => void io.stdout.write(text), close: async () => {} };
  }
  const stream: WriteStream = createWriteStream(file, { mode: 0o600 });
  await Promise.race([
    once(stream, 'open'),
    once(stream, 'error').then(([error]) => {
      throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
    }),
  ]);
  return {
    format,
    file,
    async write(text) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
      }),
  };
}
