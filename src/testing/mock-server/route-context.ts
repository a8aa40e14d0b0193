/**
 * What a route handler receives and returns.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatchClock } from './batch-clock.js';
import type { FileStore } from './openai-files.js';
import type { ExecutionContext } from './openai-sync.js';
import type { FaultKind, MockBatchFaultOptions, MockBatchOptions, MockEndpoint, MockProvider } from './options.js';
import type { RandomSource } from './random.js';
import type { OpenAIBatchStore } from './openai-batch-record.js';
import type { AnthropicBatchStore } from './anthropic-batches.js';
import type { GeminiStore } from './gemini-state.js';

/** Batch options with every default filled in. */
export type ResolvedBatchOptions = Required<MockBatchOptions>;

/** Shared mutable state of one emulator instance. */
export interface EmulatorState {
  readonly clock: BatchClock;
  readonly execution: ExecutionContext;
  readonly createId: (prefix: string, length?: number) => string;
  /** Draws for batch-level faults and result-file faults. */
  readonly random: RandomSource;
  readonly batch: ResolvedBatchOptions;
  readonly batchFaults: MockBatchFaultOptions;
  readonly files: FileStore;
  readonly openAIBatches: OpenAIBatchStore;
  readonly anthropicBatches: AnthropicBatchStore;
  /** Gemini files, uploads, batch jobs and cached contents. */
  readonly gemini: GeminiStore;
  readonly counters: { filesUploaded: number; batchesCreated: { openai: number; anthropic: number; gemini: number } };
}

export interface RouteContext {
  readonly request: IncomingMessage;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly requestId: string;
  /** Origin clients reached us under, for absolute URLs such as `results_url`. */
  readonly origin: string;
  readonly fault: FaultKind | undefined;
  readonly provider: MockProvider;
  readonly endpoint: MockEndpoint;
  readonly state: EmulatorState;
  /** The body parsed as a JSON object; throws a 400 otherwise. */
  json(): Record<string, unknown>;
}

/** A handler's answer: JSON, raw bytes, or a streamed body. */
export type RouteResult =
  | { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }
  | { readonly status: number; readonly raw: Buffer | string; readonly contentType: string; readonly headers?: Record<string, string> }
  | { readonly status: number; readonly stream: (response: ServerResponse) => Promise<void>; readonly contentType: string; readonly headers?: Record<string, string> };

export type RouteHandler = (context: RouteContext) => RouteResult | Promise<RouteResult>;
