/** Plain-fetch helpers for emulator tests that need exact status codes and headers. */
export const openAIHeaders = { authorization: 'Bearer test', 'content-type': 'application/json' };
export const anthropicHeaders = { 'x-api-key': 'test', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };

export function chatBody(content = 'Hello', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra });
}

export function messageBody(content = 'Hello', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'claude-test-model', max_tokens: 64, messages: [{ role: 'user', content }], ...extra });
}

export function postChat(url: string, body = chatBody(), headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...openAIHeaders, ...headers }, body });
}

export function postMessage(url: string, body = messageBody(), headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/messages`, { method: 'POST', headers: { ...anthropicHeaders, ...headers }, body });
}
