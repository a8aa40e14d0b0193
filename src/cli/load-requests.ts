import { ValidationError } from '../errors/validation-error.js';
import type { CliInput, CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';
import { InputFileError } from './input-file-error.js';
import { inputFormats, readRequestFile, readRequestStream, streamRequestFile, type RequestFile } from './read-request-file.js';
import { UsageError } from './usage-error.js';

/** The request file argument that means "read standard input". */
export const standardInputArgument = '-';
/** How standard input is named in messages, where a file's path would be. */
export const standardInputName = '<stdin>';

/**
 * The requests of a command: from the request file argument (`-` for standard input, JSONL or with
 * `--input-format txt` one prompt a line), or built from `--template` and `--data`. Input problems
 * become an {@link InputFileError} naming the file (or `<stdin>`) and every bad line.
 */
export async function loadRequests(line: CommandLine, io: CliIo, file: string | undefined): Promise<RequestFile> {
  const template = line.string('template');
  const data = line.string('data');
  const format = line.choice('input-format', inputFormats);
  if (template !== undefined || data !== undefined) {
    if (file !== undefined) throw new UsageError('give either a request file or --template with --data, not both', line.command);
    if (template === undefined || data === undefined) throw new UsageError('--template and --data go together', line.command);
    if (format !== undefined) throw new UsageError('--input-format is for a request file or -, not for --template with --data', line.command);
    const { readTemplateRequests } = await import('./read-template-requests.js');
    return readTemplateRequests(template, data);
  }
  if (file === undefined) {
    throw new UsageError('missing <file> (JSONL requests, OpenAI batch lines or a .txt of prompts; - reads them from standard input)', line.command);
  }
  const fromStandardInput = file === standardInputArgument;
  // A streaming intake checks each request as it comes: no checking pass over the file first.
  if (line.choice('intake', ['checked', 'streaming'] as const) === 'streaming') {
    return fromStandardInput
      ? streamRequestFile(standardInput(io, line.command), { name: standardInputName, format: format ?? 'jsonl' })
      : streamRequestFile(file, format === undefined ? {} : { format });
  }
  try {
    if (fromStandardInput) {
      return await readRequestStream(standardInput(io, line.command), { name: standardInputName, format: format ?? 'jsonl' });
    }
    return await readRequestFile(file, format === undefined ? {} : { format });
  } catch (error) {
    if (ValidationError.isInstance(error)) throw new InputFileError(fromStandardInput ? standardInputName : file, error);
    throw error;
  }
}

/**
 * The standard input to read requests from.
 *
 * @throws UsageError when it is a terminal (nothing piped in): reading would wait for typing.
 */
export function standardInput(io: CliIo, command: string): CliInput {
  const input = io.stdin;
  if (input === undefined) throw new UsageError('no standard input to read requests from; give a request file', command);
  if (input.isTTY === true) {
    throw new UsageError(
      `- reads requests from standard input, but nothing is piped in; pipe JSONL into it (cat requests.jsonl | llm-batch ${command} -) or give a file`,
      command,
    );
  }
  return input;
}
