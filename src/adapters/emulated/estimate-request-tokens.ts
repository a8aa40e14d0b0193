import type { BatchRequest } from '../../models/batch-request.js';

/** Output tokens assumed for a request that sets no `maxTokens` (the emulator assumes the same). */
export const defaultExpectedMaxTokens = 1024;

function countCharacters(content: BatchRequest['messages'][number]['content']): number {
  if (typeof content === 'string') return content.length;
  let characters = 0;
  for (const part of content) {
    // An image costs roughly a thousand tokens on both providers; count it as 4,000 characters.
    characters += part.type === 'text' ? part.text.length : 4000;
  }
  return characters;
}

/**
 * A quick upper estimate of the tokens a request will count against a tokens-per-minute limit,
 * before it is sent: about four characters per input token plus the output budget (`maxTokens`).
 * The rate limiter corrects its bucket with the real usage once the response arrives.
 */
export function estimateRequestTokens(request: BatchRequest, fallbackMaxTokens = defaultExpectedMaxTokens): number {
  let characters = request.system?.length ?? 0;
  for (const message of request.messages) {
    characters += countCharacters(message.content);
    for (const toolCall of message.toolCalls ?? []) characters += toolCall.name.length + toolCall.arguments.length;
  }
  for (const tool of request.tools ?? []) {
    characters += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters ?? {}).length;
  }
  return Math.ceil(characters / 4) + (request.maxTokens ?? fallbackMaxTokens);
}
