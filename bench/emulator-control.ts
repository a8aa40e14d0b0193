/**
 * Starts bench/emulator-process.ts as a child process and talks to its control API over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { MockProviderServerOptions, MockServerStats } from '../src/testing/mock-server/index.js';

export interface EmulatorStats {
  readonly stats: MockServerStats;
  readonly peakInFlight: number;
  readonly journalEntries: number;
  readonly requestBodyBytes?: number;
}

export interface Emulator {
  readonly id: string;
  /** Origin of the emulator, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  stats(): Promise<EmulatorStats>;
  close(): Promise<void>;
}

export interface EmulatorProcess {
  readonly pid: number;
  start(options: MockProviderServerOptions): Promise<Emulator>;
  /** CPU time (user + system) of the emulator process since it started. */
  cpuMicroseconds(): Promise<number>;
  stop(): Promise<void>;
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(`emulator control ${init?.method ?? 'GET'} ${url}: ${body.error ?? response.status}`);
  return body;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const script = fileURLToPath(new URL('./emulator-process.ts', import.meta.url));
  // stdin stays open as a lifeline: the child exits when this process goes away.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => { throw new Error('the emulator process exited before it was ready'); })])) as [string];
  const { controlUrl } = JSON.parse(first) as { controlUrl: string };
  return {
    pid: child.pid ?? 0,
    async start(options) {
      const { id, url } = await call<{ id: string; url: string }>(`${controlUrl}/emulators`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(options),
      });
      return {
        id,
        url,
        stats: () => call<EmulatorStats>(`${controlUrl}/emulators/${id}/stats`),
        close: async () => {
          await call(`${controlUrl}/emulators/${id}`, { method: 'DELETE' });
        },
      };
    },
    async cpuMicroseconds() {
      return (await call<{ cpuMicroseconds: number }>(`${controlUrl}/process`)).cpuMicroseconds;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
