/**
 * One request through the emulator: journal and statistics, routing, authentication, body limits,
 * faults, rate limits and latency, then the generation or the route's handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateRequest } from './authenticate-request.js';
import { deriveCallKey } from './derive-call-key.js';
import { anthropicErrorBody, errorBodyFor, MockHttpError, openAIErrorBody } from './errors.js';
import { executeGeneration } from './execute-generation.js';
import { geminiErrorBody, geminiQuotaError } from './gemini-errors.js';
import { executeGeminiGeneration } from './gemini-generate.js';
import { canonicalHeaderName, faultHeader, type FaultPlanner, httpFaultKinds, httpFaultResponse } from './faults.js';
import { readBody, sendJson } from './http-utilities.js';
import { headersWithoutSecrets, type Journal } from './journal.js';
import type { LatencyModel } from './latency.js';
import type { FaultKind, JournalEntry, MockEndpoint, MockProvider, MockProviderServerOptions, MockServerStats } from './options.js';
import type { ProviderRateLimiter } from './rate-limiter.js';
import { matchRoute } from './router.js';
import type { EmulatorState, RouteContext, RouteResult } from './route-context.js';

const megabyte = 1024 * 1024;
const jsonBodyLimit = { openai: 100 * megabyte, anthropic: 32 * megabyte, gemini: 20 * megabyte };

/** What `reset()` replaces and `listen` sets: the handler reads it afresh at every use. */
export interface LiveServerState {
  stats: MockServerStats;
  limiters: Record<MockProvider, ProviderRateLimiter>;
  /** The server's own origin, known once it listens. */
  origin: string;
}

/** What a request handler works with; all of it belongs to one emulator. */
export interface RequestHandlerDependencies {
  readonly options: MockProviderServerOptions;
  readonly state: EmulatorState;
  readonly faults: FaultPlanner;
  readonly latency: LatencyModel;
  readonly journal: Journal;
  readonly apiKeys: ReadonlySet<string> | undefined;
  readonly maxUploadBytes: number;
  /** Responses held open by a `hang` fault; the server destroys them when it closes. */
  readonly hungResponses: Set<ServerResponse>;
  readonly live: LiveServerState;
}

/** Guesses the provider of an unmatched request from its headers, to answer 404s in the right format. */
function guessProvider(request: IncomingMessage): MockProvider {
  if (request.headers['x-goog-api-key'] !== undefined || /^\/(?:upload\/|download\/)?v1beta\//.test(request.url ?? '')) return 'gemini';
  return request.headers['x-api-key'] !== undefined || request.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
}

function finishEntry(stats: MockServerStats, entry: JournalEntry, status: number, started: number): void {
  entry.status = status;
  entry.durationMs = performance.now() - started;
  stats.byStatus[String(status)] = (stats.byStatus[String(status)] ?? 0) + 1;
}

/** The body parsed (once, on first use) as a JSON object; throws a 400 otherwise. */
function jsonObjectOf(body: Buffer): () => Record<string, unknown> {
  let parsedJson: Record<string, unknown> | undefined;
  return () => {
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
}

function safeParse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8').slice(0, 10_000);
  }
}

/** Makes `writeHead` send every header name capitalised word by word (`headerNames: 'canonical'`). */
function canonicaliseHeaderNames(response: ServerResponse): void {
  const writeHead = response.writeHead.bind(response) as (status: number, headers?: Record<string, string | number>) => ServerResponse;
  response.writeHead = ((status: number, headers?: Record<string, string | number>) => {
    if (headers === undefined || typeof headers !== 'object') return writeHead(status, headers);
    const renamed: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(headers)) renamed[canonicalHeaderName(name)] = value;
    return writeHead(status, renamed);
  }) as typeof response.writeHead;
}

/** The emulator's request handler. */
export function createRequestHandler(dependencies: RequestHandlerDependencies): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { options, state, faults, latency, journal, apiKeys, maxUploadBytes, hungResponses, live } = dependencies;
  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    if (options.headerNames === 'canonical') canonicaliseHeaderNames(response);
    const url = new URL(request.url ?? '/', live.origin);
    const method = request.method ?? 'GET';
    const match = matchRoute(method, url.pathname);
    const provider = match?.route.provider ?? guessProvider(request);
    const endpoint: MockEndpoint = match?.route.endpoint ?? 'unknown';
    const requestId = state.createId('req_', 24);
    const idHeader = provider === 'openai' ? 'x-request-id' : 'request-id';
    const entry: JournalEntry = { method, path: url.pathname, status: 0, startedAt: Date.now(), durationMs: 0, provider, endpoint };
    journal.add(entry);
    live.stats.requests += 1;
    live.stats.byEndpoint[endpoint] = (live.stats.byEndpoint[endpoint] ?? 0) + 1;
    response.on('close', () => {
      hungResponses.delete(response);
      if (entry.status === 0 && entry.durationMs === 0) entry.durationMs = performance.now() - started;
    });

    const limit = endpoint === 'files.upload' || endpoint === 'gemini.files.upload' ? maxUploadBytes : endpoint === 'messages.batches.create' ? state.batch.maxAnthropicBodyBytes : jsonBodyLimit[provider];
    const { data: body, tooLarge, size } = await readBody(request, limit);
    if (options.journalBodies === true) {
      entry.headers = headersWithoutSecrets(request.headers);
      entry.body = endpoint === 'files.upload' ? { multipart: true, bytes: size } : endpoint === 'gemini.files.upload' && size > 0 ? { bytes: size } : body.length > 0 ? safeParse(body) : undefined;
    }
    const baseHeaders: Record<string, string> = { [idHeader]: requestId };

    if (match === undefined) {
      const status = 404;
      const errorBody = provider === 'gemini'
        ? geminiErrorBody(404, `Method not found: ${method} ${url.pathname}`)
        : provider === 'openai'
        ? openAIErrorBody(404, `Invalid URL (${method} ${url.pathname})`, { type: 'invalid_request_error' })
        : anthropicErrorBody(404, `Not found: ${method} ${url.pathname}`, requestId);
      finishEntry(live.stats, entry, status, started);
      sendJson(response, status, errorBody, baseHeaders);
      return;
    }
    const authFailure = authenticateRequest(provider, request, requestId, apiKeys);
    if (authFailure !== undefined) {
      finishEntry(live.stats, entry, authFailure.status, started);
      sendJson(response, authFailure.status, authFailure.body, baseHeaders);
      return;
    }
    if (tooLarge) {
      const message = `Request body of ${size} bytes exceeds the limit of ${limit} bytes.`;
      // Google answers an oversized payload with 400 INVALID_ARGUMENT.
      const status = provider === 'gemini' ? 400 : 413;
      const errorBody = provider === 'gemini'
        ? geminiErrorBody(400, `Request payload size exceeds the limit: ${limit} bytes.`)
        : provider === 'openai' ? openAIErrorBody(413, message, { type: 'invalid_request_error', code: 'request_too_large' }) : anthropicErrorBody(413, message, requestId);
      finishEntry(live.stats, entry, status, started);
      sendJson(response, status, errorBody, baseHeaders);
      return;
    }

    const faultHeaderValue = request.headers[faultHeader];
    const picked = faults.pick(endpoint, Array.isArray(faultHeaderValue) ? faultHeaderValue[0] : faultHeaderValue);
    if (picked.error !== undefined) {
      const errorBody = provider === 'gemini' ? geminiErrorBody(400, picked.error) : provider === 'openai' ? openAIErrorBody(400, picked.error, { param: faultHeader }) : anthropicErrorBody(400, picked.error, requestId);
      finishEntry(live.stats, entry, 400, started);
      sendJson(response, 400, errorBody, baseHeaders);
      return;
    }
    const fault: FaultKind | undefined = picked.kind;
    if (fault !== undefined) {
      entry.fault = fault;
      live.stats.faults[fault] = (live.stats.faults[fault] ?? 0) + 1;
    }

    const json = jsonObjectOf(body);

    try {
      const isGeneration = match.route.handler === undefined;
      const limiter = live.limiters[provider];
      let rateHeaders: Record<string, string> = {};
      if (isGeneration && limiter.active && fault === undefined) {
        const requestBody = json();
        const geminiConfig = requestBody.generationConfig as { maxOutputTokens?: unknown } | undefined;
        const maxTokens = [requestBody.max_tokens, requestBody.max_completion_tokens, requestBody.max_output_tokens, geminiConfig?.maxOutputTokens].find((value): value is number => typeof value === 'number');
        const tokens = Math.ceil(body.length / 4) + (maxTokens ?? limiter.defaultMaxTokens);
        const decision = limiter.check(tokens, Date.now());
        rateHeaders = decision.headers;
        if (!decision.allowed) {
          live.stats.rateLimited += 1;
          const retryHeaders = { 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))), 'retry-after-ms': String(decision.retryAfterMs) };
          const errorBody = provider === 'gemini'
            ? geminiQuotaError(match.params.id ?? 'model', decision.retryAfterMs, true)
            : provider === 'openai'
            ? openAIErrorBody(429, `Rate limit reached for ${String(requestBody.model ?? 'model')} on requests or tokens per min. Please try again in ${Math.ceil(decision.retryAfterMs)}ms.`, { type: 'requests', code: 'rate_limit_exceeded' })
            : anthropicErrorBody(429, 'This request would exceed your organization\'s rate limit. Please try again later.', requestId);
          finishEntry(live.stats, entry, 429, started);
          sendJson(response, 429, errorBody, { ...baseHeaders, ...rateHeaders, ...(provider === 'gemini' ? {} : retryHeaders) });
          return;
        }
      } else if (isGeneration && limiter.active) {
        rateHeaders = limiter.headers(Date.now());
      }

      if (fault === 'reset') {
        finishEntry(live.stats, entry, 0, started);
        request.socket.destroy();
        return;
      }
      if (fault === 'hang') {
        // Answer never comes; the socket is released when the client gives up or the server closes.
        hungResponses.add(response);
        return;
      }

      // Real providers answer a rate-limited or shed call at once; only a generation takes the latency.
      const answeredAtOnce = faults.atOnce && fault !== undefined && httpFaultKinds.has(fault) && fault !== 'malformed';
      const delay = answeredAtOnce ? 0 : latency.sample(endpoint);
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
        const failure = httpFaultResponse(fault, provider, requestId, faults.retryAfterMs, url.pathname.includes('/models/') ? match.params.id : undefined);
        finishEntry(live.stats, entry, failure.status, started);
        sendJson(response, failure.status, failure.body, { ...baseHeaders, ...rateHeaders, ...failure.headers });
        return;
      }
      if (fault === 'malformed') {
        const text = provider === 'gemini'
          ? '{"candidates":[{"content":{"parts":[{"text":"The ans'
          : provider === 'openai' ? '{"id":"chatcmpl-mock","object":"chat.completion","choices":[{"index":0,"message":' : '{"id":"msg_mock","type":"message","content":[{"type":"te';
        finishEntry(live.stats, entry, 200, started);
        response.writeHead(200, { ...baseHeaders, ...rateHeaders, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        response.end(text);
        return;
      }

      let result: RouteResult;
      if (isGeneration) {
        const requestBody = json();
        const executed = provider === 'gemini'
          ? await executeGeminiGeneration(endpoint, match.params.id ?? '', requestBody, state, fault)
          : await executeGeneration(endpoint, requestBody, requestId, state.execution);
        result = { status: executed.status, body: executed.body };
        if (executed.status < 400 && endpoint !== 'messages.count_tokens' && endpoint !== 'gemini.countTokens') {
          live.stats.successfulCalls[provider] += 1;
          const key = deriveCallKey(options, provider, endpoint, requestBody, request);
          if (key !== undefined) live.stats.successfulCallsByKey[key] = (live.stats.successfulCallsByKey[key] ?? 0) + 1;
        }
      } else {
        const context: RouteContext = {
          request,
          url,
          params: match.params,
          body,
          requestId,
          origin: request.headers.host === undefined ? live.origin : `http://${request.headers.host}`,
          fault,
          provider,
          endpoint,
          state,
          json,
        };
        result = await (match.route.handler as NonNullable<typeof match.route.handler>)(context);
      }
      const headers = { ...baseHeaders, ...rateHeaders, ...(result.headers ?? {}) };
      finishEntry(live.stats, entry, result.status, started);
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
      finishEntry(live.stats, entry, httpError.status, started);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendJson(response, httpError.status, errorBodyFor(provider, httpError, requestId), { ...baseHeaders, ...(httpError.details.headers ?? {}) });
    }
  };
}
