/**
 * `createMockProviderServer`: one node:http server that speaks the OpenAI and Anthropic wire formats,
 * with batch lifecycles, latency, rate limits, faults and a journal.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { anthropicBatchObject, AnthropicBatchStore, refreshAnthropicBatch } from './anthropic-batches.js';
import { countAnthropicTokens, executeAnthropicMessage } from './anthropic-messages.js';
import { BatchClock } from './batch-clock.js';
import { anthropicErrorBody, errorBodyFor, MockHttpError, openAIErrorBody } from './errors.js';
import { faultHeader, FaultPlanner, httpFaultKinds, httpFaultResponse } from './faults.js';
import { readBody } from './http-utilities.js';
import { headersWithoutSecrets, Journal } from './journal.js';
import { LatencyModel } from './latency.js';
import { openAIBatchObject } from './openai-batch-object.js';
import { OpenAIBatchStore } from './openai-batch-record.js';
import { FileStore } from './openai-files.js';
import { executeOpenAIRequest, openAILastUserText, type ExecutionContext, type ExecutionResult } from './openai-sync.js';
import {
  checkMockServerOptionKeys,
  type FaultKind,
  type JournalEntry,
  type MockBatchSummary,
  type MockEndpoint,
  type MockProvider,
  type MockProviderServer,
  type MockProviderServerOptions,
  type MockRateLimitOptions,
  type MockServerStats,
} from './options.js';
import { createIdFactory, createRandomSource } from './random.js';
import { ProviderRateLimiter } from './rate-limiter.js';
import { refreshOpenAIBatch } from './refresh-openai-batch.js';
import { collectText } from './responder.js';
import { matchRoute } from './router.js';
import type { EmulatorState, ResolvedBatchOptions, RouteContext, RouteResult } from './route-context.js';

const megabyte = 1024 * 1024;
const jsonBodyLimit = { openai: 100 * megabyte, anthropic: 32 * megabyte };
const generationPaths: Partial<Record<MockEndpoint, string>> = {
  'chat.completions': '/v1/chat/completions',
  responses: '/v1/responses',
  embeddings: '/v1/embeddings',
};

function resolveBatchOptions(options: MockProviderServerOptions['batch']): ResolvedBatchOptions {
  const resolved: ResolvedBatchOptions = {
    clock: options?.clock ?? 'real',
    validatingMs: options?.validatingMs ?? 100,
    processingMs: options?.processingMs ?? 500,
    finalizingMs: options?.finalizingMs ?? 100,
    cancellingMs: options?.cancellingMs ?? 100,
    expireAfterMs: options?.expireAfterMs ?? 24 * 3600 * 1000,
    maxOpenAIRequests: options?.maxOpenAIRequests ?? 50_000,
    maxAnthropicRequests: options?.maxAnthropicRequests ?? 100_000,
    maxInputFileBytes: options?.maxInputFileBytes ?? 200 * megabyte,
    maxAnthropicBodyBytes: options?.maxAnthropicBodyBytes ?? 256 * megabyte,
    emptyStringErrorFileId: options?.emptyStringErrorFileId ?? false,
  };
  for (const key of ['validatingMs', 'finalizingMs', 'cancellingMs', 'expireAfterMs', 'maxOpenAIRequests', 'maxAnthropicRequests', 'maxInputFileBytes', 'maxAnthropicBodyBytes'] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`Option batch.${key} must be a non-negative number, got ${String(value)}`);
  }
  const processing = resolved.processingMs;
  const processingValue = typeof processing === 'number' ? processing : processing.perRequest;
  if (!Number.isFinite(processingValue) || processingValue < 0) {
    throw new TypeError(`Option batch.processingMs must be a non-negative number or { perRequest }, got ${JSON.stringify(processing)}`);
  }
  if (resolved.clock !== 'real' && resolved.clock !== 'manual') throw new TypeError(`Option batch.clock must be 'real' or 'manual', got ${String(resolved.clock)}`);
  return resolved;
}

function rateLimitFor(option: MockProviderServerOptions['rateLimit'], provider: MockProvider): MockRateLimitOptions {
  if (option === undefined) return {};
  if ('openai' in option || 'anthropic' in option) {
    return (option as { openai?: MockRateLimitOptions; anthropic?: MockRateLimitOptions })[provider] ?? {};
  }
  return option as MockRateLimitOptions;
}

function emptyStats(): MockServerStats {
  return {
    requests: 0,
    byEndpoint: {},
    byStatus: {},
    faults: {},
    rateLimited: 0,
    successfulCalls: { openai: 0, anthropic: 0 },
    successfulCallsByKey: {},
    batchesCreated: { openai: 0, anthropic: 0 },
    filesUploaded: 0,
  };
}

/** Guesses the provider of an unmatched request from its headers, to answer 404s in the right format. */
function guessProvider(request: IncomingMessage): MockProvider {
  return request.headers['x-api-key'] !== undefined || request.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
}

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.*)$/i.exec(header);
  return match?.[1]?.trim();
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
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new TypeError(`Option seed must be an integer, got ${String(seed)}`);
  const embeddingDimensions = options.embeddingDimensions ?? 64;
  if (!Number.isInteger(embeddingDimensions) || embeddingDimensions < 1) throw new TypeError(`Option embeddingDimensions must be a positive integer, got ${String(embeddingDimensions)}`);
  const maxUploadBytes = options.maxUploadBytes ?? 512 * megabyte;
  const apiKeys = options.apiKeys === undefined ? undefined : new Set(options.apiKeys);
  const batchOptions = resolveBatchOptions(options.batch);
  for (const key of ['itemErrorRate', 'expireRate', 'failValidationRate', 'dropLineRate', 'unknownCustomIdRate'] as const) {
    const value = options.batchFaults?.[key];
    if (value !== undefined && (!(value >= 0) || value > 1)) throw new TypeError(`Option batchFaults.${key} must be a probability between 0 and 1, got ${String(value)}`);
  }

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
    counters: { filesUploaded: 0, batchesCreated: { openai: 0, anthropic: 0 } },
  };
  const faults = new FaultPlanner(options.faults, () => faultRandom());
  const latency = new LatencyModel(options.latency, () => latencyRandom());
  const createLimiters = (): Record<MockProvider, ProviderRateLimiter> => ({
    openai: new ProviderRateLimiter('openai', rateLimitFor(options.rateLimit, 'openai'), Date.now()),
    anthropic: new ProviderRateLimiter('anthropic', rateLimitFor(options.rateLimit, 'anthropic'), Date.now()),
  });
  let limiters = createLimiters();
  const journal = new Journal(options.journalLimit ?? 100_000);
  let stats = emptyStats();
  const hungResponses = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let origin = '';

  function finishEntry(entry: JournalEntry, status: number, started: number): void {
    entry.status = status;
    entry.durationMs = performance.now() - started;
    stats.byStatus[String(status)] = (stats.byStatus[String(status)] ?? 0) + 1;
  }

  function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
    const text = JSON.stringify(body);
    response.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  }

  function authenticate(provider: MockProvider, request: IncomingMessage, requestId: string): { status: number; body: unknown } | undefined {
    if (provider === 'openai') {
      const key = bearerToken(request);
      if (key === undefined || key === '') {
        return {
          status: 401,
          body: openAIErrorBody(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", { type: 'invalid_request_error', code: 'invalid_api_key' }),
        };
      }
      if (apiKeys !== undefined && !apiKeys.has(key)) {
        return { status: 401, body: openAIErrorBody(401, 'Incorrect API key provided.', { type: 'invalid_request_error', code: 'invalid_api_key' }) };
      }
      return undefined;
    }
    const header = request.headers['x-api-key'];
    const key = (Array.isArray(header) ? header[0] : header) ?? bearerToken(request);
    if (key === undefined || key === '') return { status: 401, body: anthropicErrorBody(401, 'x-api-key header is required', requestId) };
    if (apiKeys !== undefined && !apiKeys.has(key)) return { status: 401, body: anthropicErrorBody(401, 'invalid x-api-key', requestId) };
    if (request.headers['anthropic-version'] === undefined) {
      return { status: 400, body: anthropicErrorBody(400, 'anthropic-version: header is required', requestId) };
    }
    return undefined;
  }

  async function executeGeneration(endpoint: MockEndpoint, body: Record<string, unknown>, requestId: string): Promise<ExecutionResult> {
    if (endpoint === 'messages') return executeAnthropicMessage(body, execution, requestId);
    if (endpoint === 'messages.count_tokens') return { status: 200, body: { input_tokens: countAnthropicTokens(body) } };
    return executeOpenAIRequest(generationPaths[endpoint] ?? '/v1/chat/completions', body, execution);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(request.url ?? '/', origin);
    const method = request.method ?? 'GET';
    const match = matchRoute(method, url.pathname);
    const provider = match?.route.provider ?? guessProvider(request);
    const endpoint: MockEndpoint = match?.route.endpoint ?? 'unknown';
    const requestId = createId('req_', 24);
    const idHeader = provider === 'openai' ? 'x-request-id' : 'request-id';
    const entry: JournalEntry = { method, path: url.pathname, status: 0, startedAt: Date.now(), durationMs: 0, provider, endpoint };
    journal.add(entry);
    stats.requests += 1;
    stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;
    response.on('close', () => {
      hungResponses.delete(response);
      if (entry.status === 0 && entry.durationMs === 0) entry.durationMs = performance.now() - started;
    });

    const limit = endpoint === 'files.upload' ? maxUploadBytes : endpoint === 'messages.batches.create' ? batchOptions.maxAnthropicBodyBytes : jsonBodyLimit[provider];
    const { data: body, tooLarge, size } = await readBody(request, limit);
    if (options.journalBodies === true) {
      entry.headers = headersWithoutSecrets(request.headers);
      entry.body = endpoint === 'files.upload' ? { multipart: true, bytes: size } : body.length > 0 ? safeParse(body) : undefined;
    }
    const baseHeaders: Record<string, string> = { [idHeader]: requestId };

    if (match === undefined) {
      const status = 404;
      const errorBody = provider === 'openai'
        ? openAIErrorBody(404, `Invalid URL (${method} ${url.pathname})`, { type: 'invalid_request_error' })
        : anthropicErrorBody(404, `Not found: ${method} ${url.pathname}`, requestId);
      finishEntry(entry, status, started);
      sendJson(response, status, errorBody, baseHeaders);
      return;
    }
    const authFailure = authenticate(provider, request, requestId);
    if (authFailure !== undefined) {
      finishEntry(entry, authFailure.status, started);
      sendJson(response, authFailure.status, authFailure.body, baseHeaders);
      return;
    }
    if (tooLarge) {
      const message = `Request body of ${size} bytes exceeds the limit of ${limit} bytes.`;
      const errorBody = provider === 'openai' ? openAIErrorBody(413, message, { type: 'invalid_request_error', code: 'request_too_large' }) : anthropicErrorBody(413, message, requestId);
      finishEntry(entry, 413, started);
      sendJson(response, 413, errorBody, baseHeaders);
      return;
    }

    const faultHeaderValue = request.headers[faultHeader];
    const picked = faults.pick(endpoint, Array.isArray(faultHeaderValue) ? faultHeaderValue[0] : faultHeaderValue);
    if (picked.error !== undefined) {
      const errorBody = provider === 'openai' ? openAIErrorBody(400, picked.error, { param: faultHeader }) : anthropicErrorBody(400, picked.error, requestId);
      finishEntry(entry, 400, started);
      sendJson(response, 400, errorBody, baseHeaders);
      return;
    }
    const fault: FaultKind | undefined = picked.kind;
    if (fault !== undefined) {
      entry.fault = fault;
      stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
    }

    let parsedJson: Record<string, unknown> | undefined;
    const json = (): Record<string, unknown> => {
      if (parsedJson !== undefined) return parsedJson;
      let value: unknown;
      try {
        value = JSON.parse(body.toString('utf8'));
      } catch {
        throw new MockHttpError(400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly.)');
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MockHttpError(400, 'The request body must be a JSON object.');
      parsedJson = value as Record<string, unknown>;
      return parsedJson;
    };

    try {
      const isGeneration = match.route.handler === undefined;
      const limiter = limiters[provider];
      let rateHeaders: Record<string, string> = {};
      if (isGeneration && limiter.active && fault === undefined) {
        const requestBody = json();
        const maxTokens = [requestBody.max_tokens, requestBody.max_completion_tokens, requestBody.max_output_tokens].find((value): value is number => typeof value === 'number');
        const tokens = Math.ceil(body.length / 4) + (maxTokens ?? limiter.defaultMaxTokens);
        const decision = limiter.check(tokens, Date.now());
        rateHeaders = decision.headers;
        if (!decision.allowed) {
          stats.rateLimited += 1;
          const retryHeaders = { 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))), 'retry-after-ms': String(decision.retryAfterMs) };
          const errorBody = provider === 'openai'
            ? openAIErrorBody(429, `Rate limit reached for ${String(requestBody.model ?? 'model')} on requests or tokens per min. Please try again in ${Math.ceil(decision.retryAfterMs)}ms.`, { type: 'requests', code: 'rate_limit_exceeded' })
            : anthropicErrorBody(429, 'This request would exceed your organization\'s rate limit. Please try again later.', requestId);
          finishEntry(entry, 429, started);
          sendJson(response, 429, errorBody, { ...baseHeaders, ...rateHeaders, ...retryHeaders });
          return;
        }
      } else if (isGeneration && limiter.active) {
        rateHeaders = limiter.headers(Date.now());
      }

      if (fault === 'reset') {
        finishEntry(entry, 0, started);
        request.socket.destroy();
        return;
      }
      if (fault === 'hang') {
        // Answer never comes; the socket is released when the client gives up or the server closes.
        hungResponses.add(response);
        return;
      }

      const delay = latency.sample(endpoint);
      if (delay > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          response.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        if (response.destroyed || response.writableEnded) return;
      }

      if (fault !== undefined && httpFaultKinds.has(fault) && fault !== 'malformed') {
        const failure = httpFaultResponse(fault, provider, requestId, faults.retryAfterMs);
        finishEntry(entry, failure.status, started);
        sendJson(response, failure.status, failure.body, { ...baseHeaders, ...rateHeaders, ...failure.headers });
        return;
      }
      if (fault === 'malformed') {
        const text = provider === 'openai' ? '{"id":"chatcmpl-mock","object":"chat.completion","choices":[{"index":0,"message":' : '{"id":"msg_mock","type":"message","content":[{"type":"te';
        finishEntry(entry, 200, started);
        response.writeHead(200, { ...baseHeaders, ...rateHeaders, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        response.end(text);
        return;
      }

      let result: RouteResult;
      if (isGeneration) {
        const requestBody = json();
        const executed = await executeGeneration(endpoint, requestBody, requestId);
        result = { status: executed.status, body: executed.body };
        if (executed.status < 400 && endpoint !== 'messages.count_tokens') {
          stats.successfulCalls[provider] += 1;
          const path = provider === 'anthropic' ? '/v1/messages' : generationPaths[endpoint] ?? '';
          const key = options.callKey !== undefined
            ? options.callKey({ provider, endpoint: path, body: requestBody, headers: request.headers })
            : headerValue(request, 'x-mock-key') ?? (provider === 'anthropic' ? lastAnthropicUserText(requestBody) : openAILastUserText(path, requestBody));
          if (key !== undefined) stats.successfulCallsByKey[key] = (stats.successfulCallsByKey[key] ?? 0) + 1;
        }
      } else {
        const context: RouteContext = {
          request,
          url,
          params: match.params,
          body,
          requestId,
          origin: request.headers.host === undefined ? origin : `http://${request.headers.host}`,
          fault,
          provider,
          endpoint,
          state,
          json,
        };
        result = await (match.route.handler as NonNullable<typeof match.route.handler>)(context);
      }
      const headers = { ...baseHeaders, ...rateHeaders, ...(result.headers ?? {}) };
      finishEntry(entry, result.status, started);
      if ('stream' in result) {
        response.writeHead(result.status, { ...headers, 'content-type': result.contentType });
        await result.stream(response);
      } else if ('raw' in result) {
        response.writeHead(result.status, { ...headers, 'content-type': result.contentType, 'content-length': Buffer.byteLength(result.raw) });
        response.end(result.raw);
      } else {
        sendJson(response, result.status, result.body, headers);
      }
    } catch (error) {
      const httpError = error instanceof MockHttpError ? error : new MockHttpError(500, `Emulator error: ${(error as Error).message}`);
      finishEntry(entry, httpError.status, started);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendJson(response, httpError.status, errorBodyFor(provider, httpError, requestId), { ...baseHeaders, ...(httpError.details.headers ?? {}) });
    }
  }

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
  origin = `http://${displayHost}:${address.port}`;

  async function refreshAll(): Promise<void> {
    for (const record of state.openAIBatches.batches.values()) await refreshOpenAIBatch(record, state);
    for (const record of state.anthropicBatches.batches.values()) await refreshAnthropicBatch(record, state);
  }

  let closed: Promise<void> | undefined;
  return {
    url: origin,
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
      state.counters.filesUploaded = 0;
      state.counters.batchesCreated = { openai: 0, anthropic: 0 };
      journal.clear();
      stats = emptyStats();
      limiters = createLimiters();
      clock.reset();
      stateRandom = createRandomSource(seed);
      faultRandom = createRandomSource(seed ^ 0x9e3779b9);
      latencyRandom = createRandomSource(seed ^ 0x85ebca6b);
      createId = createIdFactory(() => stateRandom());
    },
    stats() {
      return structuredClone({ ...stats, filesUploaded: state.counters.filesUploaded, batchesCreated: { ...state.counters.batchesCreated } });
    },
    async batches(): Promise<MockBatchSummary[]> {
      await refreshAll();
      const summaries: MockBatchSummary[] = [];
      for (const record of state.openAIBatches.batches.values()) summaries.push({ provider: 'openai', id: record.id, status: record.status, total: record.total });
      for (const record of state.anthropicBatches.batches.values()) summaries.push({ provider: 'anthropic', id: record.id, status: record.status, total: record.total });
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
        return anthropicBatchObject(anthropicRecord, state, origin);
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

function safeParse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8').slice(0, 10_000);
  }
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function lastAnthropicUserText(body: Record<string, unknown>): string | undefined {
  if (!Array.isArray(body.messages)) return undefined;
  for (let index = body.messages.length - 1; index >= 0; index -= 1) {
    const message = body.messages[index] as { role?: unknown; content?: unknown } | undefined;
    if (message?.role === 'user') return collectText(message.content);
  }
  return undefined;
}
