// Implemented in the errors/retry work item; signature pinned here for every module that uses it.
import type { ErrorCategory, ItemError } from '../models/item-error.js';

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

export declare function classifyError(error: unknown): ErrorClassification;
export declare function toItemError(error: unknown): ItemError;
