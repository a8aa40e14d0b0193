import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { followJob } from '../follow-job.js';
import { formatStatusLine } from '../format-job.js';
import { openClientForNewJob } from '../open-client.js';
import { prepareSubmission, submitFile } from '../prepare-submission.js';
import { printDryRun } from '../print-dry-run.js';
import { jobInputOptions, optionalFile, runsInThisProcess } from './shared.js';

const help = `Usage: llm-batch submit <file> [options]

Validates every request, submits the job and prints its id; follow it with "llm-batch status",
"wait" and "results". With --dry-run, prints the cost estimate and the first provider lines and
sends nothing. Give - as <file> to read JSONL requests from standard input (one prompt a line
with --input-format txt).

Emulated jobs (--mode emulated) and jobs on the local emulator (--provider mock) run inside this
process, so for them submit waits until the job has ended (progress on stderr); their results
are then in the store for "status", "results" and "errors".

Options:
  --provider NAME                    openai, anthropic, gemini, mock or a config plugin's name (default: from OPENAI_API_KEY,
                                     ANTHROPIC_API_KEY, GEMINI_API_KEY / GOOGLE_API_KEY, else mock)
  --mode native|emulated             native batch API or the sync API (default: native)
  --model NAME                       model of requests that name none
  --concurrency N                    parallel calls in emulated mode
  --max-cost USD                     refuse a job whose estimate exceeds this
  --pricing FILE                     pricing table (JSON) overriding the built-in one
  --exact-tokens                     count OpenAI models' input tokens with the tokenizer (default: native jobs, --dry-run)
  --no-exact-tokens                  approximate input tokens at four characters a token (default: emulated jobs)
  --template FILE --data FILE        build the requests from a prompt template and rows
  --input-format jsonl|txt           read <file> as JSON requests or one prompt a line (default: by extension; jsonl for -)
  --metadata KEY=VALUE               store a string pair with the job, shown by list and status (repeatable)
  --priority low|normal|high         stored with the job, shown by status and list, sent as batch metadata
  --intake checked|streaming         checked: every request checked before the first call (default); streaming
                                     (emulated): calls start while <file> is read, a bad request fails alone
  --dry-run                          print the estimate and a preview; send nothing
  --json                             print the job (or the dry run) as one JSON document
  --poll-interval DURATION           time between status checks while waiting
  --store DIR                        job store (default: LLM_BATCH_DIR or ./.llm-batch)
  --currency CODE:PER_USD            show costs in another currency, e.g. EUR:0.92 (or LLM_BATCH_CURRENCY)
  -q, --quiet                        no progress output
  -h, --help                         this help

Examples:
  llm-batch submit requests.jsonl --provider openai --dry-run
  llm-batch submit requests.jsonl --provider openai --model gpt-5.4-mini --max-cost 5
  llm-batch submit batch-input.jsonl --provider anthropic --json
  llm-batch submit requests.jsonl --provider openai --metadata team=risk --metadata run=2026-10-01
  cat requests.jsonl | llm-batch submit - --provider openai
`;

export const submitCommand: CliCommand = {
  name: 'submit',
  summary: 'submit requests as a job and print its id (--dry-run: estimate and preview)',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('submit', argv, [...jobInputOptions, 'intake', 'exact-tokens', 'no-exact-tokens', 'dry-run', 'json', 'poll-interval', 'quiet']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    const path = optionalFile(line, io);
    const { client, choice, close } = await openClientForNewJob(line, io);
    try {
      const submission = await prepareSubmission(line, io, choice!, path);
      if (line.flag('dry-run')) return await printDryRun(client, submission, line, io);
      let job = await submitFile(client, submission);
      if (runsInThisProcess(choice!)) {
        if (!line.flag('quiet')) {
          io.stderr.write(`Submitted ${job.id}; it runs in this process (${choice!.provider === 'mock' ? 'local emulator' : 'emulated mode'}), so submit waits until it ends\n`);
        }
        job = await followJob(client, job, line, io);
      }
      if (line.flag('json')) {
        io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
        return 0;
      }
      const parts = job.parts.length === 1 ? '1 part' : `${job.parts.length} parts`;
      io.stdout.write(
        `Submitted ${job.id} (${job.provider}, ${job.mode}): ${job.counts.total} requests in ${parts}\n` +
          `${formatStatusLine(job)}\n` +
          `Next: llm-batch ${runsInThisProcess(choice!) ? 'results' : 'wait'} ${job.id}\n`,
      );
      return 0;
    } finally {
      await close();
    }
  },
};
