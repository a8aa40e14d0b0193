/**
 * The route table: all providers on one server, under the real API paths (Gemini's in gemini-routes.ts).
 */
import { anthropicBatchResults, cancelAnthropicBatch, createAnthropicBatch, deleteAnthropicBatch, listAnthropicBatches, retrieveAnthropicBatch } from './anthropic-batches.js';
import { cancelOpenAIBatch, createOpenAIBatch, listOpenAIBatches, retrieveOpenAIBatch } from './openai-batches.js';
import { deleteFile, fileContent, listFiles, retrieveFile, uploadFile } from './openai-files.js';
import { geminiRoutes } from './gemini-routes.js';
import type { MockEndpoint, MockProvider } from './options.js';
import type { RouteHandler } from './route-context.js';

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly provider: MockProvider;
  readonly endpoint: MockEndpoint;
  /** Undefined for generation endpoints, which the server executes itself. */
  readonly handler: RouteHandler | undefined;
}

const id = '([^/]+)';

export const routes: readonly Route[] = [
  { method: 'POST', pattern: /^\/v1\/chat\/completions$/, provider: 'openai', endpoint: 'chat.completions', handler: undefined },
  { method: 'POST', pattern: /^\/v1\/messages$/, provider: 'anthropic', endpoint: 'messages', handler: undefined },
  { method: 'POST', pattern: /^\/v1\/responses$/, provider: 'openai', endpoint: 'responses', handler: undefined },
  { method: 'POST', pattern: /^\/v1\/embeddings$/, provider: 'openai', endpoint: 'embeddings', handler: undefined },
  { method: 'POST', pattern: /^\/v1\/messages\/count_tokens$/, provider: 'anthropic', endpoint: 'messages.count_tokens', handler: undefined },
  { method: 'POST', pattern: /^\/v1\/files$/, provider: 'openai', endpoint: 'files.upload', handler: uploadFile },
  { method: 'GET', pattern: /^\/v1\/files$/, provider: 'openai', endpoint: 'files.list', handler: listFiles },
  { method: 'GET', pattern: new RegExp(`^/v1/files/${id}$`), provider: 'openai', endpoint: 'files.retrieve', handler: retrieveFile },
  { method: 'GET', pattern: new RegExp(`^/v1/files/${id}/content$`), provider: 'openai', endpoint: 'files.content', handler: fileContent },
  { method: 'DELETE', pattern: new RegExp(`^/v1/files/${id}$`), provider: 'openai', endpoint: 'files.delete', handler: deleteFile },
  { method: 'POST', pattern: /^\/v1\/batches$/, provider: 'openai', endpoint: 'batches.create', handler: createOpenAIBatch },
  { method: 'GET', pattern: /^\/v1\/batches$/, provider: 'openai', endpoint: 'batches.list', handler: listOpenAIBatches },
  { method: 'GET', pattern: new RegExp(`^/v1/batches/${id}$`), provider: 'openai', endpoint: 'batches.retrieve', handler: retrieveOpenAIBatch },
  { method: 'POST', pattern: new RegExp(`^/v1/batches/${id}/cancel$`), provider: 'openai', endpoint: 'batches.cancel', handler: cancelOpenAIBatch },
  { method: 'POST', pattern: /^\/v1\/messages\/batches$/, provider: 'anthropic', endpoint: 'messages.batches.create', handler: createAnthropicBatch },
  { method: 'GET', pattern: /^\/v1\/messages\/batches$/, provider: 'anthropic', endpoint: 'messages.batches.list', handler: listAnthropicBatches },
  { method: 'GET', pattern: new RegExp(`^/v1/messages/batches/${id}$`), provider: 'anthropic', endpoint: 'messages.batches.retrieve', handler: retrieveAnthropicBatch },
  { method: 'POST', pattern: new RegExp(`^/v1/messages/batches/${id}/cancel$`), provider: 'anthropic', endpoint: 'messages.batches.cancel', handler: cancelAnthropicBatch },
  { method: 'DELETE', pattern: new RegExp(`^/v1/messages/batches/${id}$`), provider: 'anthropic', endpoint: 'messages.batches.delete', handler: deleteAnthropicBatch },
  { method: 'GET', pattern: new RegExp(`^/v1/messages/batches/${id}/results$`), provider: 'anthropic', endpoint: 'messages.batches.results', handler: anthropicBatchResults },
  ...geminiRoutes,
];

/** Finds the route for a request; `id` is the first path parameter when the route has one. */
export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match === null) continue;
    const params: Record<string, string> = {};
    if (match[1] !== undefined) params.id = decodeURIComponent(match[1]);
    return { route, params };
  }
  return undefined;
}
