/** How many listed resources {@link deleteUnlessGone} looks through before it stops being sure. */
const maxListed = 1_000;

/**
 * Deletes a file or a context cache, treating one that is already gone as deleted.
 *
 * Gemini answers 404 for some missing resources but 403 for a missing file or cache (`You do not
 * have permission to access the File ... or it may not exist`, `CachedContent not found (or
 * permission denied)`): the same answer as for one that exists and is not ours to delete. The two
 * are told apart by listing what the key can see: a 403 means "already gone" only when the listing
 * works (so the key is allowed to read this kind of resource) and the name is not in it. When the
 * listing fails (a key without access, a disabled API), when the name is listed (it exists, and the
 * delete was refused), or when the listing is too long to be sure, the delete's own error is thrown.
 *
 * @param list The names the key can see, newest first (`files.list` or `caches.list`).
 */
export async function deleteUnlessGone(name: string, remove: () => Promise<unknown>, list: () => Promise<AsyncIterable<{ name?: string }>>): Promise<void> {
  try {
    await remove();
  } catch (error) {
    const status = (error as { status?: unknown } | null)?.status;
    if (status === 404) return;
    if (status !== 403 || (await isListed(name, list))) throw error;
  }
}

/** True unless a full listing (of at most {@link maxListed}) worked and did not hold the name. */
async function isListed(name: string, list: () => Promise<AsyncIterable<{ name?: string }>>): Promise<boolean> {
  try {
    let seen = 0;
    for await (const resource of await list()) {
      if (resource.name === name || ++seen >= maxListed) return true;
    }
    return false;
  } catch {
    return true;
  }
}
