/**
 * Fault selection (forced by the `x-mock-fault` header or drawn at a seeded rate) and the bodies and
 * headers of HTTP-level faults.
 */
import { anthropicErrorBody, openAIErrorBody } from './errors.js';
import { geminiFaultResponse } from './gemini-errors.js';
import { faultKinds, generationEndpoints, type FaultKind, type MockEndpoint, type MockFaultOptions, type MockProvider } from './options.js';
import type { RandomSource } from './random.js';

/** Faults the router answers itself, before the handler runs. */
export const httpFaultKinds: ReadonlySet<FaultKind> = new Set<FaultKind>(['500', '502', '503', '529', '429', 'insufficient_quota', 'reset', 'hang', 'malformed']);
const downloadEndpoints: ReadonlySet<MockEndpoint> = new Set<MockEndpoint>(['files.content', 'messages.batches.results', 'gemini.files.download']);

/** The header name that forces a fault on one request. */
export const faultHeader = 'x-mock-fault';

function validateRate(value: number | undefined, name: string): void {
  if (value !== undefined && (!(value >= 0) || value > 1)) throw new TypeError(`Option ${name} must be a probability between 0 and 1, got ${String(value)}`);
}

export class FaultPlanner {
  private readonly rate: number;
  private readonly kinds: readonly FaultKind[];
  private readonly rates: [FaultKind, number][];
  private readonly endpoints: ReadonlySet<MockEndpoint>;
  readonly retryAfterMs: number;
  /** Whether HTTP error faults are answered before the latency (`timing: 'at-once'`). */
  readonly atOnce: boolean;

  constructor(options: MockFaultOptions | undefined, private readonly random: RandomSource) {
    this.rate = options?.rate ?? 0;
    validateRate(this.rate, 'faults.rate');
    this.kinds = options?.kinds ?? ['500', '503', '429'];
    for (const kind of this.kinds) {
      if (!faultKinds.includes(kind)) throw new TypeError(`Option faults.kinds contains an unknown fault kind: ${String(kind)}`);
    }
    this.rates = Object.entries(options?.rates ?? {}).filter((entry): entry is [FaultKind, number] => typeof entry[1] === 'number');
    for (const [kind, rate] of this.rates) {
      if (!faultKinds.includes(kind)) throw new TypeError(`Option faults.rates has an unknown fault kind: ${kind}`);
      validateRate(rate, `faults.rates.${kind}`);
    }
    this.endpoints = new Set(options?.endpoints ?? generationEndpoints);
    this.retryAfterMs = options?.retryAfterMs ?? 1000;
    const timing = options?.timing ?? 'after-latency';
    if (timing !== 'after-latency' && timing !== 'at-once') throw new TypeError(`Option faults.timing must be 'after-latency' or 'at-once', got ${String(timing)}`);
    this.atOnce = timing === 'at-once';
  }

  /**
   * The fault for one request: the header wins; otherwise random draws apply to eligible endpoints.
   * Returns `{ error }` for an unknown header value so a typo in a test fails loudly.
   */
  pick(endpoint: MockEndpoint, header: string | undefined): { kind?: FaultKind; error?: string } {
    if (header !== undefined && header !== '') {
      const kind = header.trim() as FaultKind;
      if (!faultKinds.includes(kind)) return { error: `Unknown ${faultHeader} value '${header}'. Known: ${faultKinds.join(', ')}` };
      return { kind };
    }
    if (this.rates.length > 0) {
      for (const [kind, rate] of this.rates) {
        if (!this.applies(kind, endpoint)) continue;
        if (this.random() < rate) return { kind };
      }
    }
    if (this.rate > 0 && this.endpoints.has(endpoint) && this.random() < this.rate) {
      const candidates = this.kinds.filter((kind) => this.applies(kind, endpoint));
      if (candidates.length > 0) return { kind: candidates[Math.floor(this.random() * candidates.length)] as FaultKind };
    }
    return {};
  }

  private applies(kind: FaultKind, endpoint: MockEndpoint): boolean {
    if (kind === 'truncated') return downloadEndpoints.has(endpoint);
    if (kind === 'expire' || kind === 'fail-validation') return false;
    if (kind === 'safety') return endpoint === 'gemini.generateContent';
    return this.endpoints.has(endpoint);
  }
}

/** Capitalises each word of a header name (`retry-after` -> `Retry-After`), as many HTTP/1.1 servers spell them. */
export function canonicalHeaderName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** Status, body and headers of a fault answered with an error response. */
export function httpFaultResponse(
  kind: FaultKind,
  provider: MockProvider,
  requestId: string,
  retryAfterMs: number,
  model = 'gemini-2.5-flash',
): { status: number; body: unknown; headers: Record<string, string> } {
  if (provider === 'gemini') return geminiFaultResponse(kind, model, retryAfterMs);
  const retryHeaders = { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))), 'retry-after-ms': String(retryAfterMs) };
  switch (kind) {
    case '429':
      return provider === 'openai'
        ? { status: 429, body: openAIErrorBody(429, 'Rate limit reached for requests. Please try again later.', { type: 'requests', code: 'rate_limit_exceeded' }), headers: retryHeaders }
        : { status: 429, body: anthropicErrorBody(429, 'Number of requests has exceeded your rate limit. Please try again later.', requestId), headers: retryHeaders };
    case 'insufficient_quota':
      return provider === 'openai'
        ? {
            status: 429,
            body: openAIErrorBody(429, 'You exceeded your current quota, please check your plan and billing details.', { type: 'insufficient_quota', code: 'insufficient_quota' }),
            headers: {},
          }
        : { status: 429, body: anthropicErrorBody(429, 'You have reached your specified workspace API usage limits.', requestId), headers: {} };
    case '529':
      return provider === 'openai'
        ? { status: 503, body: openAIErrorBody(503, 'The engine is currently overloaded, please try again later.', { type: 'server_error' }), headers: {} }
        : { status: 529, body: anthropicErrorBody(529, 'Overloaded', requestId), headers: {} };
    case '503':
      return provider === 'openai'
        ? { status: 503, body: openAIErrorBody(503, 'The engine is currently overloaded, please try again later.', { type: 'server_error' }), headers: {} }
        : { status: 503, body: anthropicErrorBody(503, 'Service unavailable', requestId), headers: {} };
    case '502':
      return provider === 'openai'
        ? { status: 502, body: openAIErrorBody(502, 'Bad gateway.', { type: 'server_error' }), headers: {} }
        : { status: 502, body: anthropicErrorBody(502, 'Bad gateway', requestId), headers: {} };
    default:
      return provider === 'openai'
        ? { status: 500, body: openAIErrorBody(500, 'The server had an error while processing your request. Sorry about that!', { type: 'server_error' }), headers: {} }
        : { status: 500, body: anthropicErrorBody(500, 'Internal server error', requestId), headers: {} };
  }
}
