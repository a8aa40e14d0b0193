import { LlmBatchError } from '../errors/llm-batch-error.js';

const unwritableCodes = ['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EEXIST', 'ENOSPC'];

/**
 * A failure to create a file or folder in the store at `root`: when it means the store cannot be
 * written, a `store_unwritable` error that says how to point the store elsewhere; otherwise the
 * error itself.
 */
export function mapStoreWriteError(root: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !unwritableCodes.includes(code)) return error;
  return new LlmBatchError(
    `The job store ${root} cannot be written (${code}: ${(error as Error).message}); ` +
      'pass --store DIR (or set LLM_BATCH_DIR, or fileStore({ dir })) to a folder this process can write',
    { code: 'store_unwritable', cause: error },
  );
}
