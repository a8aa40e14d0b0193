/**
 * Profiles one contender's process (`node --cpu-prof`) in one scattered-faults scenario,
 * the emulator in a process of its own as in bench/scattered-faults.ts, and prints its CPU per call
 * and its self time by function (bench/summarise-cpu-profile.ts).
 *
 * Run from the repository root (loads the built package, `npm run build` first; `LLM_BATCH_DIST`
 * loads another build):
 *   node --import tsx bench/profile-contender.ts [--contender llm-batch] [--fault 429|5xx] \
 *     [--mode at-once|after-latency] [--total 10000] [--top 30] [--keep folder]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulatorProcess } from './emulator-control.js';
import type { ContenderReport } from './run-contender.js';
import { formatSummary, summariseCpuProfile } from './summarise-cpu-profile.js';

const { values } = parseArgs({
  options: {
    contender: { type: 'string', default: 'llm-batch' },
    fault: { type: 'string', default: '5xx' },
    mode: { type: 'string', default: 'after-latency' },
    total: { type: 'string', default: '10000' },
    top: { type: 'string', default: '30' },
    keep: { type: 'string' },
  },
});

const mode = values.mode as 'at-once' | 'after-latency';
const faults = values.fault === '429' ? { rates: { '429': 0.05 }, retryAfterMs: 1000, timing: mode } : { rate: 0.1, kinds: ['500' as const, '502' as const, '503' as const], timing: mode };
const total = Number(values.total);
const folder = await mkdtemp(join(tmpdir(), 'llm-batch-profile-'));
const emulators = await startEmulatorProcess();
try {
  const emulator = await emulators.start({ latency: 100, faults, journalLimit: total * 3 });
  const script = fileURLToPath(new URL('./run-contender.ts', import.meta.url));
  const config = { contender: values.contender, baseURL: `${emulator.url}/v1`, total, concurrency: 64 };
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${folder}`, '--import', 'tsx', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = '';
  child.stdout.on('data', (chunk: Buffer) => (last = (last + chunk.toString('utf8')).split('\n').slice(-2).join('\n')));
  await once(child, 'exit');
  const report = JSON.parse(last.trim().split('\n').pop() ?? '{}') as ContenderReport;
  const stats = await emulator.stats();
  await emulator.close();
  const calls = stats.stats.byEndpoint['chat.completions'] ?? 0;
  process.stdout.write(
    `${values.contender}, ${values.fault} ${mode}, ${total} requests: ${report.succeeded} ok in ${(report.elapsedMs / 1000).toFixed(2)} s, ${calls} calls, ` +
      `CPU ${(report.cpuMicroseconds / 1000).toFixed(0)} ms = ${(report.cpuMicroseconds / Math.max(1, calls)).toFixed(0)} µs per call (the profiler adds some)\n`,
  );
  const file = (await readdir(folder)).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('no profile written');
  process.stdout.write(`${formatSummary(summariseCpuProfile(JSON.parse(await readFile(join(folder, file), 'utf8'))), Number(values.top))}\n`);
  if (values.keep !== undefined) await cp(join(folder, file), values.keep);
} finally {
  await emulators.stop();
  await rm(folder, { recursive: true, force: true });
}
