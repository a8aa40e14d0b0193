/**
 * Gemini `generateContent` and `countTokens`: validation, context-cache lookup and the
 * `GenerateContentResponse` body. The same executor answers the synchronous route and the items of
 * batch jobs. Field names are read in both spellings the REST API accepts (`generationConfig` and
 * `generation_config`), since batch input files are often written in snake case.
 */
import { geminiErrorBody } from './gemini-errors.js';
import type { GeminiCacheRecord } from './gemini-state.js';
import type { ExecutionResult } from './openai-sync.js';
import type { FaultKind } from './options.js';
import { collectText, estimateTokens, resolveAnswer, type GenerationRequest } from './responder.js';
import type { EmulatorState } from './route-context.js';

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

const snakeNames = new Map<string, string>();

/** A field under its camelCase name or its snake_case name. */
export function geminiField(record: Json | undefined, camel: string): unknown {
  if (record === undefined) return undefined;
  const value = record[camel];
  if (value !== undefined) return value;
  let snake = snakeNames.get(camel);
  if (snake === undefined) {
    snake = camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    snakeNames.set(camel, snake);
  }
  return record[snake];
}

function invalid(message: string, status = 400): ExecutionResult {
  return { status, body: geminiErrorBody(status, message) as unknown as Json };
}

/** `models/x` for `x` or `models/x`. */
export function geminiModelName(model: string): string {
  return model.startsWith('models/') || model.startsWith('tunedModels/') ? model : `models/${model}`;
}

/** The text of Gemini contents or a system instruction (parts' `text`, function calls and responses as JSON). */
export function geminiContentText(value: unknown): string {
  if (typeof value === 'string') return value;
  const contents = Array.isArray(value) ? value : [value];
  const pieces: string[] = [];
  for (const content of contents) {
    const record = asRecord(content);
    if (record === undefined) continue;
    const parts = Array.isArray(record.parts) ? record.parts : [record];
    for (const part of parts) {
      const partRecord = asRecord(part);
      if (partRecord === undefined) continue;
      if (typeof partRecord.text === 'string') pieces.push(partRecord.text);
      const call = geminiField(partRecord, 'functionCall') ?? geminiField(partRecord, 'functionResponse');
      if (call !== undefined) pieces.push(JSON.stringify(call));
      const inline = asRecord(geminiField(partRecord, 'inlineData'));
      if (inline !== undefined && typeof inline.data === 'string') pieces.push(`[${String(geminiField(inline, 'mimeType'))} ${inline.data.length} bytes]`);
    }
  }
  return pieces.join('\n');
}

/** Gemini's OpenAPI-subset schema (`type: 'OBJECT'`, `nullable`) as a JSON Schema the sampler reads. */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  const record = asRecord(schema);
  if (record === undefined) return schema;
  const copy: Json = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'type' && typeof value === 'string') copy.type = value.toLowerCase();
    else if (key === 'properties' && asRecord(value) !== undefined) {
      copy.properties = Object.fromEntries(Object.entries(value as Json).map(([name, property]) => [name, toJsonSchema(property)]));
    } else if (key === 'items' || key === 'anyOf' || key === 'any_of') copy[key === 'any_of' ? 'anyOf' : key] = toJsonSchema(value);
    else copy[key] = value;
  }
  return copy;
}

const responseMimeTypes = new Set(['text/plain', 'application/json', 'text/x.enum']);

/** Resolves `cachedContents/...` against the store; an error result when it is missing or expired. */
export function lookUpGeminiCache(name: unknown, state: EmulatorState): GeminiCacheRecord | ExecutionResult {
  const id = typeof name === 'string' ? name.replace(/^cachedContents\//, '') : '';
  const cache = state.gemini.caches.get(id);
  if (cache === undefined || cache.expiresAtMs <= state.clock.now()) {
    if (cache !== undefined) state.gemini.caches.delete(id);
    return invalid('CachedContent not found (or permission denied)', 403);
  }
  return cache;
}

function isResult(value: GeminiCacheRecord | ExecutionResult): value is ExecutionResult {
  return 'status' in value && typeof (value as ExecutionResult).status === 'number';
}

interface PreparedRequest {
  readonly promptText: string;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly request: GenerationRequest;
}

function prepare(model: string, body: Json, state: EmulatorState, batch: GenerationRequest['batch'], forCount: boolean): PreparedRequest | ExecutionResult {
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    if (!forCount || contents !== undefined) return invalid('* GenerateContentRequest.contents: contents is not specified\n');
  }
  const problems: string[] = [];
  (Array.isArray(contents) ? contents : []).forEach((content, index) => {
    const record = asRecord(content);
    if (record === undefined) {
      problems.push(`* GenerateContentRequest.contents[${index}]: must be an object\n`);
      return;
    }
    if (record.role !== undefined && record.role !== 'user' && record.role !== 'model' && record.role !== 'function') {
      problems.push(`* GenerateContentRequest.contents[${index}].role: Please use a valid role: user, model.\n`);
    }
    if (!Array.isArray(record.parts) || record.parts.length === 0) problems.push(`* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.\n`);
  });
  const config = asRecord(geminiField(body, 'generationConfig'));
  const mimeType = geminiField(config, 'responseMimeType');
  const responseSchema = geminiField(config, 'responseSchema');
  const responseJsonSchema = geminiField(config, 'responseJsonSchema');
  if (mimeType !== undefined && (typeof mimeType !== 'string' || !responseMimeTypes.has(mimeType))) {
    problems.push(`* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are \`text/plain\`, \`application/json\`, \`text/x.enum\`. ${JSON.stringify(mimeType)} is not supported.\n`);
  }
  if ((responseSchema !== undefined || responseJsonSchema !== undefined) && mimeType !== 'application/json' && mimeType !== 'text/x.enum') {
    problems.push('* GenerateContentRequest.generation_config.response_schema: response_mime_type must be `application/json` or `text/x.enum` when a response schema is set.\n');
  }
  if (responseSchema !== undefined && responseJsonSchema !== undefined) {
    problems.push('* GenerateContentRequest.generation_config: response_schema and response_json_schema cannot both be set.\n');
  }
  const maxOutputTokens = geminiField(config, 'maxOutputTokens');
  if (maxOutputTokens !== undefined && (typeof maxOutputTokens !== 'number' || !Number.isInteger(maxOutputTokens) || maxOutputTokens < 1)) {
    problems.push('* GenerateContentRequest.generation_config.max_output_tokens: must be a positive integer.\n');
  }
  const systemInstruction = geminiField(body, 'systemInstruction');
  const tools = Array.isArray(body.tools) ? body.tools.map(asRecord).filter((tool) => tool !== undefined) : [];
  const toolConfig = asRecord(geminiField(body, 'toolConfig'));
  const cachedContent = geminiField(body, 'cachedContent');
  let cache: GeminiCacheRecord | undefined;
  if (cachedContent !== undefined) {
    if (systemInstruction !== undefined || tools.length > 0 || toolConfig !== undefined) {
      problems.push('CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config.\n\nProposed fix: move those values to CachedContent from GenerateContent request.');
    }
  }
  if (problems.length > 0) return invalid(problems.join(''));
  if (cachedContent !== undefined) {
    const found = lookUpGeminiCache(cachedContent, state);
    if (isResult(found)) return found;
    cache = found;
    if (cache.model !== geminiModelName(model)) {
      return invalid(`Model used by GenerateContent request (${geminiModelName(model)}) and CachedContent (${cache.model}) has to be the same.`);
    }
  }

  const ownText = [geminiContentText(systemInstruction ?? []), geminiContentText(contents ?? [])].filter((text) => text !== '').join('\n');
  const promptText = cache === undefined ? ownText : `${cache.promptText}\n${ownText}`;
  const cachedTokens = cache?.tokenCount ?? 0;
  // The cache's count is the estimate of its own text, so it never exceeds the estimate of the whole prompt.
  const promptTokens = estimateTokens(promptText);

  let lastUserText = '';
  const list = Array.isArray(contents) ? contents : [];
  for (let index = list.length - 1; index >= 0; index -= 1) {
    const record = asRecord(list[index]);
    if (record !== undefined && (record.role === undefined || record.role === 'user')) {
      lastUserText = geminiContentText(record);
      break;
    }
  }

  let forcedTool: GenerationRequest['forcedTool'];
  const callingConfig = asRecord(geminiField(toolConfig, 'functionCallingConfig'));
  const mode = geminiField(callingConfig, 'mode');
  if (mode === 'ANY') {
    const allowed = geminiField(callingConfig, 'allowedFunctionNames');
    const declarations = tools.flatMap((tool) => {
      const list = geminiField(tool, 'functionDeclarations');
      return Array.isArray(list) ? list.map(asRecord).filter((item) => item !== undefined) : [];
    });
    const declaration = declarations.find((candidate) => !Array.isArray(allowed) || allowed.includes(candidate.name)) ?? declarations[0];
    if (declaration !== undefined && typeof declaration.name === 'string') {
      const jsonSchema = geminiField(declaration, 'parametersJsonSchema');
      forcedTool = { name: declaration.name, parameters: jsonSchema ?? toJsonSchema(declaration.parameters ?? { type: 'object' }) };
    }
  }
  const outputSchema = responseJsonSchema ?? (responseSchema === undefined ? (mimeType === 'application/json' ? { type: 'object', properties: { result: { type: 'string' } } } : undefined) : toJsonSchema(responseSchema));
  return {
    promptText,
    promptTokens,
    cachedTokens,
    request: {
      provider: 'gemini',
      endpoint: `/v1beta/${geminiModelName(model)}:generateContent`,
      body,
      model: geminiModelName(model).replace(/^models\//, ''),
      promptText,
      lastUserText: lastUserText === '' ? collectText(contents) : lastUserText,
      maxTokens: typeof maxOutputTokens === 'number' ? maxOutputTokens : undefined,
      outputSchema,
      forcedTool,
      ...(batch === undefined ? {} : { batch }),
    },
  };
}

const safetyRatings = [
  { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
];

function usageMetadata(prompt: number, candidates: number, cached: number, thoughts: number): Json {
  return {
    promptTokenCount: prompt,
    ...(candidates > 0 ? { candidatesTokenCount: candidates } : {}),
    totalTokenCount: prompt + candidates + thoughts,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
    ...(cached > 0 ? { cacheTokensDetails: [{ modality: 'TEXT', tokenCount: cached }] } : {}),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
  };
}

/** The answer to a prompt the safety filter blocks: no candidates, `promptFeedback.blockReason`. */
export function geminiPromptBlocked(model: string, promptTokens: number, responseId: string): Json {
  return {
    promptFeedback: { blockReason: 'SAFETY', safetyRatings },
    usageMetadata: usageMetadata(promptTokens, 0, 0, 0),
    modelVersion: model.replace(/^models\//, ''),
    responseId,
  };
}

/**
 * Executes one `generateContent` request. `fault: 'safety'` blocks the prompt; a scripted
 * `finishReason: 'content_filter'` blocks the candidate (`finishReason: 'SAFETY'`, no content).
 */
export async function executeGeminiGenerateContent(
  model: string,
  body: Json,
  state: EmulatorState,
  options: { readonly fault?: FaultKind | undefined; readonly batch?: GenerationRequest['batch'] } = {},
): Promise<ExecutionResult> {
  const prepared = prepare(model, body, state, options.batch, false);
  if ('status' in prepared) return prepared;
  const responseId = state.createId('', 22);
  const modelVersion = prepared.request.model;
  if (options.fault === 'safety') {
    return { status: 200, body: geminiPromptBlocked(modelVersion, prepared.promptTokens, responseId), usage: { input: prepared.promptTokens, output: 0, cached: 0, reasoning: 0 } };
  }
  const answer = await resolveAnswer(prepared.request, { seed: state.execution.seed, respond: state.execution.respond });
  if (answer.kind === 'error') {
    return { status: answer.status, body: geminiErrorBody(answer.status, answer.message, answer.type === undefined ? {} : { status: answer.type }) as unknown as Json };
  }
  // promptTokenCount includes the cached prefix; cachedContentTokenCount is that part of it.
  const cachedTokens = answer.cachedTokens > 0 ? answer.cachedTokens : prepared.cachedTokens;
  const inputTokens = Math.max(answer.inputTokens, cachedTokens);
  const blocked = answer.finishReason === 'content_filter';
  const parts: Json[] = [];
  if (!blocked) {
    if (answer.text !== '' || answer.toolCalls.length === 0) parts.push({ text: answer.text });
    for (const call of answer.toolCalls) {
      let args: unknown;
      try {
        args = JSON.parse(call.argumentsJson);
      } catch {
        args = {};
      }
      parts.push({ functionCall: { name: call.name, args } });
    }
  }
  const finishReason = blocked ? 'SAFETY' : answer.finishReason === 'length' ? 'MAX_TOKENS' : 'STOP';
  const outputTokens = blocked ? 0 : answer.outputTokens;
  const candidate: Json = blocked
    ? { finishReason, index: 0, safetyRatings }
    : { content: { parts, role: 'model' }, finishReason, index: 0 };
  return {
    status: 200,
    body: {
      candidates: [candidate],
      usageMetadata: usageMetadata(inputTokens, outputTokens, cachedTokens, answer.reasoningTokens),
      modelVersion,
      responseId,
    },
    usage: { input: inputTokens, output: outputTokens, cached: cachedTokens, reasoning: answer.reasoningTokens },
  };
}

/** `countTokens`: `{ contents }` or `{ generateContentRequest }`. */
export function countGeminiTokens(model: string, body: Json, state: EmulatorState): ExecutionResult {
  const inner = asRecord(geminiField(body, 'generateContentRequest'));
  const prepared = prepare(model, inner ?? body, state, undefined, true);
  if ('status' in prepared) return prepared;
  return {
    status: 200,
    body: {
      totalTokens: prepared.promptTokens,
      ...(prepared.cachedTokens > 0 ? { cachedContentTokenCount: prepared.cachedTokens } : {}),
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: prepared.promptTokens }],
    },
  };
}

/** The text of the last user turn of a `generateContent` body (the default call key). */
export function geminiLastUserText(body: Json): string | undefined {
  const contents = body.contents;
  if (!Array.isArray(contents)) return undefined;
  for (let index = contents.length - 1; index >= 0; index -= 1) {
    const record = asRecord(contents[index]);
    if (record !== undefined && (record.role === undefined || record.role === 'user')) return geminiContentText(record);
  }
  return undefined;
}

/** Answers the synchronous Gemini generation routes (`generateContent`, `countTokens`). */
export async function executeGeminiGeneration(endpoint: string, model: string, body: Json, state: EmulatorState, fault: FaultKind | undefined): Promise<ExecutionResult> {
  if (endpoint === 'gemini.countTokens') return countGeminiTokens(model, body, state);
  return executeGeminiGenerateContent(model, body, state, { fault });
}
