import { afterAll } from 'vitest';
import { emulated } from '../../../src/adapters/emulated/index.js';
import { geminiBatch, geminiGenerate } from '../../../src/adapters/gemini/index.js';
import { createMockProviderServer } from '../../../src/testing/mock-server/index.js';
import { runAdapterConformance } from '../../../src/testing/run-adapter-conformance.js';

// Requests whose text carries the marker fail with a 400, for the partial-failure checks.
const server = await createMockProviderServer({
  latency: 5,
  batch: { processingMs: 50, cancellingMs: 10 },
  respond: (request) => (JSON.stringify(request.body).includes('[fail]') ? { status: 400, error: { message: 'Rejected by the test backend' } } : undefined),
});
afterAll(async () => {
  await server.close();
});

await runAdapterConformance({
  name: 'geminiBatch',
  model: 'gemini-2.5-flash',
  createAdapter: () => geminiBatch({ apiKey: 'test-gemini-key', baseURL: server.url }),
});

await runAdapterConformance({
  name: 'emulated(geminiGenerate)',
  model: 'gemini-2.5-flash',
  createAdapter: () => emulated({ call: geminiGenerate({ apiKey: 'test-gemini-key', baseURL: server.url }), concurrency: 4 }),
  // A run lives in the process that started it; resume after a crash is covered by the emulated adapter's own tests.
  capabilities: { resume: false },
});
