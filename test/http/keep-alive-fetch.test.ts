import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError, createKeepAliveFetch } from 'llm-batch';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

let server: Server;
let origin: string;
let handler: Handler = (_request, _body, response) => response.end('ok');
const connections = new Set<Socket>();
let connectionCount = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  server.on('connection', (socket) => {
    connectionCount += 1;
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of connections) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('createKeepAliveFetch', () => {
  it('sends method, headers and body, and answers with status, every header and the body', async () => {
    let seen: { method?: string; contentType?: string; contentLength?: string; body?: string } = {};
    handler = (request, body, response) => {
      seen = { method: request.method, contentType: request.headers['content-type'], contentLength: request.headers['content-length'], body };
      response.setHeader('x-request-id', 'req_1');
      response.setHeader('set-cookie', ['a=1', 'b=2']);
      response.writeHead(201, 'Created', { 'content-type': 'application/json' });
      response.end('{"ok":true,"text":"héllo"}');
    };
    const fetch = createKeepAliveFetch();
    const response = await fetch(`${origin}/v1/things?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ greeting: 'grüß dich' }),
    });
    expect(seen).toEqual({ method: 'POST', contentType: 'application/json', contentLength: String(Buffer.byteLength('{"greeting":"grüß dich"}')), body: '{"greeting":"grüß dich"}' });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Created');
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ ok: true, text: 'héllo' });
  });

  it('keeps the connection alive between calls', async () => {
    handler = (_request, _body, response) => response.end('{}');
    const fetch = createKeepAliveFetch();
    const before = connectionCount;
    for (let index = 0; index < 5; index += 1) await (await fetch(`${origin}/`, { method: 'POST', body: '{}' })).text();
    expect(connectionCount - before).toBe(1);
  });

  it("closes an idle socket before the server's keep-alive timeout instead of reusing it", async () => {
    // The server announces `Keep-Alive: timeout=2` and closes idle sockets after 2 s; the client
    // must give a socket up 1 s earlier, so the call after 1.5 s idle opens a new connection
    // rather than racing the server's close on the old one.
    server.keepAliveTimeout = 2_000;
    try {
      handler = (_request, _body, response) => response.end('{}');
      const fetch = createKeepAliveFetch();
      const before = connectionCount;
      await (await fetch(`${origin}/`, { method: 'POST', body: '{}' })).text();
      await (await fetch(`${origin}/`, { method: 'POST', body: '{}' })).text();
      expect(connectionCount - before).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await (await fetch(`${origin}/`, { method: 'POST', body: '{}' })).text();
      expect(connectionCount - before).toBe(2);
    } finally {
      server.keepAliveTimeout = 5_000;
    }
  });

  it('keeps a call open past the idle timeout while the server is still answering', async () => {
    handler = (_request, _body, response) => {
      setTimeout(() => response.end('{"late":true}'), 4_500);
    };
    const response = await createKeepAliveFetch()(`${origin}/`, { method: 'POST', body: '{}' });
    expect(await response.json()).toEqual({ late: true });
  }, 15_000);

  it('decodes a gzip-encoded answer and gives a 204 no body', async () => {
    const fetch = createKeepAliveFetch();
    handler = (_request, _body, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
      response.end(gzipSync('{"compressed":true}'));
    };
    expect(await (await fetch(`${origin}/`)).json()).toEqual({ compressed: true });
    handler = (_request, _body, response) => {
      response.writeHead(204);
      response.end();
    };
    const empty = await fetch(`${origin}/`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('rejects like the platform fetch: TypeError with the Node error as cause, or the abort reason', async () => {
    const fetch = createKeepAliveFetch();
    handler = (request) => request.socket.destroy();
    const reset = await fetch(`${origin}/`, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    expect(reset).toBeInstanceOf(TypeError);
    expect((reset as TypeError).message).toBe('fetch failed');
    expect(((reset as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(classifyError(reset)).toMatchObject({ category: 'network', retryable: true });

    const refused = await fetch('http://127.0.0.1:1/', {}).catch((error: unknown) => error);
    expect(((refused as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');

    let answered = false;
    handler = (_request, _body, response) => {
      setTimeout(() => {
        answered = !response.destroyed;
        if (answered) response.end('late');
      }, 300);
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const aborted = await fetch(`${origin}/`, { method: 'POST', body: '{}', signal: controller.signal }).catch((error: unknown) => error);
    expect((aborted as Error).name).toBe('AbortError');
    const already = await fetch(`${origin}/`, { signal: AbortSignal.abort(new Error('stop')) }).catch((error: unknown) => error);
    expect((already as Error).message).toBe('stop');
  });

  it('rejects an answer whose connection is cut before its end (fetch failed, a retryable network error)', async () => {
    const fetch = createKeepAliveFetch();
    handler = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"partial":');
      setTimeout(() => response.socket?.destroy(), 20);
    };
    const cut = await fetch(`${origin}/`, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    expect(cut).toBeInstanceOf(TypeError);
    expect((cut as TypeError).message).toBe('fetch failed');
    expect(classifyError(cut)).toMatchObject({ category: 'network', retryable: true });
  });

  it('hands bodies it does not send itself (FormData) to the platform fetch', async () => {
    let contentType: string | undefined;
    let body = '';
    handler = (request, text, response) => {
      contentType = request.headers['content-type'];
      body = text;
      response.end('{}');
    };
    const form = new FormData();
    form.append('purpose', 'batch');
    const response = await createKeepAliveFetch()(`${origin}/v1/files`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(body).toContain('name="purpose"');
  });

  it("leaves every request to the platform fetch while Node is told to use the environment's proxy", async () => {
    handler = (_request, _body, response) => response.end('{"direct":true}');
    const platformCalls: string[] = [];
    const platformFetch = globalThis.fetch;
    const saved = { flag: process.env['NODE_USE_ENV_PROXY'], proxy: process.env['HTTP_PROXY'] };
    // Stands in for the platform fetch so the test sees which way the request went.
    globalThis.fetch = (async (input: string | URL | Request) => {
      platformCalls.push(String(input));
      return new Response('{"viaPlatform":true}');
    }) as typeof fetch;
    try {
      const fetch = createKeepAliveFetch();
      process.env['HTTP_PROXY'] = 'http://127.0.0.1:9';
      expect(await (await fetch(`${origin}/a`, { method: 'POST', body: '{}' })).json()).toEqual({ direct: true });
      process.env['NODE_USE_ENV_PROXY'] = '1';
      expect(await (await fetch(`${origin}/b`, { method: 'POST', body: '{}' })).json()).toEqual({ viaPlatform: true });
      expect(platformCalls).toEqual([`${origin}/b`]);
    } finally {
      globalThis.fetch = platformFetch;
      for (const [name, value] of [['NODE_USE_ENV_PROXY', saved.flag], ['HTTP_PROXY', saved.proxy]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('works as the OpenAI SDK transport: answers, API errors with headers, and timeouts', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${origin}/v1`, maxRetries: 0, fetch: createKeepAliveFetch() });
    handler = (_request, body, response) => {
      const { model } = JSON.parse(body) as { model: string };
      response.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '42' });
      response.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'hi', refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        }),
      );
    };
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    expect(data.choices[0]?.message.content).toBe('hi');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('42');

    handler = (_request, _body, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      response.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }));
    };
    const limited = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(classifyError(limited)).toMatchObject({ category: 'rate_limit', retryable: true, retryAfterMs: 2000 });

    handler = () => undefined;
    const timedOut = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }, { timeout: 50 })
      .catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });
});
