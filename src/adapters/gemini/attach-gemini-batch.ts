import type { GoogleGenAI, Operation } from '@google/genai';
import { LlmBatchError } from '../../errors/llm-batch-error.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { AttachedBatch, ProviderCallContext } from '../../provider/batch-provider.js';
import { convertFromGeminiRequest } from './convert-from-gemini-request.js';
import { abortOf, downloadGeminiLines } from './download-gemini-lines.js';

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/**
 * Looks up a Gemini batch made elsewhere (`batches/...`, or its bare id) for `client.attach`.
 *
 * The batch is read as the raw long-running operation (`GET /v1beta/batches/{id}` through the SDK's
 * `operations.get`), because the SDK's `batches.get` drops what attach needs on the Gemini
 * Developer API: the request count (`batchStats.requestCount`) and the input (`inputConfig`). Its
 * requests are given back, with the `key` of each as its id, from the input file (downloaded) or from
 * the inline requests when the batch holds them. When neither can be read the client keeps the
 * results under the keys they carry and refuses `retry`, as for Anthropic: Gemini does not echo
 * inline requests, and Google's Files API refuses to download uploaded files (the emulator and
 * some gateways allow it), so against the real API that is the usual case.
 *
 * @throws LlmBatchError of code `batch_not_found` when Gemini has no such batch (404).
 */
export async function attachGeminiBatch(client: GoogleGenAI, batchId: string, context: ProviderCallContext, temporaryDirectory: string | undefined): Promise<AttachedBatch> {
  const name = batchId.startsWith('batches/') ? batchId : `batches/${batchId}`;
  let operation: Json;
  try {
    operation = await getRawOperation(client, name, context);
  } catch (error) {
    if ((error as { status?: unknown } | null)?.status === 404) {
      throw new LlmBatchError(`gemini: there is no batch ${name} (Gemini answered 404 Not Found); check the id and that the API key belongs to the project that created it`, {
        code: 'batch_not_found',
        cause: error,
      });
    }
    throw error;
  }
  const batch = asRecord(operation['metadata']) ?? {};
  const model = typeof batch['model'] === 'string' ? batch['model'].replace(/^models\//, '') : undefined;
  const displayName = typeof batch['displayName'] === 'string' ? batch['displayName'] : undefined;
  const stats = asRecord(batch['batchStats']);
  const requestCount = Number(stats?.['requestCount'] ?? 0);
  const input = asRecord(batch['inputConfig']);
  const inputFileName = typeof input?.['fileName'] === 'string' && input['fileName'] !== '' ? input['fileName'] : undefined;
  const inline = asRecord(input?.['requests'])?.['requests'];
  // The fields of a `GeminiBatchReference` that a batch made elsewhere has.
  const reference = {
    id: typeof operation['name'] === 'string' ? operation['name'] : name,
    ...(displayName === undefined ? {} : { displayName }),
    ...(model === undefined ? {} : { model }),
    ...(inputFileName === undefined ? {} : { inputFileName }),
    // `cleanup` leaves alone what another tool made (its input file, the responses, the batch).
    attached: true,
  };
  let requests: (() => AsyncIterable<BatchRequest>) | undefined;
  if (inputFileName !== undefined) {
    requests = async function* () {
      let index = 0;
      for await (const line of downloadGeminiLines(client, inputFileName, context, temporaryDirectory)) {
        yield convertFromGeminiRequest(JSON.parse(line) as unknown, model, index++);
      }
    };
  } else if (Array.isArray(inline) && inline.length > 0) {
    requests = async function* () {
      for (const [index, entry] of inline.entries()) yield convertFromGeminiRequest(entry, model, index, `request-${index + 1}`);
    };
  }
  return {
    reference,
    requestCount: Number.isSafeInteger(requestCount) && requestCount >= 0 ? requestCount : 0,
    ...(model === undefined ? {} : { model }),
    ...(requests === undefined ? {} : { requests }),
  };
}

/** `GET /v1beta/{name}` as JSON: the SDK's generic operation read, with an operation that keeps the response as it came. */
async function getRawOperation(client: GoogleGenAI, name: string, context: ProviderCallContext): Promise<Json> {
  const raw: Operation<unknown> = {
    name,
    _fromAPIResponse: ({ apiResponse }) => ({ ...apiResponse, _fromAPIResponse: raw._fromAPIResponse }),
  };
  const operation = await client.operations.get({ operation: raw, config: abortOf(context) });
  return operation as unknown as Json;
}
