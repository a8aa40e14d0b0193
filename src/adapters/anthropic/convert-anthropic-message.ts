import type { ToolCall } from '../../models/batch-request.js';
import type { FinishReason } from '../../models/batch-result.js';
import type { Usage } from '../../models/usage.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';
import { mapAnthropicUsage, type AnthropicUsageLike } from './map-anthropic-usage.js';

/** The parts of an Anthropic `Message` this library reads (lenient: providers add fields). */
export interface AnthropicMessageLike {
  readonly model?: string | null;
  readonly content?: ReadonlyArray<{ readonly type: string; readonly text?: string; readonly id?: string; readonly name?: string; readonly input?: unknown }> | null;
  readonly stop_reason?: string | null;
  readonly usage?: AnthropicUsageLike | null;
}

/** A message reduced to what a succeeded result carries. */
export interface ConvertedAnthropicMessage {
  text: string;
  finishReason: FinishReason;
  rawFinishReason?: string;
  toolCalls?: ToolCall[];
  usage: Usage;
  model: string;
}

/**
 * Reads text (every `text` block, joined), tool calls (`tool_use` blocks, `arguments` as JSON text),
 * the normalised stop reason and usage from an Anthropic message.
 */
export function convertAnthropicMessage(message: AnthropicMessageLike): ConvertedAnthropicMessage {
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content ?? []) {
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id ?? '', name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  const converted: ConvertedAnthropicMessage = {
    text: texts.join(''),
    finishReason: mapAnthropicStopReason(message.stop_reason),
    usage: mapAnthropicUsage(message.usage),
    model: message.model ?? '',
  };
  if (message.stop_reason != null) converted.rawFinishReason = message.stop_reason;
  if (toolCalls.length > 0) converted.toolCalls = toolCalls;
  return converted;
}
