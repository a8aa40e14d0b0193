import type { ErrorCategory } from '../models/item-error.js';

/** What `classifyError` makes of an error: enough to decide whether and when to retry, and to report it. */
export interface ErrorClassification {
  category: ErrorCategory;
  retryable: boolean;
  retryAfterMs?: number;
  statusCode?: number;
  code?: string;
  type?: string;
  message: string;
  requestId?: string;
}
