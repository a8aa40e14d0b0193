import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { reportError } from '../../src/cli/report-error.js';
import { runCli } from '../../src/cli/run-cli.js';
import { classifyError } from '../../src/errors/classify-error.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { buildCli, childEnvironment, runCliProcess, temporaryFolder } from './cli-harness.js';

const apiKey = 'sk-test-error-output-0123456789';

// What a proxy in front of a provider sends when the provider is down.
const badGatewayPage = `<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title><style>body { font-family: sans-serif; }</style></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
${'<!-- a padding comment that error pages carry -->\n'.repeat(20)}</body>
</html>
`;
const untitledPage = '<html><body><script>track()</script><h1>Request blocked</h1><p>Your request was blocked by the firewall &amp; logged.</p></body></html>';

function memoryIo(env: Record<string, string> = {}): CliIo & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    out: () => stdout,
    err: () => stderr,
  };
}

/** An SDK `APIError` as the openai package builds it from a non-JSON body: `"<status> <body>"`. */
function sdkErrorWithBody(status: number, body: string): Error {
  return Object.assign(new Error(`${status} ${body}`), { status, headers: {}, error: undefined });
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function requestsFile(count: number, prompt = 'Say something'): Promise<{ folder: string; file: string }> {
  const folder = await temporaryFolder();
  const lines = Array.from({ length: count }, (_, index) =>
    JSON.stringify({ id: `item_${index}`, model: 'gpt-5.4-mini', maxTokens: 16, messages: [{ role: 'user', content: `${prompt} ${index}` }] }),
  );
  return { folder: folder.path, file: await folder.file('requests.jsonl', `${lines.join('\n')}\n`) };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a connection that breaks', () => {
  it('while the upload is answered: exit 3, and the message says the connection broke and what to do', async () => {
    // Headers, half a body, then the socket goes: undici reports `TypeError: terminated`.
    const cutting = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        response.write('{"id":"file-');
        setTimeout(() => request.socket.destroy(), 10);
      });
    });
    const url = await listen(cutting);
    try {
      vi.stubEnv('OPENAI_API_KEY', apiKey);
      vi.stubEnv('OPENAI_BASE_URL', `${url}/v1`);
      const { folder, file } = await requestsFile(3);
      const io = memoryIo({ OPENAI_API_KEY: apiKey });
      const code = await runCli(['submit', file, '--provider', 'openai', '--mode', 'native', '--store', join(folder, 'store')], io);
      expect(code).toBe(3);
      // The job is named: its part is stored as failed, and resume submits it again.
      expect(io.err()).toMatch(/llm-batch: the connection to the provider broke \(Job (job_\w+): submitting part \1_p0 failed: terminated\)/);
      expect(io.err()).toContain('"llm-batch resume JOB" continues it');
      expect(io.err()).not.toContain('--help');
    } finally {
      await closeServer(cutting);
    }
  });

  it('reset by the emulator during the upload: exit 3', async () => {
    const server = await createMockProviderServer({ faults: { rates: { reset: 1 }, endpoints: ['files.upload'] } });
    try {
      vi.stubEnv('OPENAI_API_KEY', apiKey);
      vi.stubEnv('OPENAI_BASE_URL', `${server.url}/v1`);
      const { folder, file } = await requestsFile(3);
      const io = memoryIo({ OPENAI_API_KEY: apiKey });
      const code = await runCli(['submit', file, '--provider', 'openai', '--mode', 'native', '--store', join(folder, 'store')], io);
      expect(code).toBe(3);
      expect(io.err()).toMatch(/^llm-batch: the connection to the provider broke \(/);
    } finally {
      await server.close();
    }
  });

  it('undici `TypeError: terminated` is not taken for an option error', () => {
    const socketError = Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
    const io = memoryIo();
    expect(reportError(new TypeError('terminated', { cause: socketError }), io, 'submit')).toBe(3);
    expect(io.err()).toBe(
      'llm-batch: the connection to the provider broke (terminated): other side closed\n' +
        'Check the network and the base URL, then run the command again; a job that was already submitted is kept, ' +
        'and "llm-batch resume JOB" continues it (see "llm-batch list" for its id).\n',
    );
  });

  it('names the system error code of a reset connection', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const io = memoryIo();
    expect(reportError(new TypeError('fetch failed', { cause: reset }), io, 'run')).toBe(3);
    expect(io.err()).toMatch(/^llm-batch: the connection to the provider broke \(ECONNRESET\): fetch failed; read ECONNRESET\n/);
  });

  it('says that the provider did not answer in time for a timeout', () => {
    const timeout = Object.assign(new Error('Request timed out.'), { name: 'APIConnectionTimeoutError' });
    const io = memoryIo();
    expect(reportError(timeout, io, 'status')).toBe(3);
    expect(io.err()).toMatch(/^llm-batch: the provider did not answer in time \(Request timed out\)/);
  });

  it('leaves the library’s own option TypeErrors usage errors (exit 2)', () => {
    const io = memoryIo();
    expect(reportError(new TypeError('openaiBatch: option `pollIntervalMs` must be a positive integer'), io, 'run')).toBe(2);
    expect(io.err()).toBe('llm-batch: openaiBatch: option `pollIntervalMs` must be a positive integer\n');
  });
});

describe('HTML error pages', () => {
  it('are condensed to the status, the page title and the size', () => {
    const classification = classifyError(sdkErrorWithBody(502, badGatewayPage));
    const bytes = Buffer.byteLength(badGatewayPage).toLocaleString('en-US');
    expect(classification.message).toBe(`502 Bad Gateway (HTML error page, ${bytes} bytes)`);
    expect(classification.category).toBe('server');
  });

  it('without a title, to their first words, scripts left out and entities decoded', () => {
    const classification = classifyError(sdkErrorWithBody(403, untitledPage));
    expect(classification.message).toBe(
      `403 Request blocked Your request was blocked by the firewall & logged. (HTML error page, ${untitledPage.length} bytes)`,
    );
  });

  it('take time in proportion to their size, even unclosed comments, scripts and tags', () => {
    for (const page of ['<html>' + '<!--'.repeat(16_000), '<html>' + '<'.repeat(64_000), '<html>' + '<title'.repeat(10_000), '<html>' + '<script>'.repeat(8_000)]) {
      const started = performance.now();
      expect(classifyError(sdkErrorWithBody(502, page)).message).toMatch(/\(HTML error page, [\d,]+ bytes\)$/);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it('are condensed in what the CLI prints for an error', () => {
    const io = memoryIo();
    expect(reportError(sdkErrorWithBody(502, badGatewayPage), io, 'status')).toBe(3);
    expect(io.err()).toMatch(/^llm-batch: error: 502 Bad Gateway \(HTML error page, [\d,]+ bytes\)\n$/);
  });

  it('are condensed in the item errors of an emulated run, and `errors` prints them so', async () => {
    const blocking = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(400, { 'content-type': 'text/html' });
        response.end(`<html><head><title>400 Request Header Or Cookie Too Large</title></head><body>${'<p>nginx</p>'.repeat(50)}</body></html>`);
      });
    });
    const url = await listen(blocking);
    try {
      vi.stubEnv('OPENAI_API_KEY', apiKey);
      vi.stubEnv('OPENAI_BASE_URL', `${url}/v1`);
      const { folder, file } = await requestsFile(2);
      const store = join(folder, 'store');
      const run = memoryIo({ OPENAI_API_KEY: apiKey });
      expect(await runCli(['run', file, '--provider', 'openai', '--mode', 'emulated', '--store', store, '--quiet', '--json'], run)).toBe(1);
      const jobId = (JSON.parse(run.out()) as { jobId: string }).jobId;
      const errors = memoryIo({ OPENAI_API_KEY: apiKey });
      await runCli(['errors', jobId, '--store', store], errors);
      expect(errors.out()).toContain('2 of 2 items did not succeed');
      expect(errors.out()).toMatch(/400 Request Header Or Cookie Too Large \(HTML error page, [\d,]+ bytes\)/);
      expect(errors.out()).not.toContain('<html');
    } finally {
      await closeServer(blocking);
    }
  });
});

describe('the bin', () => {
  let entry: string;
  let dispose: () => Promise<void>;
  let server: MockProviderServer;
  // A key of no vendor shape: only the exact-value mask of the bin's output can catch it.
  const plainKey = 'plain-key-for-output-mask-0123456789';

  beforeAll(async () => {
    const built = buildCli();
    // The model repeats the key (a prompt that contained it, say): model output is data, and only
    // the bin's mask of exact key values keeps it off the terminal.
    server = await createMockProviderServer({ respond: () => ({ text: `echo ${plainKey} ${'lorem ipsum '.repeat(200)}`, finishReason: 'stop' }) });
    ({ entry, dispose } = await built);
  });

  afterAll(async () => {
    await Promise.all([server?.close(), dispose?.()]);
  });

  async function runJob(count: number): Promise<{ store: string; jobId: string; env: NodeJS.ProcessEnv }> {
    const { folder, file } = await requestsFile(count);
    const store = join(folder, 'store');
    const env = childEnvironment({ OPENAI_API_KEY: plainKey, OPENAI_BASE_URL: `${server.url}/v1` });
    const run = await runCliProcess(entry, ['run', file, '--provider', 'openai', '--mode', 'emulated', '--store', store, '--quiet', '--json'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(plainKey);
    return { store, jobId: (JSON.parse(run.stdout) as { jobId: string }).jobId, env };
  }

  it('masks the configured key in everything it prints, model output included', async () => {
    const { store, jobId, env } = await runJob(3);
    for (const format of ['md', 'jsonl', 'csv']) {
      const results = await runCliProcess(entry, ['results', jobId, '--store', store, '--output', format], { env });
      expect(results.code).toBe(0);
      expect(results.stdout).toContain('echo [REDACTED]');
      expect(results.stdout + results.stderr).not.toContain(plainKey);
    }
  });

  it.skipIf(process.platform === 'win32')('`results JOB | head -1` exits 0 without a stack trace', async () => {
    // 300 answers of about 2.5 KB: far more than a pipe holds, so the writes go on after `head` leaves.
    const { store, jobId, env } = await runJob(300);
    const shell = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        'sh',
        ['-c', '{ "$NODE" "$ENTRY" results "$JOB" --store "$STORE" --output jsonl; echo "exit=$?" >&2; } | head -1'],
        { env: { ...env, NODE: process.execPath, ENTRY: entry, JOB: jobId, STORE: store }, timeout: 50_000 },
        (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr })),
      );
    });
    expect(shell.stdout.split('\n').filter((line) => line !== '')).toHaveLength(1);
    expect(JSON.parse(shell.stdout) as { id: string }).toMatchObject({ id: 'item_0' });
    expect(shell.stderr).toBe('exit=0\n');
  });
});
