import { afterAll, beforeAll } from 'vitest';
import { anthropicBatch } from '../../../src/adapters/anthropic/anthropic-batch-adapter.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';
import { runAdapterConformance } from '../../../src/testing/run-adapter-conformance.js';

let server: MockProviderServer;

beforeAll(async () => {
  server = await createMockProviderServer({
    batch: { processingMs: 50, cancellingMs: 10 },
    respond: (request) =>
      JSON.stringify(request.body.messages).includes('[fail]')
        ? { status: 400, error: { type: 'invalid_request_error', message: 'Rejected by the test backend' } }
        : undefined,
  });
});

afterAll(async () => {
  await server.close();
});

await runAdapterConformance({
  name: 'anthropicBatch',
  model: 'claude-haiku-4-5',
  createAdapter: () => anthropicBatch({ apiKey: 'test-key', baseURL: server.url }),
});
