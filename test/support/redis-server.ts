import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real redis-server for the tests: on a free port, in a temporary folder, stopped afterwards.
// No Redis mock: what the store promises is what a real server does.

/** A running redis-server of a test. */
export interface TestRedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
}

const installHint = 'redis-server is not installed: run `apt-get install -y redis-server` (Debian/Ubuntu) to run the Redis tests';

/** The redis-server binary, or a clear error saying how to install it. */
export function redisServerBinary(): string {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error !== undefined || found.status !== 0) throw new Error(installHint);
  return 'redis-server';
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts redis-server (with AOF when `appendOnly`), resolving once it accepts connections. */
export async function startRedisServer(options: { appendOnly?: boolean } = {}): Promise<TestRedisServer> {
  const binary = redisServerBinary();
  const directory = await mkdtemp(join(tmpdir(), 'llm-batch-redis-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', '', '--appendonly', options.appendOnly ? 'yes' : 'no', '--daemonize', 'no', '--loglevel', 'warning'];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ready = await waitForPort(port, child);
    if (ready) {
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: async () => {
          await stopProcess(child);
          await rm(directory, { recursive: true, force: true });
        },
      };
    }
    await stopProcess(child);
    // Another process took the port between the probe and the start: try another one.
    if (attempt >= 4) {
      await rm(directory, { recursive: true, force: true });
      throw new Error(`redis-server did not start: ${output.trim()}`);
    }
  }
}

async function waitForPort(port: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await ping(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** Whether a Redis answers PING on the port (raw RESP, so the helper needs no client library). */
async function ping(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
