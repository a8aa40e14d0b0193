import { defaultEstimateMaxTokens } from '../../cost/estimate-cost.js';
import { itemErrorFromClassification } from '../../errors/item-error-from-classification.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult, SucceededResult } from '../../models/batch-result.js';
import type { ItemError } from '../../models/item-error.js';
import { addUsage, emptyUsage } from '../../models/usage.js';
import type { CallOutput } from '../../provider/call-strategy.js';
import type { EmulatedBudget, ResolvedEmulatedOptions } from './emulated-options.js';
import type { ItemAttempts } from './item-attempts.js';
import { resolveMaxOutputTokens } from './resolve-max-output-tokens.js';
import { ItemFailure, type RetryingCaller } from './retrying-caller.js';
import { runToolLoop, withToolDefinitions } from './tool-loop.js';

/** The error of an item whose call the run aborted (a cancel, or an interruption: the run tells them apart by identity). */
export const cancelledError: ItemError = { category: 'cancelled', message: 'The run was cancelled while this request ran', retryable: true };

/** Thrown by a further call of a tool loop whose budget reservation was refused. */
class BudgetRefusal extends Error {
  constructor() {
    super('The budget cannot cover a further call of the tool loop');
  }
}

/** What an {@link ItemRunner} works with; all of it belongs to the run. */
export interface ItemRunnerOptions {
  readonly options: ResolvedEmulatedOptions;
  /** The adapter's own budget option, else the job's `maxCostUsd` handed over by the client. */
  readonly budget: EmulatedBudget | undefined;
  /** The run's abort signal: once aborted, an item is not started and a failed one ends `cancelled`. */
  readonly signal: AbortSignal;
  readonly caller: RetryingCaller;
  /** The budget refused a booking: the run stops scheduling (calls in flight go on). */
  onBudgetExhausted(): void;
  warnOnce(key: string, text: string): void;
}

/**
 * Budget, calls (with the tool loop) and retries of one item; always returns a terminal result.
 * Every call is booked against the budget before it is sent, at its worst case: the request as
 * sent (tool definitions and earlier turns included) with the max tokens the strategy really
 * sends. A tool loop books each further call on top of the item's earlier bookings; the item
 * settles once, with the usage of every call it paid for.
 */
export class ItemRunner {
  readonly #options: ResolvedEmulatedOptions;
  readonly #budget: EmulatedBudget | undefined;
  readonly #signal: AbortSignal;
  readonly #caller: RetryingCaller;
  readonly #onBudgetExhausted: () => void;
  readonly #warnOnce: (key: string, text: string) => void;

  constructor({ options, budget, signal, caller, onBudgetExhausted, warnOnce }: ItemRunnerOptions) {
    this.#options = options;
    this.#budget = budget;
    this.#signal = signal;
    this.#caller = caller;
    this.#onBudgetExhausted = onBudgetExhausted;
    this.#warnOnce = warnOnce;
  }

  async run(request: BatchRequest, attempts: ItemAttempts): Promise<BatchResult> {
    const options = this.#options;
    const budget = this.#budget;
    if (this.#signal.aborted) return { id: request.id, status: 'cancelled', error: cancelledError };
    const first = options.tools === undefined ? request : withToolDefinitions(request, options.tools);
    if (budget !== undefined && !(await budget.reserve(this.#asBooked(first)))) {
      this.#onBudgetExhausted();
      return { id: request.id, status: 'cancelled', error: { category: 'budget', message: 'Not started: the budget is exhausted', retryable: false } };
    }
    const usage = emptyUsage();
    let paidCalls = 0;
    let sentCalls = 0;
    const call = async (next: BatchRequest): Promise<CallOutput> => {
      sentCalls += 1;
      if (sentCalls > 1 && budget !== undefined && !(await budget.reserve(this.#asBooked(next)))) throw new BudgetRefusal();
      const output = await this.#caller.call(next, attempts);
      addUsage(usage, output.usage);
      paidCalls += 1;
      return output;
    };
    try {
      const output =
        options.tools === undefined
          ? await call(first)
          : await runToolLoop({
              request: first,
              tools: options.tools,
              maxToolIterations: options.maxToolIterations,
              signal: this.#signal,
              call,
            });
      const result: SucceededResult = {
        id: request.id,
        status: 'succeeded',
        text: output.text,
        finishReason: output.finishReason,
        usage: output.usage,
        model: output.model,
        attempts: attempts.calls,
        latencyMs: Date.now() - attempts.startedAt,
      };
      if (output.rawFinishReason !== undefined) result.rawFinishReason = output.rawFinishReason;
      if (output.toolCalls !== undefined && output.toolCalls.length > 0) result.toolCalls = output.toolCalls;
      if (options.includeRaw && output.raw !== undefined) result.raw = output.raw;
      return result;
    } catch (error) {
      const failed = (itemError: ItemError): BatchResult => ({
        id: request.id,
        status: 'failed',
        error: itemError,
        // Calls that answered before the item failed were billed: their usage stays countable.
        ...(paidCalls > 0 ? { usage: { ...usage } } : {}),
        attempts: Math.max(1, attempts.calls),
        latencyMs: Date.now() - attempts.startedAt,
      });
      if (error instanceof BudgetRefusal) {
        this.#onBudgetExhausted();
        return failed({
          category: 'budget',
          message: `The tool loop stopped after ${paidCalls} call${paidCalls === 1 ? '' : 's'}: the budget cannot cover a further call`,
          // A retry with a larger budget runs the whole item again (its first calls are paid again).
          retryable: true,
        });
      }
      const classification = error instanceof ItemFailure ? error.classification : options.classify(error);
      if (classification.category === 'cancelled' || this.#signal.aborted) {
        return { id: request.id, status: 'cancelled', error: cancelledError };
      }
      return failed(itemErrorFromClassification(classification));
    } finally {
      budget?.settle(request, paidCalls > 0 ? usage : undefined);
    }
  }

  /** The request as a budget books it: `maxTokens` set to what is really sent. */
  #asBooked(request: BatchRequest): BatchRequest {
    const maxTokens = resolveMaxOutputTokens(this.#options.call, request);
    if (maxTokens === undefined) {
      this.#warnOnce(
        'uncapped',
        `Budget: ${this.#options.call.name} sends no max tokens for some requests (set maxTokens on them), so their reservations assume ${defaultEstimateMaxTokens} output tokens and a longer answer can pass the budget`,
      );
      return request;
    }
    return maxTokens === request.maxTokens ? request : { ...request, maxTokens };
  }
}
