import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { requestsOf, runJob, temporaryStore } from './viewer-fixtures.js';

describe('llm-batch ui', () => {
  it('serves the store on 127.0.0.1, prints the URL with its token, and stops on the signal', async () => {
    const { store, dir } = await temporaryStore();
    const jobId = await runJob(store, requestsOf(2));
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    const running = runCli(['ui', '--store', dir, '--read-only'], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      signal: controller.signal,
    });
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('token=') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(stdout)?.[0];
    expect(url, stderr).toBeDefined();
    const origin = new URL(url!).origin;
    expect((await fetch(`${origin}/api/jobs`)).status).toBe(403);
    const listed = (await (await fetch(`${origin}/api/jobs`, { headers: { 'x-viewer-token': new URL(url!).searchParams.get('token')! } })).json()) as { jobs: { id: string }[]; readOnly: boolean };
    expect(listed.jobs.map((job) => job.id)).toEqual([jobId]);
    expect(listed.readOnly).toBe(true);
    controller.abort();
    expect(await running).toBe(0);
    await expect(fetch(`${origin}/api/jobs`)).rejects.toThrow();
  }, 20_000);

  it('refuses a bad port and an unknown flag with a usage error', async () => {
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) }, env: {} };
    expect(await runCli(['ui', '--port', '70000'], io)).not.toBe(0);
    expect(stderr).toContain('--port must be a whole number from 0 to 65535');
    stderr = '';
    expect(await runCli(['ui', '--bogus'], io)).not.toBe(0);
    expect(stderr).toContain('bogus');
  });
});
