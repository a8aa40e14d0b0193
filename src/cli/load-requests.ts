import type { BatchRequestInput } from '../models/batch-request.js';
import { ValidationError } from '../errors/validation-error.js';
import type { CommandLine } from './command-line.js';
import { InputFileError } from './input-file-error.js';
import { readRequestFile, type RequestFile } from './read-request-file.js';
import { UsageError } from './usage-error.js';

/**
 * The requests of a command: from the request file argument, or built from `--template` and
 * `--data`. Input problems become an {@link InputFileError} naming the file and every bad line.
 */
export async function loadRequests(line: CommandLine, file: string | undefined): Promise<RequestFile> {
  const template = line.string('template');
  const data = line.string('data');
  if (template !== undefined || data !== undefined) {
    if (file !== undefined) throw new UsageError('give either a request file or --template with --data, not both', line.command);
    if (template === undefined || data === undefined) throw new UsageError('--template and --data go together', line.command);
    const { readTemplateRequests } = await import('./read-template-requests.js');
    return readTemplateRequests(template, data);
  }
  if (file === undefined) throw new UsageError('missing <file> (JSONL requests, OpenAI batch lines or a .txt of prompts)', line.command);
  try {
    return await readRequestFile(file);
  } catch (error) {
    if (ValidationError.isInstance(error)) throw new InputFileError(file, error);
    throw error;
  }
}

/** True when some request names no model (so a default one is needed). */
export function someRequestLacksModel(requests: readonly BatchRequestInput[]): boolean {
  return requests.some((request) => {
    const model = 'custom_id' in request ? (request.body as { model?: unknown }).model : request.model;
    return typeof model !== 'string' || model === '';
  });
}
