import { messageRoles, requestIdPattern, type BatchRequest } from './batch-request.js';

// The fast path of request validation: most requests of a large job are plain objects
// with an id, a model, text messages and a few numbers. Checking those by hand is several times
// cheaper than the schema and makes no copy. Anything this check does not accept outright goes
// through `batchRequestSchema`, which then says what is wrong: this function never rejects, it
// only recognises requests that the schema would accept unchanged.

const simpleKeys = new Set(['id', 'model', 'messages', 'system', 'maxTokens', 'temperature', 'topP', 'metadata']);
const roles = new Set<string>(messageRoles);

/**
 * True when `value` is a request that `batchRequestSchema` accepts as it is: only the keys above,
 * messages with a known role and text content. False means "ask the schema", not "invalid".
 */
export function isSimpleBatchRequest(value: unknown): value is BatchRequest {
  if (!isPlainObject(value)) return false;
  let hasId = false;
  let hasMessages = false;
  for (const key in value) {
    if (!simpleKeys.has(key)) return false;
    const field = value[key];
    switch (key) {
      case 'id':
        if (typeof field !== 'string' || !requestIdPattern.test(field)) return false;
        hasId = true;
        break;
      case 'model':
        if (typeof field !== 'string' || field === '') return false;
        break;
      case 'messages':
        if (!simpleMessages(field)) return false;
        hasMessages = true;
        break;
      case 'system':
        if (typeof field !== 'string') return false;
        break;
      case 'maxTokens':
        if (!Number.isSafeInteger(field) || (field as number) <= 0) return false;
        break;
      case 'temperature':
        if (!inRange(field, 2)) return false;
        break;
      case 'topP':
        if (!inRange(field, 1)) return false;
        break;
      case 'metadata':
        if (!isPlainObject(field)) return false;
        break;
    }
  }
  return hasId && hasMessages;
}

function simpleMessages(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (const message of value) {
    if (!isPlainObject(message)) return false;
    let keys = 0;
    for (const key in message) {
      if (key !== 'role' && key !== 'content') return false;
      keys++;
    }
    if (keys !== 2 || typeof message['content'] !== 'string' || typeof message['role'] !== 'string' || !roles.has(message['role'])) return false;
  }
  return true;
}

function inRange(value: unknown, max: number): boolean {
  return typeof value === 'number' && value >= 0 && value <= max;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
