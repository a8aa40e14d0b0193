import { describe, expect, it } from 'vitest';
import { parseMockServerArguments, runMockServerCommand } from '../../src/cli/commands/mock-server.js';

function capture(): { write(text: string): void; text: () => string } {
  let buffer = '';
  return { write: (text: string) => void (buffer += text), text: () => buffer };
}

describe('llm-batch mock-server', () => {
  it('parses every flag into server options', () => {
    expect(parseMockServerArguments(['--port', '0', '--host', '127.0.0.1', '--latency', '20:200', '--rpm', '60', '--tpm', '1000', '--fail-rate', '0.1', '--seed', '4', '--batch-duration', '2000']).options).toEqual({
      port: 0,
      host: '127.0.0.1',
      latency: { p50: 20, p99: 200 },
      rateLimit: { requestsPerMinute: 60, tokensPerMinute: 1000 },
      faults: { rate: 0.1 },
      seed: 4,
      batch: { processingMs: 2000 },
    });
    expect(parseMockServerArguments(['--latency', '15']).options.latency).toBe(15);
  });

  it('rejects a bad value naming the flag', async () => {
    const stderr = capture();
    expect(await runMockServerCommand(['--fail-rate', '2'], { stdout: capture(), stderr })).toBe(2);
    expect(stderr.text()).toContain("--fail-rate expects a number between 0 and 1, got '2'");
  });

  it('prints the URL and SDK environment, serves, and stops on abort', async () => {
    const stdout = capture();
    const stderr = capture();
    const controller = new AbortController();
    const running = runMockServerCommand(['--seed', '2'], { stdout, stderr, signal: controller.signal });
    await expect.poll(() => stdout.text()).toContain('ANTHROPIC_BASE_URL=');
    const url = /listening on (\S+)/.exec(stdout.text())?.[1] ?? '';
    expect(stdout.text()).toContain(`OPENAI_BASE_URL=${url}/v1`);
    expect(stdout.text()).toContain(`GOOGLE_GEMINI_BASE_URL=${url}`);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer mock-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    controller.abort();
    expect(await running).toBe(0);
    expect(stderr.text()).toContain('Stopped after 1 requests.');
  });
});
