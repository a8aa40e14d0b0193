/**
 * The synchronous generation endpoints, answered by the same executors the batches use.
 */
import { countAnthropicTokens, executeAnthropicMessage } from './anthropic-messages.js';
import { executeOpenAIRequest, type ExecutionContext, type ExecutionResult } from './openai-sync.js';
import type { MockEndpoint } from './options.js';

/** The OpenAI path of each OpenAI generation endpoint. */
export const generationPaths: Partial<Record<MockEndpoint, string>> = {
  'chat.completions': '/v1/chat/completions',
  responses: '/v1/responses',
  embeddings: '/v1/embeddings',
};

/** Answers one call to a generation endpoint (Anthropic messages and token counts, OpenAI chat, responses, embeddings). */
export async function executeGeneration(endpoint: MockEndpoint, body: Record<string, unknown>, requestId: string, execution: ExecutionContext): Promise<ExecutionResult> {
  if (endpoint === 'messages') return executeAnthropicMessage(body, execution, requestId);
  if (endpoint === 'messages.count_tokens') return { status: 200, body: { input_tokens: countAnthropicTokens(body) } };
  return executeOpenAIRequest(generationPaths[endpoint] ?? '/v1/chat/completions', body, execution);
}
