import { runAdapterConformance } from 'llm-batch/testing';
import { echoAdapter } from './custom-adapter.js';

// The same suite every built-in adapter passes.
await runAdapterConformance({
  name: 'examples/custom-adapter.ts (echo)',
  createAdapter: () => echoAdapter({ processingMs: 5 }),
  pollIntervalMs: 2,
});
