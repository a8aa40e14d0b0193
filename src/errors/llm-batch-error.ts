const marker = Symbol.for('llm-batch.error');

/**
 * The root of every error this library throws. `isInstance` works across copies of the package
 * (two versions in one `node_modules`), where `instanceof` does not.
 */
export class LlmBatchError extends Error {
  readonly [marker] = true;
  /** A stable machine-readable code, e.g. `validation_error`. */
  readonly code: string;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LlmBatchError';
    this.code = options.code ?? 'llm_batch_error';
  }

  static isInstance(error: unknown): error is LlmBatchError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
