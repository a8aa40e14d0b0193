/**
 * The Gemini side of the emulator at sizes too slow for `npm test`: an upload of more than one
 * 8 MB resumable chunk, and a file batch of 20,000 lines whose responses file keeps input order.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleGenAI, JobState } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

let server: MockProviderServer | undefined;
const directories: string[] = [];

afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

describe('Gemini emulator at size', () => {
  it('uploads 9 MB in two resumable chunks and downloads the same bytes', async () => {
    server = await createMockProviderServer();
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } });
    const bytes = Buffer.alloc(9 * 1024 * 1024, 'a');
    bytes.write('first line\n', 0);
    const uploaded = await ai.files.upload({ file: new Blob([bytes]), config: { mimeType: 'text/plain' } });
    expect(uploaded.sizeBytes).toBe(String(bytes.length));
    expect(server.journal.filter((entry) => entry.endpoint === 'gemini.files.upload')).toHaveLength(3);
    const directory = await mkdtemp(join(tmpdir(), 'gemini-large-'));
    directories.push(directory);
    await ai.files.download({ file: uploaded.name ?? '', downloadPath: join(directory, 'out') });
    expect((await readFile(join(directory, 'out'))).equals(bytes)).toBe(true);
  }, 60_000);

  it('runs a 20,000-line file batch with the responses in input order', async () => {
    server = await createMockProviderServer({ batch: { clock: 'manual', processingMs: 1000 } });
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } });
    const lines = Array.from({ length: 20_000 }, (_, index) => JSON.stringify({ key: `k-${index}`, request: { contents: [{ parts: [{ text: `Line ${index}` }] }] } }));
    const uploaded = await ai.files.upload({ file: new Blob([lines.join('\n')]), config: { mimeType: 'application/jsonl' } });
    const job = await ai.batches.create({ model: 'gemini-2.5-flash', src: uploaded.name ?? '' });
    await server.advance(2000);
    const done = await ai.batches.get({ name: job.name ?? '' });
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    const directory = await mkdtemp(join(tmpdir(), 'gemini-large-'));
    directories.push(directory);
    await ai.files.download({ file: done.dest?.fileName ?? '', downloadPath: join(directory, 'responses.jsonl') });
    const keys = (await readFile(join(directory, 'responses.jsonl'), 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { key: string }).key);
    expect(keys).toEqual(Array.from({ length: 20_000 }, (_, index) => `k-${index}`));
  }, 60_000);
});
