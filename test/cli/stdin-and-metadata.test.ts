import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { CliInput } from '../../src/cli/cli-io.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { buildCli, childEnvironment, repositoryRoot, temporaryFolder, type CliRun, runCliInProcess } from './cli-harness.js';

// Most tests run the CLI in this process, feeding standard input as a stream; two start the real
// bin and pipe into its standard input, as a shell does.
const apiKey = 'sk-test-cli-stdin-0123456789abcdef';

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

/** Starts the built bin with `input` piped into its standard input. */
function cliProcess(args: readonly string[], input: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolvePromise) => {
    const child = execFile(process.execPath, [entry, ...args], { env, cwd: repositoryRoot, timeout: 50_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin!.end(input);
  });
}

/** A stream of `text` cut into pieces of `size` bytes, so lines (and characters) span chunks. */
function piped(text: string, size = 7): Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
  return Readable.from(chunks);
}

/** What a terminal looks like on standard input: reading it would wait for someone to type. */
const terminal: CliInput = {
  isTTY: true,
  [Symbol.asyncIterator]() {
    throw new Error('standard input was read although it is a terminal');
  },
};

const storeDirectory = async (): Promise<string> => (await temporaryFolder()).path;
const resultIds = (jsonl: string): string[] => jsonl.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);

const requestLines = [
  '{"id":"greeting","messages":[{"role":"user","content":"Say hello to Zoë."}],"maxTokens":50}',
  '',
  '{"custom_id":"openai_line","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-5.4-mini","messages":[{"role":"user","content":"Name a prime."}]}}',
  '{"id":"farewell","messages":[{"role":"user","content":"Say goodbye."}]}',
];

describe.concurrent('requests from standard input (-)', () => {
  test('run - reads JSONL from stdin, runs it on the emulator and returns a result per input id', async ({ expect }) => {
    const run = await cli(['run', '-', '--output', 'jsonl', '--quiet', '--store', await storeDirectory()], piped(`${requestLines.join('\r\n')}\r\n`));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('using the built-in local emulator');
    expect(resultIds(run.stdout)).toEqual(['greeting', 'openai_line', 'farewell']);
  });

  test('run - --input-format txt reads one prompt a line, with ids line_<n>', async ({ expect }) => {
    const run = await cli(
      ['run', '-', '--input-format', 'txt', '--output', 'jsonl', '--quiet', '--store', await storeDirectory()],
      piped('Name a colour.\n\nName a fruit.\nName a café.'),
    );
    expect(run.code).toBe(0);
    expect(resultIds(run.stdout)).toEqual(['line_1', 'line_3', 'line_4']);
  });

  test('estimate - counts the requests read from stdin', async ({ expect }) => {
    const run = await cli(['estimate', '-', '--provider', 'mock'], piped(requestLines.join('\n')));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Requests: 3\n/);
  });

  test('the bin reads JSONL piped into its standard input', async ({ expect }) => {
    const run = await cliProcess(['run', '-', '--output', 'jsonl', '--quiet', '--store', await storeDirectory()], requestLines.join('\n'), childEnvironment());
    expect(run.code).toBe(0);
    expect(resultIds(run.stdout)).toEqual(['greeting', 'openai_line', 'farewell']);
  });

  test('bad lines on stdin are all named, under <stdin>, and nothing is sent to the provider', async ({ expect }) => {
    const input = [
      '{"id":"a","messages":[{"role":"user","content":"Hi"}]}',
      '{"id":"b",',
      '{"id":"a","messages":[{"role":"user","content":"Hi again"}]}',
      '[1, 2]',
      '{"id":"c","prompt":"Hi","messages":[{"role":"user","content":"Hi"}]}',
    ].join('\n');
    const env = childEnvironment({ OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${server.url}/v1` });
    const run = await cliProcess(['submit', '-', '--model', 'gpt-5.4-mini', '--store', await storeDirectory()], input, env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    // The parser's own words differ between Node versions.
    expect(run.stderr.replace(/invalid JSON \(.*\)$/m, 'invalid JSON (<parser message>)')).toMatchInlineSnapshot(`
      "llm-batch: <stdin>: invalid input (4 problems)
        - line 2: invalid JSON (<parser message>)
        - line 3 (id "a"): id: duplicate id (first used on line 1)
        - line 4: expected a JSON object (a request), got an array
        - line 5 (id "c"): prompt: unknown key (a line has id, model, messages, system, maxTokens, temperature, topP, stop, tools, toolChoice, responseFormat, metadata, providerOptions)
      "
    `);
    expect(server.journal).toEqual([]);
  });

  test('an empty stdin is an empty input file', async ({ expect }) => {
    const run = await cli(['submit', '-', '--provider', 'mock', '--store', await storeDirectory()], piped('\n\n'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('llm-batch: <stdin>: invalid input (1 problem)\n  - the file is empty: expected one JSON request a line\n');
  });

  test('- on a terminal fails at once with a usage error, for run, submit and estimate, without reading it', async ({ expect }) => {
    for (const command of ['run', 'submit', 'estimate']) {
      const run = await cli([command, '-'], terminal);
      expect(run.code, command).toBe(2);
      expect(run.stdout, command).toBe('');
      expect(run.stderr, command).toBe(
        `llm-batch ${command}: - reads requests from standard input, but nothing is piped in; ` +
          `pipe JSONL into it (cat requests.jsonl | llm-batch ${command} -) or give a file\n` +
          `Run "llm-batch ${command} --help" for usage.\n`,
      );
    }
  });

  test('--input-format txt reads a file of any extension as one prompt a line', async ({ expect }) => {
    const folder = await temporaryFolder();
    const prompts = await folder.file('prompts.jsonl', 'Name a colour.\nName a fruit.\n');
    const run = await cli(['estimate', prompts, '--provider', 'mock', '--input-format', 'txt']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Requests: 2\n/);
  });

  test('an unknown --input-format is a usage error naming the value', async ({ expect }) => {
    const run = await cli(['estimate', '-', '--provider', 'mock', '--input-format', 'csv'], piped(requestLines.join('\n')));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('llm-batch estimate: --input-format must be one of jsonl, txt; got "csv"\nRun "llm-batch estimate --help" for usage.\n');
  });
});

describe.concurrent('--metadata key=value', () => {
  test('is stored with the job and shown by status --json, status and list', async ({ expect }) => {
    const store = await storeDirectory();
    const flags = ['--metadata', 'a=1', '--metadata', 'b=x=y', '--metadata', 'note=two words', '--metadata', 'empty='];
    const run = await cli(['run', '-', ...flags, '--json', '--quiet', '--store', store], piped(requestLines.join('\n')));
    expect(run.code).toBe(0);
    const { jobId } = JSON.parse(run.stdout) as { jobId: string };

    const status = await cli(['status', jobId, '--json', '--store', store]);
    expect((JSON.parse(status.stdout) as { metadata: unknown }).metadata).toEqual({ a: '1', b: 'x=y', note: 'two words', empty: '' });
    expect((await cli(['status', jobId, '--store', store])).stdout).toBe(
      'Status: completed | Total: 3 | Completed: 3 | Failed: 0\nMetadata: a=1 b=x=y note="two words" empty=""\n',
    );
    const [header, row] = (await cli(['list', '--store', store])).stdout.split('\n');
    expect(header).toMatch(/ CREATED +METADATA$/);
    expect(row).toMatch(/ a=1 b=x=y note="two words" empty=""$/);
  });

  test('submit stores it too', async ({ expect }) => {
    const store = await storeDirectory();
    const run = await cli(['submit', '-', '--metadata', 'team=risk', '--json', '--quiet', '--store', store], piped(requestLines.join('\n')));
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { metadata: unknown }).metadata).toEqual({ team: 'risk' });
  });

  test('a key given twice is a usage error naming it, and no job is created', async ({ expect }) => {
    const store = await storeDirectory();
    const run = await cli(['run', '-', '--provider', 'mock', '--metadata', 'a=1', '--metadata', 'a=2', '--store', store], piped(requestLines.join('\n')));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('llm-batch run: --metadata key "a" is given twice ("a=1" and "a=2")\nRun "llm-batch run --help" for usage.\n');
    expect(JSON.parse((await cli(['list', '--json', '--store', store])).stdout)).toEqual({ jobs: [] });
  });

  test('an argument without = is a usage error naming it', async ({ expect }) => {
    const run = await cli(['submit', '-', '--provider', 'mock', '--metadata', 'team', '--store', await storeDirectory()], piped(requestLines.join('\n')));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('llm-batch submit: --metadata must be key=value; got "team"\nRun "llm-batch submit --help" for usage.\n');
  });

  test('a key outside [A-Za-z0-9_.-]{1,64} is a usage error naming the argument', async ({ expect }) => {
    const run = await cli(['submit', '-', '--provider', 'mock', '--metadata', 'my key=1', '--store', await storeDirectory()], piped(requestLines.join('\n')));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'llm-batch submit: --metadata "my key=1": the key must be 1 to 64 letters, digits, "_", "." or "-"; got "my key"\nRun "llm-batch submit --help" for usage.\n',
    );
  });
});
