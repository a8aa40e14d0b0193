/**
 * What the emulator keeps of one OpenAI batch, and the store that holds them.
 */

export type OpenAIBatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

/** One entry of a batch's `errors.data`: a problem found while validating the input file. */
export interface BatchError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

/** One request of a validated input file. */
export interface ParsedItem {
  readonly customId: string;
  readonly body: Record<string, unknown>;
}

/** One executed item, its wire line kept pre-serialised (compact for 50,000-line batches). */
export interface ItemOutcome {
  readonly customId: string;
  readonly succeeded: boolean;
  readonly line: string;
  readonly usage: { input: number; output: number; cached: number; reasoning: number } | undefined;
}

export interface OpenAIBatchRecord {
  readonly id: string;
  readonly endpoint: string;
  readonly inputFileId: string;
  readonly metadata: Record<string, string> | null;
  readonly createdAtMs: number;
  readonly model: string | null;
  readonly total: number;
  readonly validationErrors: BatchError[] | undefined;
  /** When a batch-level `expire` fault cut the window short. */
  readonly forcedExpiryMs: number | undefined;
  outcomes: ItemOutcome[] | undefined;
  outcomesReady: Promise<void>;
  cancelRequestedAtMs: number | undefined;
  status: OpenAIBatchStatus;
  terminal: boolean;
  timestamps: Partial<Record<'in_progress_at' | 'finalizing_at' | 'completed_at' | 'failed_at' | 'expired_at' | 'cancelling_at' | 'cancelled_at', number>>;
  counts: { total: number; completed: number; failed: number };
  outputFileId: string | null;
  errorFileId: string | null;
}

/** Holds the batches in creation order. */
export class OpenAIBatchStore {
  readonly batches = new Map<string, OpenAIBatchRecord>();
}
