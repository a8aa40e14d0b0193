import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { buildCli, childEnvironment, repositoryRoot, temporaryFolder, type CliRun, runCliInProcess } from './cli-harness.js';

// Bytes that are not UTF-8 were decoded to U+FFFD and sent; they are now a problem of their line.
const apiKey = 'sk-test-cli-utf8-0123456789abcdef';

let entry: string;
let disposeBuild: () => Promise<void>;
let server: MockProviderServer;

beforeAll(async () => {
  const built = buildCli();
  server = await createMockProviderServer();
  ({ entry, dispose: disposeBuild } = await built);
});

afterAll(async () => {
  await Promise.all([server?.close(), disposeBuild?.()]);
});

const cli = runCliInProcess;

function cliProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [entry, ...args], { env, cwd: repositoryRoot, timeout: 50_000 }, (error, stdout, stderr) => {
      resolvePromise({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Writes `bytes` to `name` in `folder` and returns its path. */
async function bytesFile(folder: string, name: string, bytes: Buffer): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, bytes);
  return path;
}

/** `bytes` as a stream of 3-byte chunks, so characters and bad sequences span chunks. */
function piped(bytes: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += 3) chunks.push(bytes.subarray(start, start + 3));
  return Readable.from(chunks);
}

const good = (id: string, content: string): Buffer => Buffer.from(`${JSON.stringify({ id, messages: [{ role: 'user', content }] })}\n`);
/** A request line whose prompt holds "café" in Latin-1: the é is the lone byte E9. */
const latin1 = (id: string): Buffer =>
  Buffer.concat([Buffer.from(`{"id":"${id}","messages":[{"role":"user","content":"caf`), Buffer.from([0xe9]), Buffer.from('"}]}\n')]);

const reason = 'invalid UTF-8: the line holds bytes that are not UTF-8 text (save the file as UTF-8)';

describe.concurrent('input that is not UTF-8', () => {
  test('a JSONL line is a problem naming the file and the line, and nothing reaches the provider', async ({ expect }) => {
    const folder = await temporaryFolder();
    const file = await bytesFile(folder.path, 'requests.jsonl', Buffer.concat([good('a', 'Hi'), latin1('b'), good('c', 'Zoë'), latin1('d')]));
    const env = childEnvironment({ OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${server.url}/v1` });
    for (const mode of ['native', 'emulated']) {
      const run = await cliProcess(['run', file, '--provider', 'openai', '--mode', mode, '--model', 'gpt-5.4-mini', '--quiet', '--store', folder.path], env);
      expect(run.code, mode).toBe(2);
      expect(run.stdout, mode).toBe('');
      expect(run.stderr.split(folder.path).join('<tmp>'), mode).toBe(
        `llm-batch: <tmp>/requests.jsonl: invalid input (2 problems)\n  - line 2: ${reason}\n  - line 4: ${reason}\n`,
      );
    }
    expect(server.journal).toEqual([]);
  });

  test('a line of a prompt file is a problem naming its line', async ({ expect }) => {
    const folder = await temporaryFolder();
    const file = await bytesFile(folder.path, 'prompts.txt', Buffer.concat([Buffer.from('Name a colour.\n\nName a '), Buffer.from([0xff, 0xfe]), Buffer.from(' fruit.\n')]));
    const run = await cli(['estimate', file, '--provider', 'mock']);
    expect(run.code).toBe(2);
    expect(run.stderr.split(folder.path).join('<tmp>')).toBe(`llm-batch: <tmp>/prompts.txt: invalid input (1 problem)\n  - line 3: ${reason}\n`);
  });

  test('standard input is checked the same way, bad bytes split across chunks included', async ({ expect }) => {
    // E6 97 A5 is 日; cut after two bytes and followed by a newline, it is not UTF-8.
    const input = Buffer.concat([good('a', '日本'), Buffer.from('{"id":"b","messages":[{"role":"user","content":"'), Buffer.from([0xe6, 0x97]), Buffer.from('"}]}\n')]);
    const jsonl = await cli(['estimate', '-', '--provider', 'mock'], piped(input));
    expect(jsonl.code).toBe(2);
    expect(jsonl.stderr).toBe(`llm-batch: <stdin>: invalid input (1 problem)\n  - line 2: ${reason}\n`);

    const prompts = await cli(['estimate', '-', '--provider', 'mock', '--input-format', 'txt'], piped(Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xc0, 0xaf])])));
    expect(prompts.code).toBe(2);
    expect(prompts.stderr).toBe(`llm-batch: <stdin>: invalid input (1 problem)\n  - line 2: ${reason}\n`);
  });

  test('a bad line that is also bad JSON is named once, for its bytes', async ({ expect }) => {
    const folder = await temporaryFolder();
    const file = await bytesFile(folder.path, 'requests.jsonl', Buffer.concat([good('a', 'Hi'), Buffer.from([0x7b, 0x80, 0x0a])]));
    const run = await cli(['estimate', file, '--provider', 'mock']);
    expect(run.code).toBe(2);
    expect(run.stderr.split(folder.path).join('<tmp>')).toBe(`llm-batch: <tmp>/requests.jsonl: invalid input (1 problem)\n  - line 2: ${reason}\n`);
  });

  test('U+FFFD written in the file as UTF-8, a BOM and characters of every length are accepted', async ({ expect }) => {
    const folder = await temporaryFolder();
    const file = await bytesFile(folder.path, 'requests.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), good('a', 'a \uFFFD é 日 🙂')]));
    const run = await cli(['estimate', file, '--provider', 'mock']);
    expect(run.stderr).toBe('llm-batch: requests without a model use gpt-5.4-mini (set one with --model)\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Requests: 1\n/);
  });
});
