/**
 * Error bodies in each provider's wire format.
 */
import { geminiErrorBody, type GeminiErrorBody } from './gemini-errors.js';

/** OpenAI error body `{error:{message,type,param,code}}` (all four keys required by the spec). */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Anthropic error body `{type:'error', error:{type,message}, request_id}`. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id: string | null;
}

/** A response the router should send as an error. */
export class MockHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { type?: string; code?: string | null; param?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'MockHttpError';
  }
}

export function openAIErrorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 409:
      return 'conflict_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function openAIErrorBody(
  status: number,
  message: string,
  details: { type?: string; code?: string | null; param?: string | null } = {},
): OpenAIErrorBody {
  return {
    error: {
      message,
      type: details.type ?? openAIErrorType(status),
      param: details.param ?? null,
      code: details.code ?? null,
    },
  };
}

export function anthropicErrorBody(
  status: number,
  message: string,
  requestId: string | null,
  details: { type?: string } = {},
): AnthropicErrorBody {
  return { type: 'error', error: { type: details.type ?? anthropicErrorType(status), message }, request_id: requestId };
}

/** Builds the body of a MockHttpError for the given provider. */
export function errorBodyFor(
  provider: 'openai' | 'anthropic' | 'gemini',
  error: MockHttpError,
  requestId: string,
): OpenAIErrorBody | AnthropicErrorBody | GeminiErrorBody {
  if (provider === 'gemini') return geminiErrorBody(error.status, error.message, error.details.type === undefined ? {} : { status: error.details.type });
  return provider === 'openai'
    ? openAIErrorBody(error.status, error.message, error.details)
    : anthropicErrorBody(error.status, error.message, requestId, error.details.type === undefined ? {} : { type: error.details.type });
}
