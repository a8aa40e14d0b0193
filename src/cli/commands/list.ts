import { jobStatuses, type JobStatus } from '../../models/batch-job.js';
import { createBatchClient } from '../../client/create-batch-client.js';
import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { formatJobTable } from '../format-job.js';
import { openStore, readCliConfig } from '../open-client.js';
import { UsageError } from '../usage-error.js';
import type { StoreDamageError } from '../../errors/store-damage-error.js';
import { exitCodes } from '../exit-codes.js';

const help = `Usage: llm-batch list [options]

Lists the jobs in the store, oldest first. Reads the store only: no key, no network.

Options:
  --status LIST   only jobs with these statuses, e.g. in_progress,validating
  --json          print {"jobs":[...]} as one JSON document
  --store DIR     job store (default: LLM_BATCH_DIR or ./.llm-batch)
  -h, --help      this help

Examples:
  llm-batch list
  llm-batch list --status completed --json | jq -r '.jobs[].id'
`;

export const listCommand: CliCommand = {
  name: 'list',
  summary: 'list the jobs in the store',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('list', argv, ['json', 'status']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    line.expectPositionals([]);
    const statuses = line.string('status')?.split(',').map((entry) => {
      const status = entry.trim();
      if (!(jobStatuses as readonly string[]).includes(status)) {
        throw new UsageError(`--status: unknown job status ${JSON.stringify(status)}; use ${jobStatuses.join(', ')}`, 'list');
      }
      return status as JobStatus;
    });
    // Listing needs no provider; this shorthand is never resolved.
    const client = createBatchClient({ provider: 'openai', store: openStore(line, io, await readCliConfig(line)) });
    const damaged: StoreDamageError[] = [];
    const jobs = await client.list({ ...(statuses ? { status: statuses } : {}), onDamaged: (error) => damaged.push(error) });
    if (line.flag('json')) {
      const unreadable = damaged.map((error) => ({ id: error.jobId, location: error.location, error: error.message }));
      io.stdout.write(`${JSON.stringify({ jobs, ...(unreadable.length > 0 ? { unreadable } : {}) }, null, 2)}\n`);
    } else {
      io.stdout.write(formatJobTable(jobs));
    }
    for (const error of damaged) io.stderr.write(`llm-batch: ${error.message}\n`);
    // A damaged job is a problem worth an exit code, not a silent omission.
    return damaged.length > 0 ? exitCodes.jobFailed : exitCodes.success;
  },
};
