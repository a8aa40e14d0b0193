import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../cli-command.js';
import type { CliIo } from '../cli-io.js';
import { CommandLine } from '../command-line.js';
import { openClientForJob, openStore, readCliConfig } from '../open-client.js';
import { UsageError } from '../usage-error.js';
import { startViewer } from '../viewer/start-viewer.js';

const help = `Usage: llm-batch ui [options]

Serves a local web page over the job store: the jobs, each job's progress, parts, failures by
category and results (paged, searchable), one item's request and answer side by side, downloads
as JSONL and CSV, and cancel / retry. Binds to 127.0.0.1 only; the printed URL carries a random
token that every request must present. Runs until Ctrl-C.

Options:
  --port N        port on 127.0.0.1 (default: a free one)
  --open          open the URL in the default browser
  --read-only     no cancel, no retry
  --store DIR     job store (default: LLM_BATCH_DIR or ./.llm-batch)
  -h, --help      this help

Examples:
  llm-batch ui
  llm-batch ui --store ./jobs --port 7300 --read-only
`;

function parseUiArguments(argv: readonly string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        open: { type: 'boolean' },
        'read-only': { type: 'boolean' },
        store: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, 'ui');
    return values;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error), 'ui');
  }
}

function readPort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port > 65_535) throw new UsageError(`--port must be a whole number from 0 to 65535; got ${JSON.stringify(value)}`, 'ui');
  return port;
}

/** Opens `url` in the default browser, best effort (the URL is printed either way). */
function openInBrowser(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser to open: the URL is on the screen.
  }
}

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export const uiCommand: CliCommand = {
  name: 'ui',
  summary: 'open a local web viewer of the jobs (127.0.0.1, token in the URL)',
  help,
  async run(argv, io: CliIo) {
    const values = parseUiArguments(argv);
    if (values.help) {
      io.stdout.write(help);
      return 0;
    }
    const port = readPort(values.port);
    // The store and config flags read as every other command reads them.
    const line = CommandLine.parse('ui', [...(values.store !== undefined ? ['--store', values.store] : []), ...(values.config !== undefined ? ['--config', values.config] : [])], []);
    const store = openStore(line, io, await readCliConfig(line));
    const readOnly = values['read-only'] === true;
    // Clients opened for actions stay open while the viewer runs: a retried emulated job runs in this process.
    const closers: Array<() => Promise<void>> = [];
    const viewer = await startViewer({
      store,
      ...(port !== undefined ? { port } : {}),
      readOnly,
      ...(readOnly
        ? {}
        : {
            cancel: async (jobId: string) => {
              const opened = await openClientForJob(line, io, jobId, { needsProvider: false }).catch(() => undefined);
              if (!opened) return store.requestCancel(jobId);
              closers.push(opened.close);
              return opened.client.cancel(jobId);
            },
            retry: async (jobId: string) => {
              const opened = await openClientForJob(line, io, jobId, { needsProvider: true });
              closers.push(opened.close);
              return (await opened.client.retry(jobId)).id;
            },
          }),
    });
    io.stdout.write(`llm-batch viewer on ${viewer.url}\n(the token in the URL is required; Ctrl-C stops the viewer)\n`);
    if (values.open) openInBrowser(viewer.url);
    try {
      await waitForAbort(io.signal);
    } finally {
      await viewer.close();
      for (const close of closers) await close().catch(() => undefined);
    }
    return 0;
  },
};
