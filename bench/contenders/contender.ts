/**
 * What every contender (this library and each peer) is given and how it reports.
 */
export interface ContenderInput {
  /** OpenAI-style base URL of the emulator, e.g. `http://127.0.0.1:4000/v1`. */
  readonly baseURL: string;
  readonly apiKey: string;
  readonly model: string;
  /** Requests to run. */
  readonly total: number;
  /** The most calls in flight that the contender is configured for. */
  readonly concurrency: number;
  readonly maxTokens: number;
  /** The prompt of item `index`. */
  prompt(index: number): string;
  /** Called once per item when it ended for good, with the item's latency as the contender saw it. */
  record(outcome: ItemOutcome): void;
}

export interface ItemOutcome {
  readonly ok: boolean;
  /** From the moment the item left the contender's queue to its final answer (retries included). */
  readonly latencyMs: number;
}

/** A contender runs every item and resolves once each has been recorded. */
export type Contender = (input: ContenderInput) => Promise<void>;
