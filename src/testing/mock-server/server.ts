/**
 * `createMockProviderServer`: one node:http server that speaks the OpenAI, Anthropic and Gemini wire formats,
 * with batch lifecycles, latency, rate limits, faults and a journal. This module owns the emulator's
 * state, the HTTP server and the control methods (`advance`, `reset`, `stats` ...); each request
 * goes through `createRequestHandler`.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { anthropicBatchObject, AnthropicBatchStore, refreshAnthropicBatch } from './anthropic-batches.js';
import { BatchClock } from './batch-clock.js';
import { createRequestHandler, type LiveServerState } from './create-request-handler.js';
import { openAIErrorBody } from './errors.js';
import { FaultPlanner } from './faults.js';
import { geminiBatchObject, refreshGeminiBatch } from './gemini-batches.js';
import { GeminiStore } from './gemini-state.js';
import { sendJson } from './http-utilities.js';
import { Journal } from './journal.js';
import { LatencyModel } from './latency.js';
import { openAIBatchObject } from './openai-batch-object.js';
import { OpenAIBatchStore } from './openai-batch-record.js';
import { FileStore } from './openai-files.js';
import type { ExecutionContext } from './openai-sync.js';
import {
  checkMockServerOptionKeys,
  type MockBatchSummary,
  type MockProvider,
  type MockProviderServer,
  type MockProviderServerOptions,
  type MockServerStats,
} from './options.js';
import { createIdFactory, createRandomSource } from './random.js';
import { ProviderRateLimiter } from './rate-limiter.js';
import { refreshOpenAIBatch } from './refresh-openai-batch.js';
import { rateLimitFor, resolveServerOptions } from './resolve-server-options.js';
import type { EmulatorState } from './route-context.js';

function emptyStats(): MockServerStats {
  return {
    requests: 0,
    byEndpoint: {},
    byStatus: {},
    faults: {},
    rateLimited: 0,
    successfulCalls: { openai: 0, anthropic: 0, gemini: 0 },
    successfulCallsByKey: {},
    batchesCreated: { openai: 0, anthropic: 0, gemini: 0 },
    filesUploaded: 0,
  };
}

/**
 * Starts the local provider emulator.
 *
 * @example
 * ```ts
 * const server = await createMockProviderServer({ batch: { processingMs: 200 } });
 * const openai = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1` });
 * // ... drive it ...
 * await server.close();
 * ```
 */
export async function createMockProviderServer(options: MockProviderServerOptions = {}): Promise<MockProviderServer> {
  checkMockServerOptionKeys(options);
  const { seed, embeddingDimensions, maxUploadBytes, apiKeys, batch: batchOptions } = resolveServerOptions(options);

  const clock = new BatchClock(batchOptions.clock);
  // Separate sources keep, e.g., a latency draw from shifting which request gets a fault.
  let stateRandom = createRandomSource(seed);
  let faultRandom = createRandomSource(seed ^ 0x9e3779b9);
  let latencyRandom = createRandomSource(seed ^ 0x85ebca6b);
  let createId = createIdFactory(() => stateRandom());
  const execution: ExecutionContext = {
    seed,
    respond: options.respond,
    createId: (prefix, length) => createId(prefix, length),
    now: () => clock.now(),
    embeddingDimensions,
  };
  const state: EmulatorState = {
    clock,
    execution,
    createId: (prefix, length) => createId(prefix, length),
    random: () => stateRandom(),
    batch: batchOptions,
    batchFaults: options.batchFaults ?? {},
    files: new FileStore(),
    openAIBatches: new OpenAIBatchStore(),
    anthropicBatches: new AnthropicBatchStore(),
    gemini: new GeminiStore(),
    counters: { filesUploaded: 0, batchesCreated: { openai: 0, anthropic: 0, gemini: 0 } },
  };
  const faults = new FaultPlanner(options.faults, () => faultRandom());
  const latency = new LatencyModel(options.latency, () => latencyRandom());
  const createLimiters = (): Record<MockProvider, ProviderRateLimiter> => ({
    openai: new ProviderRateLimiter('openai', rateLimitFor(options.rateLimit, 'openai'), Date.now()),
    anthropic: new ProviderRateLimiter('anthropic', rateLimitFor(options.rateLimit, 'anthropic'), Date.now()),
    gemini: new ProviderRateLimiter('gemini', rateLimitFor(options.rateLimit, 'gemini'), Date.now()),
  });
  const live: LiveServerState = { limiters: createLimiters(), stats: emptyStats(), origin: '' };
  const journal = new Journal(options.journalLimit ?? 100_000);
  const hungResponses = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const handle = createRequestHandler({ options, state, faults, latency, journal, apiKeys, maxUploadBytes, hungResponses, live });

  const server = createServer({ keepAlive: true, noDelay: true }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      // A handler bug must not take the process down; answer 500 if still possible.
      if (!response.headersSent) sendJson(response, 500, openAIErrorBody(500, `Emulator error: ${(error as Error).message}`), {});
      else response.destroy();
    });
  });
  // Many clients at once: the defaults (no limit, 5 s keep-alive) are tuned for the open internet.
  server.maxConnections = 100_000;
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.requestTimeout = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => {
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const displayHost = address.family === 'IPv6' ? `[${address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  live.origin = `http://${displayHost}:${address.port}`;

  async function refreshAll(): Promise<void> {
    for (const record of state.openAIBatches.batches.values()) await refreshOpenAIBatch(record, state);
    for (const record of state.anthropicBatches.batches.values()) await refreshAnthropicBatch(record, state);
    for (const record of state.gemini.batches.values()) await refreshGeminiBatch(record, state);
  }

  let closed: Promise<void> | undefined;
  return {
    url: live.origin,
    port: address.port,
    journal: journal.entries,
    async advance(ms: number) {
      clock.advance(ms);
      await refreshAll();
    },
    now: () => clock.now(),
    reset() {
      state.files.files.clear();
      state.openAIBatches.batches.clear();
      state.anthropicBatches.batches.clear();
      state.gemini.clear();
      state.counters.filesUploaded = 0;
      state.counters.batchesCreated = { openai: 0, anthropic: 0, gemini: 0 };
      journal.clear();
      live.stats = emptyStats();
      live.limiters = createLimiters();
      clock.reset();
      stateRandom = createRandomSource(seed);
      faultRandom = createRandomSource(seed ^ 0x9e3779b9);
      latencyRandom = createRandomSource(seed ^ 0x85ebca6b);
      createId = createIdFactory(() => stateRandom());
    },
    stats() {
      return structuredClone({ ...live.stats, filesUploaded: state.counters.filesUploaded, batchesCreated: { ...state.counters.batchesCreated } });
    },
    async batches(): Promise<MockBatchSummary[]> {
      await refreshAll();
      const summaries: MockBatchSummary[] = [];
      for (const record of state.openAIBatches.batches.values()) summaries.push({ provider: 'openai', id: record.id, status: record.status, total: record.total });
      for (const record of state.anthropicBatches.batches.values()) summaries.push({ provider: 'anthropic', id: record.id, status: record.status, total: record.total });
      for (const record of state.gemini.batches.values()) summaries.push({ provider: 'gemini', id: `batches/${record.id}`, status: record.state, total: record.total });
      return summaries;
    },
    async getBatch(id: string) {
      const openAIRecord = state.openAIBatches.batches.get(id);
      if (openAIRecord !== undefined) {
        await refreshOpenAIBatch(openAIRecord, state);
        return openAIBatchObject(openAIRecord, state);
      }
      const anthropicRecord = state.anthropicBatches.batches.get(id);
      if (anthropicRecord !== undefined) {
        await refreshAnthropicBatch(anthropicRecord, state);
        return anthropicBatchObject(anthropicRecord, state, live.origin);
      }
      const geminiRecord = state.gemini.batches.get(id.replace(/^batches\//, ''));
      if (geminiRecord !== undefined) {
        await refreshGeminiBatch(geminiRecord, state);
        return JSON.parse(geminiBatchObject(geminiRecord)) as Record<string, unknown>;
      }
      return undefined;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const response of hungResponses) response.destroy();
        hungResponses.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
