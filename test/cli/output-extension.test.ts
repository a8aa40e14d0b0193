import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CommandLine } from '../../src/cli/command-line.js';
import { outputFormatOf } from '../../src/cli/output-target.js';
import { temporaryFolder, runCliInProcess } from './cli-harness.js';

const cli = runCliInProcess;

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);
const formatOf = (...argv: string[]) => outputFormatOf(CommandLine.parse('results', argv, ['output', 'out']), 'md');
const formats = 'name the file .md, .json, .jsonl or .csv, or say the format with --output md|json|jsonl|csv';

describe('the results format of --out FILE', () => {
  it('comes from the extension, in any case', () => {
    expect(formatOf('--out', 'r.md')).toBe('md');
    expect(formatOf('--out', 'r.markdown')).toBe('md');
    expect(formatOf('--out', 'r.JSON')).toBe('json');
    expect(formatOf('--out', 'r.jsonl')).toBe('jsonl');
    expect(formatOf('--out', 'r.ndjson')).toBe('jsonl');
    expect(formatOf('--out', 'dir.v2/r.csv')).toBe('csv');
  });

  it('is a usage error listing the formats for an extension that names none', () => {
    expect(() => formatOf('--out', 'results.xlsx')).toThrow(`--out "results.xlsx" ends in .xlsx, which is not a results format; ${formats}`);
    expect(() => formatOf('--out', 'results.txt')).toThrow('ends in .txt, which is not a results format');
    expect(() => formatOf('--out', 'results')).toThrow(`--out "results" has no extension; ${formats}`);
    expect(() => formatOf('--out', 'results.constructor')).toThrow('ends in .constructor');
  });

  it('is what --output says, whatever the extension', () => {
    expect(formatOf('--out', 'results.xlsx', '--output', 'csv')).toBe('csv');
  });

  it('falls back without --out', () => {
    expect(formatOf()).toBe('md');
  });
});

describe('commands given --out results.xlsx', () => {
  let folder: string;
  let jobId: string;

  beforeAll(async () => {
    const temporary = await temporaryFolder();
    folder = temporary.path;
    const file = await temporary.file('requests.jsonl', '{"id":"a","messages":[{"role":"user","content":"Hi"}]}\n');
    const run = await cli(['run', file, '--provider', 'mock', '--json', '--quiet', '--store', folder]);
    jobId = (JSON.parse(run.stdout) as { jobId: string }).jobId;
  });

  it('results refuses it with exit 2 and writes no file', async () => {
    const target = join(folder, 'results.xlsx');
    const run = await cli(['results', jobId, '--out', target, '--store', folder]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split(folder).join('<tmp>')).toBe(
      `llm-batch results: --out "<tmp>/results.xlsx" ends in .xlsx, which is not a results format; ${formats}\nRun "llm-batch results --help" for usage.\n`,
    );
    expect(await exists(target)).toBe(false);
  });

  it('errors refuses it too', async () => {
    const run = await cli(['errors', jobId, '--out', join(folder, 'errors.xlsx'), '--store', folder]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ends in .xlsx, which is not a results format');
  });

  it('wait refuses it before it waits', async () => {
    const run = await cli(['wait', jobId, '--out', join(folder, 'wait.xlsx'), '--store', folder]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ends in .xlsx, which is not a results format');
    expect(await exists(join(folder, 'wait.xlsx'))).toBe(false);
  });

  it('run refuses it before anything is submitted or paid for', async () => {
    const store = join(folder, 'run-store');
    const file = join(folder, 'one.jsonl');
    await writeFile(file, '{"id":"a","messages":[{"role":"user","content":"Hi"}]}\n');
    const run = await cli(['run', file, '--provider', 'mock', '--out', join(folder, 'run.xlsx'), '--store', store]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ends in .xlsx, which is not a results format');
    expect(await exists(store)).toBe(false);
  });

  it('--output csv writes CSV to that file', async () => {
    const target = join(folder, 'forced.xlsx');
    const run = await cli(['results', jobId, '--out', target, '--output', 'csv', '--store', folder]);
    expect(run.code).toBe(0);
    expect((await readFile(target, 'utf8')).split('\r\n')[0]).toMatch(/^id,status,text,/);
  });
});
