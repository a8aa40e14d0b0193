/**
 * `llm-batch/testing`: the local provider emulator (and an adapter wired to it), the shared adapter
 * conformance suite and an in-process fake adapter, for testing batch pipelines offline.
 */
export { createMockProviderServer } from './testing/mock-server/index.js';
export type * from './testing/mock-server/index.js';
export {
  createMockBatchProvider,
  type MockBatchProvider,
  type MockBatchProviderOptions,
} from './testing/mock-batch-provider.js';
export {
  runAdapterConformance,
  type AdapterCapabilities,
  type AdapterConformanceOptions,
} from './testing/run-adapter-conformance.js';
export {
  checkAdapterConformance,
  type AdapterConformanceFailure,
  type AdapterConformanceReport,
} from './testing/check-adapter-conformance.js';
export {
  runStoreConformance,
  checkStoreConformance,
  type MakeStore,
  type StoreConformanceFailure,
  type StoreConformanceOptions,
  type StoreConformanceReport,
} from './testing/run-store-conformance.js';
export {
  createFakeBatchBackend,
  fakeBatchProvider,
  type FakeBatch,
  type FakeBatchBackend,
  type FakeBatchProviderOptions,
} from './adapters/fake/fake-batch-provider.js';
