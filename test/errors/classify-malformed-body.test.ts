import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../src/errors/classify-error.js';

describe('classifyError on a garbled response body', () => {
  it('treats a cut-off 200 JSON body from the SDK as a retryable server error', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id":"chatcmpl-1","choices":[{"mess');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = new OpenAI({ apiKey: 'test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
      const error = await client.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
        .catch((caught: unknown) => caught);
      expect(classifyError(error)).toMatchObject({ category: 'server', retryable: true });
    } finally {
      server.close();
    }
  });

  it('classifies a plain SyntaxError the same way', () => {
    expect(classifyError(new SyntaxError('Unexpected end of JSON input'))).toMatchObject({ category: 'server', retryable: true });
  });
});
