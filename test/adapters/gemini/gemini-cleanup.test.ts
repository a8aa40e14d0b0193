import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geminiBatch } from '../../../src/adapters/gemini/index.js';
import { GeminiContextCache } from '../../../src/adapters/gemini/gemini-context-cache.js';
import type { ProviderCallContext } from '../../../src/provider/batch-provider.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';

const apiKey = 'test-gemini-cleanup-key-0001';
const context: ProviderCallContext = { warn: () => {} };

let server: MockProviderServer;

beforeAll(async () => {
  server = await createMockProviderServer();
});

afterAll(async () => {
  await server.close();
});

/**
 * The plain SDK on the emulator; `refuse` answers 403 PERMISSION_DENIED, as Google does, for the
 * requests it matches (a key that may not delete, or may not touch files at all).
 */
function genai(refuse?: (method: string, path: string) => boolean): GoogleGenAI {
  const transport: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    if (refuse?.(method, url.pathname)) {
      const body = { error: { code: 403, message: 'Permission denied on resource (or it may not exist).', status: 'PERMISSION_DENIED' } };
      return new Response(JSON.stringify(body), { status: 403, headers: { 'content-type': 'application/json' } });
    }
    return fetch(input, init);
  };
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: server.url, apiVersion: 'v1beta', fetch: transport } });
}

async function uploadFile(): Promise<string> {
  const file = await genai().files.upload({ file: new Blob(['{"key":"a","request":{"contents":[{"parts":[{"text":"hi"}]}]}}\n']), config: { mimeType: 'jsonl' } });
  return file.name!;
}

async function listedFiles(): Promise<string[]> {
  const names: string[] = [];
  for await (const file of await genai().files.list({ config: { pageSize: 100 } })) names.push(file.name!);
  return names;
}

const deletes = () => server.journal.filter((entry) => entry.endpoint === 'gemini.files.delete');

describe('Gemini cleanup: "already gone" is not an error, a refused delete is', () => {
  it('files deleted before (the emulator and Google answer 403) are taken as gone', async () => {
    const [input, responses] = [await uploadFile(), await uploadFile()];
    await genai().files.delete({ name: input });
    await genai().files.delete({ name: responses });
    const before = deletes().length;
    const adapter = geminiBatch({ client: genai() });
    await expect(adapter.cleanup!({ id: 'batches/gone', inputFileName: input, responsesFileName: responses }, context)).resolves.toBeUndefined();
    // Both deletes were sent and answered 403; the listing showed neither file.
    expect(deletes().slice(before).map((entry) => entry.status)).toEqual([403, 403]);
  });

  it('a 403 on a file that is still listed is a real permission error, and the file stays', async () => {
    const input = await uploadFile();
    const adapter = geminiBatch({ client: genai((method, path) => method === 'DELETE' && path.startsWith('/v1beta/files/')) });
    await expect(adapter.cleanup!({ id: 'batches/x', inputFileName: input }, context)).rejects.toMatchObject({ status: 403 });
    expect(await listedFiles()).toContain(input);
  });

  it('a 403 when the listing is refused too (a key without access to files) is reported, not swallowed', async () => {
    const adapter = geminiBatch({ client: genai((_method, path) => path.startsWith('/v1beta/files')) });
    await expect(adapter.cleanup!({ id: 'batches/x', inputFileName: 'files/whatever' }, context)).rejects.toMatchObject({ status: 403 });
  });

  it('a context cache already deleted (403 from the emulator) is taken as gone; a refused delete of a listed one is not', async () => {
    const created = await genai().caches.create({ model: 'gemini-2.5-flash', config: { contents: [{ role: 'user', parts: [{ text: 'shared prefix '.repeat(2_000) }] }], ttl: '600s' } });
    const name = created.name!;
    const refused = new GeminiContextCache(genai((method, path) => method === 'DELETE' && path.startsWith('/v1beta/cachedContents/')), { contents: 'x' });
    await expect(refused.delete(name)).rejects.toMatchObject({ status: 403 });
    const cache = new GeminiContextCache(genai(), { contents: 'x' });
    await cache.delete(name);
    // Gone now: deleting again answers 403, which is taken as "already gone".
    await expect(cache.delete(name)).resolves.toBeUndefined();
    const statuses = server.journal.filter((entry) => entry.endpoint === 'gemini.caches.delete').map((entry) => entry.status);
    expect(statuses.slice(-2)).toEqual([200, 403]);
  });
});
