import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { exitCodeForJob } from '../exit-codes.js';
import { openClientForJob } from '../open-client.js';
import { openOutputTarget } from '../output-target.js';
import { writeResults } from '../write-results.js';
import { itemStatusesOf, jobIdArgument } from './shared.js';

const help = `Usage: llm-batch results <job-id> [options]

Prints one result per request, in input order: md (a report headed by the counts), json (one
document), jsonl (one result a line) or csv.

Options:
  --output md|json|jsonl|csv   format (default: md, or the extension of --out)
  --out FILE                   write to FILE instead of stdout
  --json                       same as --output json
  --status LIST                only results with these statuses: succeeded,failed,cancelled,expired
  --provider NAME                    openai, anthropic, gemini, mock or a config plugin's name: provider to ask while the job still runs
  --store DIR                  job store (default: LLM_BATCH_DIR or ./.llm-batch)
  -h, --help                   this help

Exit codes: 0 all items succeeded, 1 some items failed, 2 usage error or unknown job,
3 the job failed, expired or was cancelled.

Examples:
  llm-batch results job_abc123 --output md
  llm-batch results job_abc123 --out results.csv
  llm-batch results job_abc123 --output jsonl --status succeeded | jq -r .text
`;

export const resultsCommand: CliCommand = {
  name: 'results',
  summary: 'print the results of a job (md, json, jsonl or csv)',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('results', argv, ['provider', 'mode', 'output', 'out', 'json', 'status']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    const jobId = jobIdArgument(line);
    const only = itemStatusesOf(line);
    const { client, close } = await openClientForJob(line, io, jobId, { needsProvider: false });
    try {
      const signal = io.signal ? { signal: io.signal } : {};
      const job = await client.status(jobId, signal);
      const target = await openOutputTarget(line, io, line.flag('json') ? 'json' : 'md');
      try {
        await writeResults(target.format, job, client.results(jobId, { ...signal, ...(only ? { only } : {}) }), target.write);
      } finally {
        await target.close();
      }
      return exitCodeForJob(job);
    } finally {
      await close();
    }
  },
};
