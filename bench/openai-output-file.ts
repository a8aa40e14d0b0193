// A realistic OpenAI batch output file (about 3.6 kB a line: a chat completion with usage), streamed
// to disk, for the benchmarks that read one back.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** Writes lines until the file holds at least `targetBytes`; returns how many lines and bytes. */
export async function writeOpenAIOutputFile(path: string, targetBytes: number): Promise<{ lines: number; bytes: number }> {
  const stream = createWriteStream(path);
  const text = 'The paragraph argues that streaming keeps memory flat. '.repeat(68);
  let bytes = 0;
  let lines = 0;
  while (bytes < targetBytes) {
    const line = `${JSON.stringify({
      id: `batch_req_${lines}`,
      custom_id: `request_${lines}`,
      response: {
        status_code: 200,
        request_id: `req_${lines}`,
        body: {
          id: `chatcmpl-${lines}`,
          object: 'chat.completion',
          created: 1_711_652_795,
          model: 'gpt-4.1-mini-2025-04-14',
          choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 250, completion_tokens: 800, total_tokens: 1050, prompt_tokens_details: { cached_tokens: 128 } },
        },
      },
      error: null,
    })}\n`;
    bytes += Buffer.byteLength(line);
    lines += 1;
    if (!stream.write(line)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  return { lines, bytes };
}
