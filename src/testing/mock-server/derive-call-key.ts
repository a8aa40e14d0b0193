/**
 * The key under which a successful call is counted in `stats().successfulCallsByKey`.
 */
import type { IncomingMessage } from 'node:http';
import { generationPaths } from './execute-generation.js';
import { geminiLastUserText } from './gemini-generate.js';
import { openAILastUserText } from './openai-sync.js';
import type { MockEndpoint, MockProvider, MockProviderServerOptions } from './options.js';
import { collectText } from './responder.js';

/** The `callKey` option's answer, else the `x-mock-key` header, else the text of the last user message. */
export function deriveCallKey(
  options: MockProviderServerOptions,
  provider: MockProvider,
  endpoint: MockEndpoint,
  body: Record<string, unknown>,
  request: IncomingMessage,
): string | undefined {
  const path = provider === 'anthropic' ? '/v1/messages' : provider === 'gemini' ? (request.url ?? '').split('?')[0] ?? '' : generationPaths[endpoint] ?? '';
  return options.callKey !== undefined
    ? options.callKey({ provider, endpoint: path, body, headers: request.headers })
    : headerValue(request, 'x-mock-key') ?? (provider === 'anthropic' ? lastAnthropicUserText(body) : provider === 'gemini' ? geminiLastUserText(body) : openAILastUserText(path, body));
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
