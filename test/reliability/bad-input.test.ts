import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchClient, fileStore, ValidationError } from 'llm-batch';
import { openaiBatch } from 'llm-batch/openai';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';
import { runCli } from '../../src/cli/run-cli.js';
import { printCounts, temporaryDirectory } from './helpers.js';

let server: MockProviderServer;
let dir: string;
const saved = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL, anthropic: process.env.ANTHROPIC_API_KEY };
const tried = { api: 0, cli: 0 };

beforeAll(async () => {
  server = await createMockProviderServer();
  dir = await temporaryDirectory('bad-input');
  // The CLI finds its provider in the environment, as it does for users.
  process.env.OPENAI_API_KEY = 'sk-bad-input-test';
  process.env.OPENAI_BASE_URL = `${server.url}/v1`;
  delete process.env.ANTHROPIC_API_KEY;
});

afterAll(async () => {
  for (const [name, value] of [['OPENAI_API_KEY', saved.key], ['OPENAI_BASE_URL', saved.url], ['ANTHROPIC_API_KEY', saved.anthropic]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  printCounts('bad input', { apiInputsTried: tried.api, cliFilesTried: tried.cli, inputsTried: tried.api + tried.cli, networkCallsOfKnownBugs: server?.journal.length ?? -1 });
});

const user = (content: unknown) => ({ role: 'user', content });
const good = (id: string) => ({ id, messages: [user('fine')] });
const line = (custom_id: unknown, body: unknown, extra: Record<string, unknown> = {}) => ({
  custom_id,
  method: 'POST',
  url: '/v1/chat/completions',
  body,
  ...extra,
});

/** Each case: the requests (one bad item among good ones), where the bad item is, and its id if it has one. */
const apiCases: Array<{ name: string; input: unknown[]; index: number; id?: string; model?: string | null }> = [
  { name: 'missing id', input: [good('a'), { messages: [user('x')] }], index: 1 },
  { name: 'id with a space', input: [good('a'), { id: 'has space', messages: [user('x')] }], index: 1, id: 'has space' },
  { name: 'id of 65 characters', input: [{ id: 'x'.repeat(65), messages: [user('x')] }, good('a')], index: 0, id: 'x'.repeat(65) },
  { name: 'id with non-ASCII letters', input: [good('a'), good('b'), { id: 'crème', messages: [user('x')] }], index: 2, id: 'crème' },
  { name: 'empty id', input: [{ id: '', messages: [user('x')] }], index: 0, id: '' },
  { name: 'id that is a number', input: [good('a'), { id: 42, messages: [user('x')] }], index: 1 },
  { name: 'duplicate id', input: [good('a'), good('b'), good('a')], index: 2, id: 'a' },
  { name: 'empty messages', input: [good('a'), { id: 'empty', messages: [] }], index: 1, id: 'empty' },
  { name: 'messages not an array', input: [{ id: 'm', messages: 'hello' }], index: 0, id: 'm' },
  { name: 'unknown role', input: [{ id: 'role', messages: [{ role: 'robot', content: 'x' }] }], index: 0, id: 'role' },
  { name: 'content that is a number', input: [{ id: 'num', messages: [user(42)] }], index: 0, id: 'num' },
  { name: 'content part of unknown type', input: [{ id: 'part', messages: [user([{ type: 'video', url: 'x' }])] }], index: 0, id: 'part' },
  { name: 'message with an unknown key', input: [{ id: 'mk', messages: [{ role: 'user', content: 'x', mood: 'happy' }] }], index: 0, id: 'mk' },
  { name: 'negative maxTokens', input: [good('a'), { id: 'neg', maxTokens: -5, messages: [user('x')] }], index: 1, id: 'neg' },
  { name: 'fractional maxTokens', input: [{ id: 'frac', maxTokens: 1.5, messages: [user('x')] }], index: 0, id: 'frac' },
  { name: 'temperature above 2', input: [{ id: 'hot', temperature: 3, messages: [user('x')] }], index: 0, id: 'hot' },
  { name: 'negative topP', input: [{ id: 'topp', topP: -1, messages: [user('x')] }], index: 0, id: 'topp' },
  { name: 'misspelt key', input: [{ id: 'typo', temprature: 0.2, messages: [user('x')] }], index: 0, id: 'typo' },
  { name: 'empty model', input: [{ id: 'nomodel', model: '', messages: [user('x')] }], index: 0, id: 'nomodel' },
  { name: 'no model anywhere', input: [good('a'), good('b')], index: 0, id: 'a', model: null },
  { name: 'null item', input: [good('a'), null], index: 1 },
  { name: 'array item', input: [[good('a')]], index: 0 },
  // A string is a plain prompt now; an empty one, or a number, is still refused.
  { name: 'empty plain prompt', input: [good('a'), good('b'), ''], index: 2 },
  { name: 'number item', input: [good('a'), 42], index: 1 },
  { name: 'tool without a name', input: [{ id: 'tool', tools: [{ description: 'x' }], messages: [user('x')] }], index: 0, id: 'tool' },
  { name: 'unknown toolChoice', input: [{ id: 'choice', toolChoice: 'sometimes', messages: [user('x')] }], index: 0, id: 'choice' },
  { name: 'unknown responseFormat type', input: [{ id: 'fmt', responseFormat: { type: 'yaml' }, messages: [user('x')] }], index: 0, id: 'fmt' },
  { name: 'stop that is a number', input: [{ id: 'stop', stop: 7, messages: [user('x')] }], index: 0, id: 'stop' },
  { name: 'system that is an object', input: [{ id: 'sys', system: { text: 'x' }, messages: [user('x')] }], index: 0, id: 'sys' },
  { name: 'metadata that is a string', input: [{ id: 'meta', metadata: 'x', messages: [user('x')] }], index: 0, id: 'meta' },
  { name: 'providerOptions.openai not an object', input: [{ id: 'po', providerOptions: { openai: 5 }, messages: [user('x')] }], index: 0, id: 'po' },
  { name: 'OpenAI line with GET', input: [good('a'), { ...line('get', { model: 'm', messages: [user('x')] }), method: 'GET' }], index: 1, id: 'get' },
  {
    name: 'OpenAI chat line without messages',
    input: [line('nomsg', { model: 'm' })],
    index: 0,
    id: 'nomsg',
  },
  { name: 'OpenAI line with a bad custom_id', input: [line('bad id!', { model: 'm', messages: [user('x')] })], index: 0, id: 'bad id!' },
  { name: 'OpenAI line whose body is a string', input: [good('a'), line('str', 'hello')], index: 1, id: 'str' },
  { name: 'empty input', input: [], index: 0 },
];

describe('bad input through the API: a ValidationError naming the item, no network call', () => {
  const client = () =>
    createBatchClient({ provider: openaiBatch({ apiKey: 'sk-bad-input-test', baseURL: `${server.url}/v1` }), store: fileStore({ dir }) });

  it.each(apiCases)('$name', async ({ input, index, id, model }) => {
    await expectValidationError(input, index, id, model);
  });

  async function expectValidationError(input: unknown[], index: number, id: string | undefined, model: string | null | undefined) {
    tried.api++;
    const journalBefore = server.journal.length;
    const error = await client()
      .submit(input as never, model === null ? {} : { model: model ?? 'gpt-5.4-mini' })
      .catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error), String(error)).toBe(true);
    const issues = (error as ValidationError).issues;
    const issue = issues.find((candidate) => candidate.index === index);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    if (id !== undefined) {
      expect(issue?.id).toBe(id);
      expect((error as Error).message).toContain(`id "${id}"`);
    }
    expect((error as Error).message).toContain(input.length === 0 ? 'empty' : `request ${index}`);
    expect(server.journal.slice(journalBefore)).toEqual([]);
  }
});

/** Each case: the file's text and the line the CLI must name (and the id, when the line has one). */
const cliCases: Array<{ name: string; file: string; text: string; line?: number; id?: string; says?: string }> = [
  { name: 'invalid JSON', file: 'a.jsonl', text: `${JSON.stringify(good('a'))}\n{"id": "b", "messages": [\n`, line: 2, says: 'invalid JSON' },
  { name: 'a truncated last line', file: 'b.jsonl', text: `${JSON.stringify(good('a'))}\n{"id":"b","messages":[{"role":"user","content":"x"}]`, line: 2 },
  { name: 'an array line', file: 'c.jsonl', text: `${JSON.stringify(good('a'))}\n[1,2]\n`, line: 2, says: 'array' },
  { name: 'a number line', file: 'd.jsonl', text: `42\n`, line: 1 },
  { name: 'a null line', file: 'e.jsonl', text: `${JSON.stringify(good('a'))}\n\nnull\n`, line: 3 },
  { name: 'duplicate ids', file: 'f.jsonl', text: `${JSON.stringify(good('a'))}\n${JSON.stringify(good('b'))}\n${JSON.stringify(good('a'))}\n`, line: 3, id: 'a', says: 'duplicate' },
  { name: 'a misspelt key', file: 'g.jsonl', text: `${JSON.stringify({ ...good('a'), max_tokens: 5 })}\n`, line: 1, id: 'a', says: 'max_tokens' },
  { name: 'a bad id', file: 'h.jsonl', text: `${JSON.stringify(good('a'))}\n${JSON.stringify(good('no/slashes'))}\n`, line: 2, id: 'no/slashes' },
  { name: 'missing messages', file: 'i.jsonl', text: `${JSON.stringify({ id: 'nomsg', model: 'gpt-5.4-mini' })}\n`, line: 1, id: 'nomsg', says: 'messages' },
  { name: 'an OpenAI line with an extra key', file: 'j.jsonl', text: `${JSON.stringify(line('x1', { model: 'm', messages: [user('x')] }, { priority: 1 }))}\n`, line: 1, id: 'x1', says: 'priority' },
  { name: 'an OpenAI line with GET', file: 'k.jsonl', text: `${JSON.stringify({ ...line('g1', { model: 'm', messages: [user('x')] }), method: 'GET' })}\n`, line: 1, id: 'g1' },
  { name: 'a bad role on line 3', file: 'l.jsonl', text: `${JSON.stringify(good('a'))}\n${JSON.stringify(good('b'))}\n${JSON.stringify({ id: 'c', messages: [{ role: 'bot', content: 'x' }] })}\n`, line: 3, id: 'c' },
  { name: 'an empty JSONL file', file: 'm.jsonl', text: '', says: 'empty' },
  { name: 'a blank .txt file', file: 'n.txt', text: '\n\n  \n', says: 'empty' },
  { name: 'a negative maxTokens', file: 'o.jsonl', text: `${JSON.stringify({ ...good('neg'), maxTokens: -1 })}\n`, line: 1, id: 'neg', says: 'maxTokens' },
];

describe('bad input files through the CLI: exit code 2 and a message naming the line, no network call', () => {
  it.each(cliCases)('$name', async ({ file, text, line: lineNumber, id, says }) => {
    tried.cli++;
    const journalBefore = server.journal.length;
    const path = join(dir, file);
    await writeFile(path, text);
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      env: { ...process.env },
    };
    const code = await runCli(['run', path, '--provider', 'openai', '--store', join(dir, 'store'), '--quiet'], io);
    expect(code, stderr).toBe(2);
    expect(stderr).toContain(path);
    if (lineNumber !== undefined) expect(stderr).toContain(`line ${lineNumber}`);
    if (id !== undefined) expect(stderr).toContain(`"${id}"`);
    if (says !== undefined) expect(stderr).toContain(says);
    expect(stdout).toBe('');
    expect(server.journal.slice(journalBefore)).toEqual([]);
  });
});
