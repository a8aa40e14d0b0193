/**
 * The credentials each provider asks for: a Bearer key (OpenAI), an `x-api-key` and an
 * `anthropic-version` header (Anthropic), an `x-goog-api-key` header or `key` query parameter
 * (Gemini), and with `apiKeys` set, a key from that list.
 */
import type { IncomingMessage } from 'node:http';
import { anthropicErrorBody, openAIErrorBody } from './errors.js';
import { geminiErrorBody } from './gemini-errors.js';
import type { MockProvider } from './options.js';

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.*)$/i.exec(header);
  return match?.[1]?.trim();
}

/** The error answer for a request without acceptable credentials; undefined when they are fine. */
export function authenticateRequest(
  provider: MockProvider,
  request: IncomingMessage,
  requestId: string,
  apiKeys: ReadonlySet<string> | undefined,
): { status: number; body: unknown } | undefined {
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
  if (provider === 'gemini') return authenticateGemini(request, apiKeys);
  const header = request.headers['x-api-key'];
  const key = (Array.isArray(header) ? header[0] : header) ?? bearerToken(request);
  if (key === undefined || key === '') return { status: 401, body: anthropicErrorBody(401, 'x-api-key header is required', requestId) };
  if (apiKeys !== undefined && !apiKeys.has(key)) return { status: 401, body: anthropicErrorBody(401, 'invalid x-api-key', requestId) };
  if (request.headers['anthropic-version'] === undefined) {
    return { status: 400, body: anthropicErrorBody(400, 'anthropic-version: header is required', requestId) };
  }
  return undefined;
}

function authenticateGemini(request: IncomingMessage, apiKeys: ReadonlySet<string> | undefined): { status: number; body: unknown } | undefined {
  const header = request.headers['x-goog-api-key'];
  const key = (Array.isArray(header) ? header[0] : header) ?? new URL(request.url ?? '/', 'http://localhost').searchParams.get('key') ?? undefined;
  if (key === undefined || key === '') {
    return {
      status: 403,
      body: geminiErrorBody(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."),
    };
  }
  if (apiKeys !== undefined && !apiKeys.has(key)) {
    const message = 'API key not valid. Please pass a valid API key.';
    return {
      status: 400,
      body: geminiErrorBody(400, message, {
        details: [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
          { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
        ],
      }),
    };
  }
  return undefined;
}
