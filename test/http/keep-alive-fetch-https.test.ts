import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeepAliveFetch } from 'llm-batch';

// Real providers are HTTPS: the transport must verify certificates and keep TLS connections alive.
// A throwaway self-signed certificate for 127.0.0.1 is made with openssl for this file.
let dir: string;
let server: Server;
let origin: string;
let tlsConnections = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keep-alive-https-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  server = createServer({ key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) }, (request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ path: request.url, method: request.method }));
    });
  });
  server.on('secureConnection', () => (tlsConnections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('createKeepAliveFetch over HTTPS', () => {
  it('refuses a certificate it cannot verify, as the platform fetch does', async () => {
    const failure = await createKeepAliveFetch()(`${origin}/v1/chat/completions`, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(((failure as TypeError).cause as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('calls a server whose certificate is trusted (NODE_EXTRA_CA_CERTS), over one kept-alive TLS connection', async () => {
    const module = fileURLToPath(new URL('../../src/http/keep-alive-fetch.ts', import.meta.url));
    const script = [
      `const { createKeepAliveFetch } = await import(${JSON.stringify(module)});`,
      'const fetch = createKeepAliveFetch();',
      'const answers = [];',
      `for (const path of ['/a', '/b', '/c']) answers.push(await (await fetch(${JSON.stringify(origin)} + path, { method: 'POST', body: '{}' })).json());`,
      'console.log(JSON.stringify(answers));',
    ].join('\n');
    const before = tlsConnections;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { path: '/a', method: 'POST' },
      { path: '/b', method: 'POST' },
      { path: '/c', method: 'POST' },
    ]);
    expect(tlsConnections - before).toBe(1);
  }, 30_000);
});
