import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

/** The `fetch` signature the OpenAI and Anthropic SDKs accept as their `fetch` option. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** How long a kept-alive socket may stay idle (undici's default too). */
const idleSocketTimeoutMs = 4_000;

/** Statuses whose responses carry no body (the `Response` constructor rejects one). */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

const decoders: Record<string, (buffer: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

/**
 * A `fetch` for the synchronous call strategies, over `node:http(s)` with keep-alive agents.
 *
 * The platform `fetch` (undici) wraps every request and response in WHATWG streams and several
 * `AbortSignal`s; for the small JSON bodies of a chat or messages call that bookkeeping costs more
 * CPU than the HTTP exchange itself. This transport writes the body in one piece and buffers the
 * response, then hands the SDK an ordinary `Response`, so the SDK's parsing, errors and
 * `withResponse()` work unchanged, at roughly a third less client CPU per call.
 *
 * What it does not do, and hands to the platform `fetch` instead: request bodies other than a
 * string, bytes or `URLSearchParams` (uploads, streams, `FormData`), `Request` objects, URLs other
 * than `http:` and `https:`, and every request while Node is told to use the environment's proxy
 * (`NODE_USE_ENV_PROXY` with `HTTPS_PROXY` / `HTTP_PROXY` set). An application that routes the
 * platform `fetch` through an undici dispatcher of its own (`setGlobalDispatcher`: a proxy agent, a
 * `MockAgent`) should pass `fetch: globalThis.fetch` to the call strategy. It follows no redirects (a 3xx comes back as it is, which the
 * SDKs report as an error) and never streams a response, so it is meant for calls whose answer
 * is read whole, not for file downloads or server-sent events.
 *
 * Failures reject as the platform `fetch` does: a `TypeError('fetch failed')` with the Node error
 * (`ECONNRESET`, `ECONNREFUSED` ...) as its `cause`, or the signal's reason on abort.
 */
export function createKeepAliveFetch(): FetchFunction {
  return createKeepAliveTransport().fetch;
}

/** An answer as {@link KeepAliveTransport.send} returns it: read whole, decoded, not wrapped in a `Response`. */
export interface RawHttpAnswer {
  readonly status: number;
  readonly statusText: string;
  /** Node's parsed headers: names in lower case; `set-cookie` is the only list. */
  readonly headers: IncomingMessage['headers'];
  /** Names and values as received, for a `Headers` object when one is needed (an error). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/**
 * The keep-alive transport behind {@link createKeepAliveFetch}: its `fetch`, and `send`, the same
 * exchange without the `Request`/`Response`/`Headers` objects around it, for a call strategy that
 * builds its own JSON request and reads the answer itself (`openaiChat()`): those objects, and the
 * SDK's work around them, cost more CPU per call than the exchange.
 */
export interface KeepAliveTransport {
  readonly fetch: FetchFunction;
  /**
   * Sends one request and buffers the whole answer. `headers` are sent as given, with `host`
   * added when missing and `content-length` set for a payload. Rejects as the platform `fetch` does: a
   * `TypeError('fetch failed')` with the Node error as `cause`, or the signal's reason on abort.
   */
  send(url: URL, method: string, headers: Record<string, string>, payload: string | Buffer | undefined, signal: AbortSignal | undefined): Promise<RawHttpAnswer>;
}

/** Creates a {@link KeepAliveTransport} with its own keep-alive agents. */
export function createKeepAliveTransport(): KeepAliveTransport {
  // An idle socket is closed after 4 s, or 1 s before the server's `Keep-Alive: timeout=N` hint
  // if that is sooner (Node's agent applies the hint only when it has a timeout of its own), so a
  // request is not sent on a socket the server is about to close. Requests in flight are not cut.
  const httpAgent = new HttpAgent({ keepAlive: true, timeout: idleSocketTimeoutMs });
  const httpsAgent = new HttpsAgent({ keepAlive: true, timeout: idleSocketTimeoutMs });

  const send: KeepAliveTransport['send'] = (url, method, headers, payload, signal) => {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    // Handed to Node as a flat list of names and values: Node then writes them as they are (still
    // validated) instead of storing each through `setHeader`, about a quarter less CPU per request.
    // The list must carry `host` itself.
    const list: string[] = [];
    let hasHost = false;
    for (const name in headers) {
      const lower = name.toLowerCase();
      if (lower === 'content-length' && payload !== undefined) continue;
      if (lower === 'host') hasHost = true;
      list.push(name, headers[name] as string);
    }
    if (!hasHost) list.push('host', url.host);
    if (payload !== undefined) list.push('content-length', String(Buffer.byteLength(payload)));
    return new Promise<RawHttpAnswer>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = (): void => {
        request.destroy();
        fail(abortReason(signal!));
      };
      const https = url.protocol === 'https:';
      const request = (https ? httpsRequest : httpRequest)(url, { method, headers: list, agent: https ? httpsAgent : httpAgent }, (response) => {
        readBody(response).then(
          (body) => {
            if (settled) return;
            settled = true;
            signal?.removeEventListener('abort', onAbort);
            resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: response.headers, rawHeaders: response.rawHeaders, body });
          },
          (error: unknown) => fail(new TypeError('fetch failed', { cause: error })),
        );
      });
      request.on('error', (error) => fail(new TypeError('fetch failed', { cause: error })));
      signal?.addEventListener('abort', onAbort, { once: true });
      request.end(payload);
    });
  };

  const keepAliveFetch: FetchFunction = (input, init = {}) => {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
    const body = init.body;
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || !isPlainBody(body) || usesEnvironmentProxy(url)) {
      return globalThis.fetch(input, init);
    }
    const headers: Record<string, string> = {};
    // The SDKs pass a `Headers` already: read it, do not copy it.
    (init.headers instanceof Headers ? init.headers : new Headers(init.headers)).forEach((value, name) => {
      headers[name] = value;
    });
    const payload = body === undefined || body === null ? undefined : typeof body === 'string' ? body : body instanceof URLSearchParams ? body.toString() : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (body instanceof URLSearchParams && headers['content-type'] === undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    }
    return send(url, init.method ?? 'GET', headers, payload, init.signal ?? undefined).then((answer) => {
      try {
        return toResponse(answer);
      } catch (error) {
        throw new TypeError('fetch failed', { cause: error });
      }
    });
  };
  return { fetch: keepAliveFetch, send };
}

/**
 * True when Node is told to send requests through the proxy of the environment (`NODE_USE_ENV_PROXY`
 * with `HTTPS_PROXY` / `HTTP_PROXY`): the platform `fetch` honours that, an agent of ours would not.
 */
export function usesEnvironmentProxy(url: URL): boolean {
  const flag = process.env['NODE_USE_ENV_PROXY'];
  if (flag === undefined || flag === '' || flag === '0' || flag === 'false') return false;
  const names = url.protocol === 'https:' ? ['HTTPS_PROXY', 'https_proxy'] : ['HTTP_PROXY', 'http_proxy'];
  return names.some((name) => (process.env[name] ?? '') !== '');
}

function isPlainBody(body: RequestInit['body']): body is string | Uint8Array | URLSearchParams | null | undefined {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof URLSearchParams;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** The whole answer, with listeners rather than an async iterator (which costs more per call than a small answer's read). */
function readRawBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    response.once('error', reject);
    // A connection closed before the answer's end (the async iterator reported it as a premature close).
    response.once('close', () => {
      if (!ended) reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    });
  });
}

async function readBody(response: IncomingMessage): Promise<Buffer> {
  const buffer = await readRawBody(response);
  const encoding = response.headers['content-encoding']?.trim().toLowerCase();
  const decode = encoding === undefined ? undefined : decoders[encoding];
  return decode === undefined || buffer.length === 0 ? buffer : decode(buffer);
}

/** A `Headers` object of an answer's headers, as received. */
export function headersOfAnswer(answer: RawHttpAnswer): Headers {
  const headers = new Headers();
  const raw = answer.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) headers.append(raw[index] as string, raw[index + 1] as string);
  return headers;
}

function toResponse(answer: RawHttpAnswer): Response {
  const status = answer.status;
  return new Response(nullBodyStatuses.has(status) ? null : answer.body, { status, statusText: answer.statusText, headers: headersOfAnswer(answer) });
}
