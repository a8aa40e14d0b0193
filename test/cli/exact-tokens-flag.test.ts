import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { CommandLine } from '../../src/cli/command-line.js';
import { exactTokensFlag } from '../../src/cli/prepare-submission.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { maximumExactCharacters } from '../../src/cost/count-tokens.js';
import { temporaryFolder, runCliInProcess } from './cli-harness.js';

// The commands run in this process on the built-in emulator (--provider mock, model gpt-5.4-mini,
// which the OpenAI tokenizer counts). Estimates and dry runs make no call; the emulated submit does,
// to the emulator in this process.

const cli = runCliInProcess;

const lines = [
  '{"id":"greeting","messages":[{"role":"user","content":"Say hello to the batch."}]}',
  '{"id":"farewell","messages":[{"role":"user","content":"Say goodbye, in one word."}]}',
];
let folder: Awaited<ReturnType<typeof temporaryFolder>>;
let requestFile: string;

beforeAll(async () => {
  folder = await temporaryFolder();
  requestFile = await folder.file('requests.jsonl', `${lines.join('\n')}\n`);
});

interface EstimateDocument {
  inputTokens: number;
  inputTokensExact: boolean;
}

describe('reading --exact-tokens and --no-exact-tokens', () => {
  const parse = (...argv: string[]): CommandLine => CommandLine.parse('estimate', argv, ['exact-tokens', 'no-exact-tokens']);

  test('--exact-tokens asks for exact counts, --no-exact-tokens for the approximation', () => {
    expect(exactTokensFlag(parse('--exact-tokens'))).toBe(true);
    expect(exactTokensFlag(parse('--no-exact-tokens'))).toBe(false);
  });

  test('neither leaves the library default', () => {
    expect(exactTokensFlag(parse())).toBeUndefined();
  });

  test('both together are a usage error naming the two flags', () => {
    expect(() => exactTokensFlag(parse('--exact-tokens', '--no-exact-tokens'))).toThrow(UsageError);
    expect(() => exactTokensFlag(parse('--no-exact-tokens', '--exact-tokens'))).toThrow('give --exact-tokens or --no-exact-tokens, not both');
  });

  test('a value is refused: the flags take none', () => {
    expect(() => parse('--exact-tokens=false')).toThrow(UsageError);
  });
});

describe('the flags on the commands', () => {
  test('estimate counts exactly by default and approximates with --no-exact-tokens', async () => {
    const exact = await cli(['estimate', requestFile, '--provider', 'mock', '--json']);
    const approximate = await cli(['estimate', requestFile, '--provider', 'mock', '--json', '--no-exact-tokens']);
    expect(exact.code).toBe(0);
    expect(approximate.code).toBe(0);
    expect((JSON.parse(exact.stdout) as EstimateDocument).inputTokensExact).toBe(true);
    // Approximation: 3 + 4 + ceil(23 / 4) and 3 + 4 + ceil(25 / 4).
    expect(JSON.parse(approximate.stdout) as EstimateDocument).toMatchObject({ inputTokens: 13 + 14, inputTokensExact: false });
  });

  test.each(['run', 'submit'])('%s --dry-run takes --no-exact-tokens', async (command) => {
    const run = await cli([command, requestFile, '--provider', 'mock', '--dry-run', '--json', '--no-exact-tokens']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { estimate: EstimateDocument }).estimate.inputTokensExact).toBe(false);
  });

  test('an emulated submit approximates by default and counts exactly with --exact-tokens', async () => {
    const submit = async (...flags: string[]): Promise<EstimateDocument> => {
      const args = ['submit', requestFile, '--provider', 'mock', '--mode', 'emulated', '--json', '--quiet', '--store', join(folder.path, 'store'), ...flags];
      const run = await cli(args);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { estimate: EstimateDocument }).estimate;
    };
    expect((await submit()).inputTokensExact).toBe(false);
    expect((await submit('--exact-tokens')).inputTokensExact).toBe(true);
  });

  test.each(['run', 'submit', 'estimate'])('%s refuses both flags with exit code 2', async (command) => {
    const run = await cli([command, requestFile, '--provider', 'mock', '--exact-tokens', '--no-exact-tokens']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('give --exact-tokens or --no-exact-tokens, not both');
  });

  test.each(['run', 'submit', 'estimate'])('the help of %s lists both flags', async (command) => {
    const help = (await cli([command, '--help'])).stdout;
    expect(help).toMatch(/^ {2}--exact-tokens {2,}\S/m);
    expect(help).toMatch(/^ {2}--no-exact-tokens {2,}\S/m);
  });

  test('estimate warns on stderr when a request is too large to count exactly', async () => {
    const huge = JSON.stringify({ id: 'huge', messages: [{ role: 'user', content: 'x'.repeat(maximumExactCharacters + 1) }] });
    const file = await folder.file('huge.jsonl', `${huge}\n${lines[0]}\n`);
    const run = await cli(['estimate', file, '--provider', 'mock']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Requests: 2\n/);
    expect(run.stderr).toContain(
      'llm-batch: warning: The input tokens of request "huge" were approximated (about four characters per token), not counted with the tokenizer: more than 2,000,000 characters of text in one request\n',
    );
  });
});
