import { afterAll } from 'vitest';
import { emulated } from '../../../src/adapters/emulated/index.js';
import { anthropicMessages } from '../../../src/adapters/anthropic/index.js';
import { openaiChat, openaiResponses } from '../../../src/adapters/openai/index.js';
import { createMockProviderServer } from '../../../src/testing/mock-server/index.js';
import { runAdapterConformance } from '../../../src/testing/run-adapter-conformance.js';

// Requests whose text carries the marker fail with a 400, for the partial-failure test.
const server = await createMockProviderServer({
  latency: 10,
  respond: (request) => (JSON.stringify(request.body).includes('[fail]') ? { status: 400, error: { message: 'Rejected' } } : undefined),
});
afterAll(async () => {
  await server.close();
});

const strategies = {
  openaiChat: () => openaiChat({ apiKey: 'k', baseURL: `${server.url}/v1` }),
  openaiResponses: () => openaiResponses({ apiKey: 'k', baseURL: `${server.url}/v1` }),
  anthropicMessages: () => anthropicMessages({ apiKey: 'k', baseURL: server.url }),
};

for (const [name, createStrategy] of Object.entries(strategies)) {
  await runAdapterConformance({
    name: `emulated(${name})`,
    model: name === 'anthropicMessages' ? 'claude-haiku-4-5' : 'gpt-5.4-mini',
    createAdapter: () => emulated({ call: createStrategy(), concurrency: 4 }),
    // A run lives in the process that started it; resume after a crash is covered by emulated-resume.test.ts.
    capabilities: { resume: false },
  });
}
