/**
 * What the emulator keeps for the Gemini API: files (uploaded and generated), resumable uploads in
 * progress, batch jobs and cached contents. Times are epoch milliseconds on the batch clock.
 */

/** A file of the Gemini Files API (`files/{id}`). */
export interface GeminiFileRecord {
  /** The id without the `files/` prefix. */
  readonly id: string;
  readonly displayName: string | undefined;
  readonly mimeType: string;
  readonly sizeBytes: number;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly sha256Hash: string;
  readonly source: 'UPLOADED' | 'GENERATED';
  /** Uploaded bytes, or generated JSONL lines (without newlines). */
  readonly content: Buffer | readonly string[];
}

/** A resumable upload between `start` and `upload, finalize`. */
export interface GeminiUpload {
  readonly id: string;
  readonly displayName: string | undefined;
  readonly requestedName: string | undefined;
  readonly mimeType: string;
  readonly declaredBytes: number | undefined;
  readonly chunks: Buffer[];
  received: number;
}

/** One finished item of a batch: the inline response JSON and the responses-file line JSON. */
export interface GeminiBatchItemOutcome {
  readonly ok: boolean;
  /** `{ response | error, metadata }` as in `inlinedResponses`. */
  readonly inlineJson: string;
  /** `{ key, response | error }` as a line of the responses file. */
  readonly lineJson: string;
}

export type GeminiBatchState =
  | 'BATCH_STATE_PENDING'
  | 'BATCH_STATE_RUNNING'
  | 'BATCH_STATE_SUCCEEDED'
  | 'BATCH_STATE_FAILED'
  | 'BATCH_STATE_CANCELLED'
  | 'BATCH_STATE_EXPIRED';

export interface GeminiBatchRecord {
  /** The id without the `batches/` prefix. */
  readonly id: string;
  /** `models/...` */
  readonly model: string;
  readonly displayName: string;
  readonly createdAtMs: number;
  readonly total: number;
  readonly source: { readonly fileName: string } | { readonly inline: true };
  readonly forcedExpiryMs: number | undefined;
  /** Set when the job fails as a whole (the `fail-validation` fault). */
  readonly failure: { readonly code: number; readonly message: string } | undefined;
  outcomes: GeminiBatchItemOutcome[] | undefined;
  outcomesReady: Promise<void>;
  cancelRequestedAtMs: number | undefined;
  state: GeminiBatchState;
  endedAtMs: number | undefined;
  updatedAtMs: number;
  counts: { succeeded: number; failed: number; pending: number };
  /** `files/...` of the responses file, for a file-sourced job that succeeded. */
  responsesFile: string | undefined;
  /** Joined inline responses, built once when an inline job succeeds. */
  inlinedResponsesJson: string | undefined;
}

/** A `cachedContents/{id}` entry. */
export interface GeminiCacheRecord {
  readonly id: string;
  readonly model: string;
  readonly displayName: string | undefined;
  readonly createdAtMs: number;
  updatedAtMs: number;
  expiresAtMs: number;
  readonly tokenCount: number;
  /** The cached prompt text (system instruction and contents), part of what the answer derives from. */
  readonly promptText: string;
  readonly hasSystemInstruction: boolean;
  readonly hasTools: boolean;
}

export class GeminiStore {
  readonly files = new Map<string, GeminiFileRecord>();
  readonly uploads = new Map<string, GeminiUpload>();
  readonly batches = new Map<string, GeminiBatchRecord>();
  readonly caches = new Map<string, GeminiCacheRecord>();

  clear(): void {
    this.files.clear();
    this.uploads.clear();
    this.batches.clear();
    this.caches.clear();
  }
}
