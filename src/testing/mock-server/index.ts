/**
 * The local provider emulator: a real HTTP server speaking the OpenAI, Anthropic and Gemini wire formats.
 */
export { createMockProviderServer } from './server.js';
export { faultKinds } from './options.js';
export type {
  FaultKind,
  JournalEntry,
  LatencySpec,
  MockAnswer,
  MockBatchFaultOptions,
  MockBatchOptions,
  MockBatchSummary,
  MockEndpoint,
  MockFaultOptions,
  MockProvider,
  MockProviderServer,
  MockProviderServerOptions,
  MockRateLimitOptions,
  MockRequest,
  MockResponder,
  MockServerStats,
  MockToolCall,
  MockUsage,
} from './options.js';
export { formatGoDuration } from './rate-limiter.js';
