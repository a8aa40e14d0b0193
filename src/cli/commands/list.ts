import { jobStatuses, type JobStatus } from '../../models/batch-job.js';
import { createBatchClient } from '../../client/create-batch-client.js';
import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { formatJobTable } from '../format-job.js';
import { openStore } from '../open-client.js';
import { UsageError } from '../usage-error.js';

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
    // Listing needs no provider; this one is never called.
    const client = createBatchClient({ provider: 'mock', store: openStore(line, io) });
    const jobs = await client.list(statuses ? { status: statuses } : {});
    if (line.flag('json')) io.stdout.write(`${JSON.stringify({ jobs }, null, 2)}\n`);
    else io.stdout.write(formatJobTable(jobs));
    return 0;
  },
};
