import type { BatchRequest } from '../models/batch-request.js';
import type { Usage } from '../models/usage.js';
import { computeCost } from './compute-cost.js';
import { approximateRequestTokens } from './count-tokens.js';
import { defaultEstimateMaxTokens } from './estimate-cost.js';
import { findModelPrice } from './find-model-price.js';
import { defaultPricing, type PricingTable } from './pricing-table.js';

/** Options of {@link createBudgetTracker}. */
export interface BudgetTrackerOptions {
  /** The most the job may spend, in USD. */
  readonly maxCostUsd: number;
  /** `emulated` prices at the synchronous price, `native` with the batch discount. @default 'emulated' */
  readonly mode?: 'native' | 'emulated';
  /** @default the shipped pricing table */
  readonly pricing?: PricingTable;
  /** The model of requests that name none. */
  readonly defaultModel?: string;
  /** Output tokens reserved for a request without `maxTokens`. @default 1024 */
  readonly defaultMaxTokens?: number;
}

/**
 * Reserve-then-settle spending guard for emulated runs: before each item's first call `reserve`
 * books its worst case (input tokens plus all of `maxTokens`); once the item ended `settle` replaces
 * the booking with the cost of the usage it reported. Spend never passes `maxCostUsd`, as long as
 * the approximate input count holds.
 */
export interface BudgetTracker {
  readonly maxCostUsd: number;
  /** Cost of settled items. */
  readonly spentUsd: number;
  /** Worst-case cost of items running now. */
  readonly reservedUsd: number;
  /** True once a reservation was refused: nothing further is started. */
  readonly exhausted: boolean;
  /**
   * Books the request's worst case. When it does not fit while other items are still running, it
   * waits for them to settle (their real cost is usually far below their worst case) and tries
   * again; it resolves false (and `exhausted`) only when it cannot fit with nothing else running.
   */
  reserve(request: BatchRequest): Promise<boolean>;
  /** Releases the request's booking and adds the cost of its real usage. */
  settle(request: BatchRequest, usage: Usage | undefined): void;
}

/**
 * Creates a {@link BudgetTracker}. A request whose model has no price is refused (its cost cannot
 * be bounded).
 *
 * @example
 * const budget = createBudgetTracker({ maxCostUsd: 5 });
 * const provider = emulated({ call: openaiChat(), budget });
 */
export function createBudgetTracker(options: BudgetTrackerOptions): BudgetTracker {
  const { maxCostUsd } = options;
  if (typeof maxCostUsd !== 'number' || !Number.isFinite(maxCostUsd) || maxCostUsd < 0) {
    throw new TypeError(`createBudgetTracker: option "maxCostUsd" must be a non-negative number, got ${JSON.stringify(maxCostUsd)}`);
  }
  const mode = options.mode ?? 'emulated';
  const pricing = options.pricing ?? defaultPricing;
  const defaultMaxTokens = options.defaultMaxTokens ?? defaultEstimateMaxTokens;
  const reservations = new Map<string, number>();
  let spent = 0;
  let reserved = 0;
  let exhausted = false;
  // Reservations waiting for running items to settle, woken (in order) at each settlement.
  let waiting: Array<() => void> = [];

  const worstCase = (request: BatchRequest): number | undefined => {
    const model = request.model ?? options.defaultModel;
    if (model === undefined || !findModelPrice(pricing, model)) return undefined;
    const input = approximateRequestTokens(request);
    const output = request.maxTokens ?? defaultMaxTokens;
    return computeCost({ inputTokens: input, outputTokens: output, totalTokens: input + output }, { model, mode, pricing });
  };

  return {
    maxCostUsd,
    get spentUsd() {
      return spent;
    },
    get reservedUsd() {
      return reserved;
    },
    get exhausted() {
      return exhausted;
    },
    async reserve(request) {
      const cost = worstCase(request);
      while (true) {
        if (exhausted) return false;
        // A tiny tolerance so that a budget of exactly n × the item cost admits n items despite float sums.
        if (cost !== undefined && spent + reserved + cost <= maxCostUsd + 1e-12) {
          reserved += cost;
          reservations.set(request.id, (reservations.get(request.id) ?? 0) + cost);
          return true;
        }
        if (cost === undefined || reserved === 0) {
          exhausted = true;
          for (const wake of waiting) wake();
          waiting = [];
          return false;
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    },
    settle(request, usage) {
      const booked = reservations.get(request.id);
      if (booked !== undefined) {
        reserved = Math.max(0, reserved - booked);
        reservations.delete(request.id);
      }
      const model = request.model ?? options.defaultModel;
      if (usage && model !== undefined) spent += computeCost(usage, { model, mode, pricing }) ?? 0;
      const woken = waiting;
      waiting = [];
      for (const wake of woken) wake();
    },
  };
}
