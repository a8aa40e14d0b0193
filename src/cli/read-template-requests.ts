import type { RequestFile } from './read-request-file.js';
import { UsageError } from './usage-error.js';

/** Builds requests from a prompt template and rows of data (JSONL or CSV). */
export async function readTemplateRequests(template: string, data: string): Promise<RequestFile> {
  throw new UsageError(`--template ${template} --data ${data}: templates are not available in this build`);
}
