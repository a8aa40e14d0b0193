import OpenAI from 'openai';
import { headersOfAnswer, type KeepAliveTransport, type RawHttpAnswer, usesEnvironmentProxy } from '../../http/keep-alive-fetch.js';

/** A successful answer of a {@link DirectOpenAICall}: the parsed body and the answer's headers. */
export interface DirectOpenAIAnswer {
  readonly data: unknown;
  readonly headers: Record<string, string>;
}

/**
 * Sends one JSON request to an OpenAI endpoint without the SDK's per-call machinery; resolves
 * `undefined` when it cannot (Node told to use the environment's proxy), and the caller goes
 * through the SDK instead.
 */
export type DirectOpenAICall = (body: Readonly<Record<string, unknown>>, signal: AbortSignal, timeoutMs: number) => Promise<DirectOpenAIAnswer | undefined>;

interface Target {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The request path of `openaiChat()` over the library's keep-alive transport, for the client it
 * made itself (no `client`, no `fetch` given). The SDK's own request building (options, headers,
 * its debug-log formatting, two abort controllers and a timer, `Request`/`Response`/`Headers`
 * objects, the body read through web streams) costs more client CPU per call than the HTTP exchange;
 * here the URL and headers are asked of the SDK once (`buildRequest`: the same base URL, key,
 * organization, project and client headers it would send) and each call writes the JSON body and
 * parses the answer. Errors are the SDK's own classes, made as the SDK makes them
 * (`APIError.generate` with the answer's status, body and headers; `APIConnectionError`,
 * `APIConnectionTimeoutError`, `APIUserAbortError`), so classification and retries see no difference.
 */
export function createDirectOpenAICall(client: OpenAI, transport: KeepAliveTransport, path: string): DirectOpenAICall {
  let target: Promise<Target | undefined> | undefined;
  const resolveTarget = async (): Promise<Target | undefined> => {
    const { req, url } = await client.buildRequest({ method: 'post', path, body: {} });
    const parsed = new URL(url);
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || usesEnvironmentProxy(parsed)) return undefined;
    const headers: Record<string, string> = {};
    new Headers(req.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, name) => {
      headers[name] = value;
    });
    // Set per call.
    delete headers['content-length'];
    delete headers['x-stainless-timeout'];
    return { url: parsed, headers };
  };
  return async (body, signal, timeoutMs) => {
    target ??= resolveTarget();
    const resolved = await target;
    if (resolved === undefined) return undefined;
    if (signal.aborted) throw new OpenAI.APIUserAbortError();
    const headers: Record<string, string> = { ...resolved.headers, 'x-stainless-timeout': String(Math.trunc(timeoutMs / 1000)) };
    let answer: RawHttpAnswer;
    try {
      answer = await transport.send(resolved.url, 'POST', headers, JSON.stringify(body), signal);
    } catch (error) {
      // As the SDK reports a failed fetch.
      if (signal.aborted) throw new OpenAI.APIUserAbortError();
      const cause = error instanceof Error ? error : new Error(String(error));
      const isTimeout = cause.name === 'AbortError' || /timed? ?out/i.test(String(cause) + ('cause' in cause ? String(cause.cause) : ''));
      if (isTimeout) throw new OpenAI.APIConnectionTimeoutError();
      throw new OpenAI.APIConnectionError({ cause });
    }
    const text = answer.body.toString('utf8');
    if (answer.status < 200 || answer.status > 299) {
      const json = safeJson(text);
      throw OpenAI.APIError.generate(answer.status, json as object | undefined, json === undefined ? text : undefined, headersOfAnswer(answer));
    }
    const contentType = answer.headers['content-type'];
    const isJson = contentType !== undefined && (contentType.includes('application/json') || contentType.split(';')[0]?.trim().endsWith('+json') === true);
    // The SDK hands back a body that is not JSON as its text.
    const data = isJson ? (text === '' ? undefined : JSON.parse(text)) : text;
    return { data, headers: answer.headers as Record<string, string> };
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
