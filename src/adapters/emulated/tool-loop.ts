import type { BatchRequest, Message, ToolCall, ToolDefinition } from '../../models/batch-request.js';
import { addUsage, emptyUsage } from '../../models/usage.js';
import type { CallOutput } from '../../provider/call-strategy.js';

/** A tool the emulated adapter runs locally when the model calls it. */
export interface EmulatedTool {
  readonly description?: string;
  /** JSON schema of the arguments (sent to the model when the request lists no tools). */
  readonly parameters?: Record<string, unknown>;
  /**
   * Runs the tool with the parsed arguments. The returned value is sent back to the model (strings
   * as they are, anything else as JSON). A thrown error is sent back as `{ "error": message }`.
   */
  execute(args: unknown, context: { readonly signal: AbortSignal; readonly requestId: string; readonly toolCallId: string }): unknown;
}

export type EmulatedTools = Readonly<Record<string, EmulatedTool>>;

/** Options of {@link runToolLoop}. */
export interface ToolLoopOptions {
  readonly request: BatchRequest;
  readonly tools: EmulatedTools;
  /** Model calls after the first one that may answer tool results. */
  readonly maxToolIterations: number;
  readonly signal: AbortSignal;
  /**
   * One model call, with retries (the adapter's single retry loop) and, for every call after the
   * first, its own budget reservation: a refused reservation throws, which ends the loop.
   */
  readonly call: (request: BatchRequest) => Promise<CallOutput>;
}

/** The request with the tool definitions of `tools` added when it lists none. */
export function withToolDefinitions(request: BatchRequest, tools: EmulatedTools): BatchRequest {
  if (request.tools !== undefined && request.tools.length > 0) return request;
  const definitions: ToolDefinition[] = Object.entries(tools).map(([name, tool]) => {
    const definition: ToolDefinition = { name };
    if (tool.description !== undefined) definition.description = tool.description;
    if (tool.parameters !== undefined) definition.parameters = tool.parameters;
    return definition;
  });
  return definitions.length === 0 ? request : { ...request, tools: definitions };
}

async function executeToolCall(
  toolCall: ToolCall,
  tools: EmulatedTools,
  signal: AbortSignal,
  requestId: string,
): Promise<string> {
  const tool = Object.hasOwn(tools, toolCall.name) ? tools[toolCall.name] : undefined;
  if (tool === undefined) return JSON.stringify({ error: `Unknown tool "${toolCall.name}"` });
  let args: unknown;
  try {
    args = toolCall.arguments.trim() === '' ? {} : JSON.parse(toolCall.arguments);
  } catch {
    return JSON.stringify({ error: `The arguments of "${toolCall.name}" are not valid JSON` });
  }
  try {
    const value = await tool.execute(args, { signal, requestId, toolCallId: toolCall.id });
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  } catch (error) {
    if (signal.aborted) throw error;
    // The model gets the failure and may recover (ask differently, answer without the tool).
    return JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * Calls the model, and while it answers with tool calls that all have a local `execute`, runs them,
 * appends the assistant message and one tool message per call, and calls again, up to
 * `maxToolIterations` more times. The output is the last call's, with `toolCalls` of every
 * iteration and the usage summed over all calls. A call to a tool without `execute` ends the loop
 * (the output keeps `finishReason: 'tool_calls'` for the caller to handle). Each call costs money:
 * `call` books it against the budget before it is sent, so a loop of several calls never rides on
 * the first call's reservation.
 */
export async function runToolLoop(options: ToolLoopOptions): Promise<CallOutput> {
  const { tools, signal } = options;
  let request = withToolDefinitions(options.request, tools);
  const usage = emptyUsage();
  const allToolCalls: ToolCall[] = [];
  const responses: unknown[] = [];
  for (let iteration = 0; ; iteration++) {
    const output = await options.call(request);
    addUsage(usage, output.usage);
    responses.push(output.raw);
    const toolCalls = output.toolCalls ?? [];
    allToolCalls.push(...toolCalls);
    const runnable = toolCalls.length > 0 && toolCalls.every((toolCall) => Object.hasOwn(tools, toolCall.name));
    if (!runnable || iteration >= options.maxToolIterations) {
      const final: CallOutput = { ...output, usage };
      if (allToolCalls.length > 0) final.toolCalls = allToolCalls;
      // Every call's response, in order, when the loop made more than one.
      if (responses.length > 1) final.raw = responses;
      return final;
    }
    const results = await Promise.all(
      toolCalls.map((toolCall) => executeToolCall(toolCall, tools, signal, options.request.id)),
    );
    // The execution history: each call keeps what its tool returned.
    const executed = allToolCalls.length - toolCalls.length;
    toolCalls.forEach((toolCall, index) => {
      allToolCalls[executed + index] = { ...toolCall, output: results[index] as string };
    });
    const appended: Message[] = [{ role: 'assistant', content: output.text, toolCalls }];
    toolCalls.forEach((toolCall, index) => {
      appended.push({ role: 'tool', content: results[index] as string, toolCallId: toolCall.id, name: toolCall.name });
    });
    request = { ...request, messages: [...request.messages, ...appended] };
  }
}
