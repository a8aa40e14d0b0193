import { open, rename, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { mapStoreWriteError } from './map-store-write-error.js';
import { privateFileMode } from './private-file-modes.js';

/**
 * Replaces `target` with `text` so that a reader, or a process killed meanwhile, sees the old file
 * or the new one, never a torn one: a temporary file beside it, fsync, rename. `storeRoot` is the
 * store the file belongs to, named when it cannot be written.
 */
export async function writeFileAtomically(target: string, text: string, storeRoot: string): Promise<void> {
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let handle: FileHandle;
  try {
    handle = await open(temporary, 'w', privateFileMode);
  } catch (error) {
    throw mapStoreWriteError(storeRoot, error);
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, target);
}
