import type { ErrorClassification } from './error-classification.js';
import { isRecord, messageOf, type UnknownRecord } from './read-error-fields.js';

// Node and undici codes for a connection that failed or broke; the request may not have reached the server.
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

const timeoutNames = new Set(['APIConnectionTimeoutError', 'TimeoutError', 'ConnectTimeoutError']);
const connectionNames = new Set(['APIConnectionError', 'FetchError', 'SocketError']);

const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * A request that got no HTTP answer: a timeout (the SDKs' and undici's timeout errors) or a
 * connection that failed or broke (Node/undici codes, also inside `TypeError: fetch failed`
 * causes and `AggregateError`s). Undefined for anything else.
 */
export function classifyNetworkError(error: UnknownRecord): ErrorClassification | undefined {
  if (isTimeout(error)) {
    return { category: 'timeout', retryable: true, message: messageOf(error) ?? 'Request timed out', ...networkCode(error) };
  }
  const network = findNetworkCode(error);
  if (network !== undefined || isConnectionError(error)) {
    return {
      category: 'network',
      retryable: true,
      message: messageOf(error) ?? 'Connection error',
      ...(network === undefined ? {} : { code: network }),
    };
  }
  return undefined;
}

function isTimeout(error: UnknownRecord): boolean {
  for (const link of causeChain(error)) {
    const names = namesOf(link);
    if (names.some((name) => timeoutNames.has(name))) return true;
    if (typeof link.code === 'string' && timeoutCodes.has(link.code)) return true;
  }
  return false;
}

function isConnectionError(error: UnknownRecord): boolean {
  for (const link of causeChain(error)) {
    const names = namesOf(link);
    if (names.some((name) => connectionNames.has(name))) return true;
    // undici: `fetch failed` before the response, `terminated` when the connection broke during a body.
    if (names.includes('TypeError') && (link.message === 'fetch failed' || link.message === 'terminated')) return true;
  }
  return false;
}

function findNetworkCode(error: UnknownRecord): string | undefined {
  for (const link of causeChain(error)) {
    if (typeof link.code === 'string' && networkCodes.has(link.code)) return link.code;
    if (typeof link.errno === 'string' && networkCodes.has(link.errno)) return link.errno;
  }
  return undefined;
}

function networkCode(error: UnknownRecord): { code?: string } {
  const code = findNetworkCode(error);
  return code === undefined ? {} : { code };
}

/** The error and its `cause`s (bounded: causes can be cyclic). */
function* causeChain(error: UnknownRecord): Generator<UnknownRecord> {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && isRecord(current); depth++) {
    yield current;
    if (current.cause === current) return;
    current = current.cause;
    // `AggregateError`s (happy-eyeballs connects) carry the real causes in `errors`.
    if (!isRecord(current) && depth === 0 && Array.isArray(error.errors) && isRecord(error.errors[0])) {
      current = error.errors[0];
    }
  }
}

/**
 * The error's names: its `name` and its class name. OpenAI's SDK classes do not set `name` (it
 * stays `Error`), while a DOMException's class name says nothing; so both are checked.
 */
function namesOf(error: UnknownRecord): string[] {
  const names: string[] = [];
  if (typeof error.name === 'string') names.push(error.name);
  const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
  if (typeof constructorName === 'string') names.push(constructorName);
  return names;
}
