import { LlmBatchError } from './llm-batch-error.js';

/** A job's estimated or reserved cost would pass `maxCostUsd`. Thrown before any network call. */
export class BudgetExceededError extends LlmBatchError {
  readonly maxCostUsd: number;
  readonly estimatedCostUsd: number;

  constructor(maxCostUsd: number, estimatedCostUsd: number) {
    super(
      `Estimated cost $${estimatedCostUsd.toFixed(4)} exceeds the budget maxCostUsd=$${maxCostUsd.toFixed(4)}; nothing was sent`,
      { code: 'budget_exceeded' },
    );
    this.name = 'BudgetExceededError';
    this.maxCostUsd = maxCostUsd;
    this.estimatedCostUsd = estimatedCostUsd;
  }

  static override isInstance(error: unknown): error is BudgetExceededError {
    return LlmBatchError.isInstance(error) && error.code === 'budget_exceeded';
  }
}
