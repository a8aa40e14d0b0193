import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, GoogleGenAI, JobState } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import type { MockProviderServer, MockProviderServerOptions } from '../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../support/emulator.js';

const emulators = emulatorPerTest();
const temporaryDirectories: string[] = [];

afterEach(async () => {
  for (const directory of temporaryDirectories.splice(0)) await rm(directory, { recursive: true, force: true });
});

async function start(options: MockProviderServerOptions = {}): Promise<{ server: MockProviderServer; ai: GoogleGenAI }> {
  const server = await emulators.start({ ...options, batch: { clock: 'manual', validatingMs: 100, processingMs: 1000, ...options.batch } });
  return { server, ai: new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } }) };
}

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
  return 200;
}

/** About 5,000 tokens of shared prefix (the emulator counts four characters a token). */
const longPrefix = 'The shared reference document says many things. '.repeat(400);

describe('Gemini Files API through @google/genai', () => {
  it('uploads resumably (start, then upload + finalize), gets, lists, downloads and deletes', async () => {
    const { server, ai } = await start();
    const bytes = Buffer.from('first line\nsecond line\n'.repeat(1000));
    const uploaded = await ai.files.upload({ file: new Blob([bytes]), config: { mimeType: 'text/plain', displayName: 'big.txt' } });
    expect(uploaded).toMatchObject({ mimeType: 'text/plain', displayName: 'big.txt', sizeBytes: String(bytes.length), state: 'ACTIVE', source: 'UPLOADED' });
    const uploads = server.journal.filter((entry) => entry.endpoint === 'gemini.files.upload');
    expect(uploads).toHaveLength(2); // start, then upload + finalize (chunks of 8 MB: test/reliability has a bigger one)
    const got = await ai.files.get({ name: uploaded.name ?? '' });
    expect(got.sha256Hash).toBe(uploaded.sha256Hash);
    const small = await ai.files.upload({ file: new Blob(['{"key":"a"}\n']), config: { mimeType: 'application/jsonl' } });
    const names: string[] = [];
    for await (const file of await ai.files.list({ config: { pageSize: 1 } })) names.push(file.name ?? '');
    expect(names).toEqual([small.name, uploaded.name]);
    const directory = await mkdtemp(join(tmpdir(), 'gemini-files-'));
    temporaryDirectories.push(directory);
    const path = join(directory, 'out.txt');
    await ai.files.download({ file: uploaded.name ?? '', downloadPath: path });
    expect((await readFile(path)).equals(bytes)).toBe(true);
    await ai.files.delete({ name: uploaded.name ?? '' });
    expect(await status(ai.files.get({ name: uploaded.name ?? '' }))).toBe(403);
    expect(server.stats().filesUploaded).toBe(2);
  });

  it('answers the download path the REST docs give and cuts it with the truncated fault', async () => {
    const { server, ai } = await start();
    const uploaded = await ai.files.upload({ file: new Blob(['0123456789']), config: { mimeType: 'text/plain' } });
    const id = (uploaded.name ?? '').replace('files/', '');
    const full = await fetch(`${server.url}/download/v1beta/files/${id}:download?alt=media`, { headers: { 'x-goog-api-key': 'k' } });
    expect(await full.text()).toBe('0123456789');
    const cut = await fetch(`${server.url}/v1beta/files/${id}:download?alt=media`, { headers: { 'x-goog-api-key': 'k', 'x-mock-fault': 'truncated' } });
    expect(await cut.text()).toBe('01234');
    const withoutAlt = await fetch(`${server.url}/v1beta/files/${id}:download`, { headers: { 'x-goog-api-key': 'k' } });
    expect(withoutAlt.status).toBe(400);
  });

  it('refuses a finalize whose size differs from the declared one', async () => {
    const { server } = await start();
    const started = await fetch(`${server.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'k', 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start', 'x-goog-upload-header-content-length': '10', 'content-type': 'application/json' },
      body: JSON.stringify({ file: { mimeType: 'text/plain' } }),
    });
    const uploadUrl = started.headers.get('x-goog-upload-url') ?? '';
    expect(uploadUrl).toContain('upload_id=');
    const finalize = await fetch(uploadUrl, { method: 'POST', headers: { 'x-goog-api-key': 'k', 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' }, body: 'short' });
    expect(finalize.status).toBe(400);
    expect(((await finalize.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
  });
});

describe('Gemini context caching through @google/genai', () => {
  it('creates, gets, lists, extends and deletes a cache; generateContent reports cachedContentTokenCount', async () => {
    const { server, ai } = await start();
    const cache = await ai.caches.create({
      model: 'gemini-2.5-flash',
      config: { contents: [{ role: 'user', parts: [{ text: longPrefix }] }], systemInstruction: 'Answer from the document.', ttl: '300s', displayName: 'job-42' },
    });
    expect(cache.name).toMatch(/^cachedContents\//);
    expect(cache.model).toBe('models/gemini-2.5-flash');
    const cachedTokens = cache.usageMetadata?.totalTokenCount ?? 0;
    expect(cachedTokens).toBeGreaterThan(4000);
    expect(Date.parse(cache.expireTime ?? '') - Date.parse(cache.createTime ?? '')).toBe(300_000);

    const answer = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'What does it say?', config: { cachedContent: cache.name ?? '' } });
    expect(answer.usageMetadata?.cachedContentTokenCount).toBe(cachedTokens);
    expect(answer.usageMetadata?.promptTokenCount).toBeGreaterThan(cachedTokens);

    const updated = await ai.caches.update({ name: cache.name ?? '', config: { ttl: '7200s' } });
    expect(Date.parse(updated.expireTime ?? '') - server.now()).toBe(7_200_000);
    const listed: string[] = [];
    for await (const item of await ai.caches.list()) listed.push(item.displayName ?? '');
    expect(listed).toEqual(['job-42']);
    expect((await ai.caches.get({ name: cache.name ?? '' })).displayName).toBe('job-42');
    await ai.caches.delete({ name: cache.name ?? '' });
    expect(await status(ai.caches.get({ name: cache.name ?? '' }))).toBe(403);
    expect(await status(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Again?', config: { cachedContent: cache.name ?? '' } }))).toBe(403);
    expect(server.stats().byEndpoint['gemini.caches.create']).toBe(1);
  });

  it('expires a cache on the batch clock, refuses a too-small one and a request that repeats the system instruction', async () => {
    const { server, ai } = await start();
    expect(await status(ai.caches.create({ model: 'gemini-2.5-flash', config: { contents: 'tiny' } }))).toBe(400);
    const cache = await ai.caches.create({ model: 'gemini-2.5-flash', config: { contents: longPrefix, ttl: '60s' } });
    expect(await status(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi', config: { cachedContent: cache.name ?? '', systemInstruction: 'Also this' } }))).toBe(400);
    expect(await status(ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Hi', config: { cachedContent: cache.name ?? '' } }))).toBe(400);
    await server.advance(61_000);
    expect(await status(ai.caches.get({ name: cache.name ?? '' }))).toBe(403);
  });

  it('reports the cached prefix for every item of a batch that references the cache', async () => {
    const { server, ai } = await start();
    const cache = await ai.caches.create({ model: 'gemini-2.5-flash', config: { contents: longPrefix } });
    const job = await ai.batches.create({
      model: 'gemini-2.5-flash',
      src: Array.from({ length: 5 }, (_, index) => ({ contents: `Item ${index}`, config: { cachedContent: cache.name ?? '' }, metadata: { key: `k${index}` } })),
    });
    await server.advance(2000);
    const done = await ai.batches.get({ name: job.name ?? '' });
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    const counts = (done.dest?.inlinedResponses ?? []).map((item) => item.response?.usageMetadata?.cachedContentTokenCount);
    expect(counts).toEqual(Array.from({ length: 5 }, () => cache.usageMetadata?.totalTokenCount));
  });
});
