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
  /**
   * Output tokens booked for a request without `maxTokens`. The emulated adapter sets `maxTokens` to
   * what its call strategy really sends before it reserves, so this applies only when nothing caps
   * the answer.
   * @default 1024 (`defaultEstimateMaxTokens`)
   */
  readonly defaultMaxTokens?: number;
}

/**
 * Reserve-then-settle spending guard for emulated runs. Before each call `reserve` books the call's
 * worst case: its input tokens plus all of its `maxTokens` (the emulated adapter passes the request
 * as sent, with the max tokens its call strategy really sends). A tool loop reserves again before
 * each further call, and the bookings of one request id add up. Once the item ended `settle`
 * replaces all of its bookings with the cost of the usage it reported. Spend never passes
 * `maxCostUsd`, as long as the approximate input count holds and every call's output is capped.
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
   * Books the worst case of one call of the request, on top of any booking its id already holds
   * (the earlier calls of a tool loop). When it does not fit while other items that may settle are
   * still running, it waits for them (their real cost is usually far below their worst case) and
   * tries again; it resolves false (and `exhausted`) when it cannot fit otherwise. Items that wait
   * while holding a booking are not waited for, so two tool loops never wait for each other.
   */
  reserve(request: BatchRequest): Promise<boolean>;
  /** Releases every booking of the request's id and adds the cost of its real usage (all its calls). */
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
  // Ids that wait in `reserve` while holding a booking (a tool loop's further call): they settle
  // only once their wait ends, so nobody waits for them.
  const waitingHolders = new Set<string>();
  let spent = 0;
  let reserved = 0;
  let exhausted = false;
  // Reservations waiting for running items to settle, woken (in order) at each settlement.
  let waiting: Array<() => void> = [];

  const othersMaySettle = (id: string): boolean => {
    for (const holder of reservations.keys()) if (holder !== id && !waitingHolders.has(holder)) return true;
    return false;
  };

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
        if (cost === undefined || !othersMaySettle(request.id)) {
          exhausted = true;
          for (const wake of waiting) wake();
          waiting = [];
          return false;
        }
        const holding = reservations.has(request.id);
        if (holding) waitingHolders.add(request.id);
        await new Promise<void>((resolve) => waiting.push(resolve));
        if (holding) waitingHolders.delete(request.id);
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
