import { createFakeBatchBackend, fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { runAdapterConformance } from '../../src/testing/run-adapter-conformance.js';

const backend = createFakeBatchBackend();

await runAdapterConformance({
  name: 'in-process fake adapter',
  createAdapter: () => fakeBatchProvider({ backend }),
  pollIntervalMs: 1,
});
