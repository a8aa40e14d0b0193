import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliInput } from '../../src/cli/cli-io.js';
import { runCliInProcess, temporaryFolder } from './cli-harness.js';

// `llm-batch run <file> --intake streaming`: no checking pass over the file; each bad line fails
// alone, in its place, and the rest run (on the sync API: the flag implies --mode emulated).

const lines = [
  JSON.stringify({ id: 'a', messages: [{ role: 'user', content: 'one' }] }),
  JSON.stringify({ id: 'b', messages: 'not a list' }),
  '{"id":"c",',
  JSON.stringify({ id: 'd', messages: [{ role: 'user', content: 'four' }] }),
];

describe('llm-batch run --intake streaming', () => {
  it('runs the good lines of a file and fails each bad line alone, in input order', async () => {
    const folder = await temporaryFolder();
    try {
      const file = await folder.file('requests.jsonl', `${lines.join('\n')}\n`);
      const run = await runCliInProcess(['run', file, '--intake', 'streaming', '--output', 'jsonl', '--quiet', '--store', join(folder.path, 'store')]);
      expect(run.code).toBe(1);
      const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; status: string; error?: { category: string; message: string } });
      expect(results.map((result) => [result.id, result.status])).toEqual([
        ['a', 'succeeded'],
        ['b', 'failed'],
        ['#2', 'failed'],
        ['d', 'succeeded'],
      ]);
      expect(results[1]!.error).toMatchObject({ category: 'invalid_request', message: expect.stringMatching(/messages/) });
      expect(results[2]!.error?.message).toMatch(/line 3: invalid JSON/);
    } finally {
      await rm(folder.path, { recursive: true, force: true });
    }
  });

  it('reads standard input the same way, and the default intake still refuses the whole file', async () => {
    const folder = await temporaryFolder();
    try {
      const input = (): CliInput => Readable.from([Buffer.from(`${lines.join('\n')}\n`)]) as unknown as CliInput;
      const streamed = await runCliInProcess(['run', '-', '--intake', 'streaming', '--output', 'jsonl', '--quiet', '--store', join(folder.path, 'store')], input());
      expect(streamed.stdout.trim().split('\n')).toHaveLength(4);
      const checked = await runCliInProcess(['run', '-', '--mode', 'emulated', '--output', 'jsonl', '--quiet', '--store', join(folder.path, 'store')], input());
      expect(checked.code).toBe(2);
      expect(checked.stderr).toMatch(/invalid input \(2 problems\)/);
      expect(checked.stdout).toBe('');
      const bad = await runCliInProcess(['run', '-', '--intake', 'sideways', '--store', join(folder.path, 'store')], input());
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--intake/);
    } finally {
      await rm(folder.path, { recursive: true, force: true });
    }
  });
});
