/**
 * Self time by function of a V8 CPU profile (`node --cpu-prof`), and by package or file: where a
 * process spent its CPU. Used by bench/profile-contender.ts; by hand:
 *   node --import tsx bench/summarise-cpu-profile.ts file.cpuprofile [--top 30]
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTimeRow {
  readonly name: string;
  readonly selfMs: number;
  readonly share: number;
}

/** Where a frame's code lives: a package (`openai`, `undici`), `node:` internals, this library's build, or the bench. */
function origin(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (name !== '.cache') return name ?? url;
  }
  if (url.includes('/dist/') || url.includes('/.cache/')) return 'llm-batch (built)';
  return basename(url);
}

/** Self time per function (name, file and line) and per origin, largest first. */
export function summariseCpuProfile(profile: CpuProfile): { totalMs: number; byFunction: SelfTimeRow[]; byOrigin: SelfTimeRow[] } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  for (let index = 0; index < profile.samples.length; index += 1) {
    const id = profile.samples[index] as number;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  }
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const frame = (nodes.get(id) as ProfileNode).callFrame;
    // The idle loop is not work.
    if (frame.functionName === '(idle)') continue;
    total += micros;
    const file = frame.url === '' ? '' : ` ${basename(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${file} [${origin(frame.url)}]`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    const where = origin(frame.url);
    byOrigin.set(where, (byOrigin.get(where) ?? 0) + micros);
  }
  const rows = (map: Map<string, number>): SelfTimeRow[] =>
    [...map].map(([name, micros]) => ({ name, selfMs: Math.round(micros / 100) / 10, share: total === 0 ? 0 : micros / total })).sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: Math.round(total / 1000), byFunction: rows(byFunction), byOrigin: rows(byOrigin) };
}

export function formatSummary(summary: ReturnType<typeof summariseCpuProfile>, top: number): string {
  const line = (row: SelfTimeRow): string => `${row.selfMs.toFixed(1).padStart(9)} ms ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}`;
  return [
    `busy (not idle) ${summary.totalMs} ms`,
    'self time by origin:',
    ...summary.byOrigin.map(line),
    `self time by function (top ${top}):`,
    ...summary.byFunction.slice(0, top).map(line),
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
  const file = positionals[0];
  if (file === undefined) throw new Error('usage: summarise-cpu-profile.ts file.cpuprofile [--top 30]');
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatSummary(summariseCpuProfile(profile), Number(values.top))}\n`);
}
