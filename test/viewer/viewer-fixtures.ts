import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchStore } from '../../src/store/batch-store.js';
import { fileStore } from '../../src/store/file-store.js';
import { createMockBatchProvider } from '../../src/testing/mock-batch-provider.js';
import type { MockAnswer, MockRequest } from '../../src/testing/mock-server/options.js';

/** Answers that a page must show as text, never run. */
export const scriptAnswer = '<script>window.__xss = "script"</script>';
export const imageAnswer = '<img src=x onerror="window.__xss = \'img\'">';

/** The emulator's script: item ids name what they answer (xss_*, fail_*, else the default). */
export function respond(request: MockRequest): MockAnswer | undefined {
  const messages = request.body['messages'] as { content: string }[] | undefined;
  const prompt = messages?.[messages.length - 1]?.content ?? '';
  if (prompt.includes('say-script')) return { text: scriptAnswer };
  if (prompt.includes('say-image')) return { text: imageAnswer };
  if (prompt.includes('refuse')) return { status: 400, error: { message: `bad request for ${prompt}`, type: 'invalid_request_error' } };
  return undefined;
}

export function requestsOf(count: number, prompt: (index: number) => string = (index) => `prompt ${index}`): BatchRequest[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `item_${index}`,
    model: 'gpt-5.4-mini',
    messages: [{ role: 'user' as const, content: prompt(index) }],
    metadata: { row: String(index), group: index % 2 === 0 ? 'even' : 'odd' },
  }));
}

export async function temporaryStore(): Promise<{ store: BatchStore; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'llm-batch-viewer-'));
  return { store: fileStore({ dir }), dir };
}

/** Runs `requests` as an emulated job on the emulator into `store`; resolves to the job id. */
export async function runJob(store: BatchStore, requests: BatchRequest[], metadata: Record<string, string> = {}, intake: 'checked' | 'streaming' = 'checked'): Promise<string> {
  const mock = await createMockBatchProvider({ mode: 'emulated', server: { respond }, emulated: { concurrency: 16 } });
  const client = createBatchClient({ provider: mock.provider, store });
  try {
    // A streaming intake cannot hold a budget (it is checked against the whole input first).
    const job = await client.submit(requests, intake === 'streaming' ? { metadata, intake } : { metadata, maxCostUsd: 100 });
    await client.wait(job.id);
    // Reading the aggregate prices the results and stores the job's cost.
    await client.aggregate(job.id);
    return job.id;
  } finally {
    await client.close();
    await mock.close();
  }
}
