/**
 * Runs the items of an OpenAI batch, once, when it is created; the batch clock then reveals them.
 */
import { openAIErrorBody } from './errors.js';
import type { ItemOutcome, OpenAIBatchRecord, ParsedItem } from './openai-batch-record.js';
import { executeOpenAIRequest } from './openai-sync.js';
import type { EmulatorState } from './route-context.js';

/** Runs every item through the same executor as the sync endpoints, yielding to the event loop now and then. */
export async function executeOpenAIBatchItems(record: OpenAIBatchRecord, items: ParsedItem[], state: EmulatorState): Promise<void> {
  const outcomes: ItemOutcome[] = [];
  const errorRate = state.batchFaults.itemErrorRate ?? 0;
  const errorStatus = state.batchFaults.itemErrorStatus ?? 500;
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index] as ParsedItem;
    const requestId = state.createId('req_', 32);
    let status: number;
    let body: Record<string, unknown>;
    let usage: ItemOutcome['usage'];
    if (errorRate > 0 && state.random() < errorRate) {
      status = errorStatus;
      body = openAIErrorBody(errorStatus, errorStatus >= 500 ? 'The server had an error while processing your request. Sorry about that!' : 'Injected item error.') as unknown as Record<string, unknown>;
    } else {
      const result = await executeOpenAIRequest(record.endpoint, item.body, state.execution, { id: record.id, customId: item.customId });
      status = result.status;
      body = result.body;
      usage = result.usage;
    }
    const line = JSON.stringify({ id: state.createId('batch_req_', 32), custom_id: item.customId, response: { status_code: status, request_id: requestId, body }, error: null });
    outcomes.push({ customId: item.customId, succeeded: status < 400, line, usage });
    if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  record.outcomes = outcomes;
}
