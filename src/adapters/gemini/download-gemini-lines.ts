import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import type { GoogleGenAI } from '@google/genai';
import type { ProviderCallContext } from '../../provider/batch-provider.js';

/** The SDK's abort option for a call of this context. */
export function abortOf(context: ProviderCallContext): { abortSignal?: AbortSignal } {
  return context.signal ? { abortSignal: context.signal } : {};
}

/**
 * Downloads a file of the Files API (a batch's responses file, or an input file read back) to a
 * temporary file and reads it line by line, skipping blank lines (memory does not grow with the file).
 */
export async function* downloadGeminiLines(client: GoogleGenAI, fileName: string, context: ProviderCallContext, directory: string | undefined): AsyncGenerator<string> {
  const path = join(directory ?? tmpdir(), `llm-batch-gemini-${randomUUID()}.jsonl`);
  try {
    await client.files.download({ file: fileName, downloadPath: path, config: abortOf(context) });
    const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      context.signal?.throwIfAborted();
      if (line.trim() !== '') yield line;
    }
  } finally {
    await rm(path, { force: true });
  }
}
