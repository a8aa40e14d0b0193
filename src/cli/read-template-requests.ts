import { ValidationError } from '../errors/validation-error.js';
import { buildRequestsFromTemplate } from '../templates/build-requests-from-template.js';
import { readDataRows, rowLineOf } from '../templates/read-data-rows.js';
import { readTemplateFile } from '../templates/read-template-file.js';
import { InputFileError } from './input-file-error.js';
import { someRequestLacksModel, type RequestFile } from './read-request-file.js';
import { UsageError } from './usage-error.js';

/**
 * Builds requests from a prompt template (`{{field}}` placeholders, or a `.json` file of named
 * variants) and rows of data (CSV with a header, JSONL or a JSON array). Problems name the data
 * file and the row's line: a placeholder no column fills, a missing or duplicate id, bad JSON.
 */
export async function readTemplateRequests(templatePath: string, dataPath: string): Promise<RequestFile> {
  const template = await readTemplateFile(templatePath).catch((error: unknown) => {
    throw asReadError(error, templatePath);
  });
  try {
    const rows = await readDataRows(dataPath);
    const requests = await buildRequestsFromTemplate({ template, rows });
    const lines = requests.map((request, position) => {
      const row = rows[Number(request.metadata?.['row'])];
      return (row ? rowLineOf(row) : undefined) ?? position + 1;
    });
    return { path: dataPath, requests, count: requests.length, lacksModel: someRequestLacksModel(requests), lines };
  } catch (error) {
    if (ValidationError.isInstance(error)) throw new InputFileError(dataPath, error);
    throw asReadError(error, dataPath);
  }
}

function asReadError(error: unknown, path: string): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return new UsageError(`cannot read ${path}: no such file`);
  if (code === 'EISDIR') return new UsageError(`cannot read ${path}: it is a folder`);
  return error;
}
