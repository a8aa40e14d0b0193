import type { BatchJob } from '../../models/batch-job.js';
import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { followJob } from '../follow-job.js';
import { openClientForNewJob } from '../open-client.js';
import { prepareSubmission, submitFile } from '../prepare-submission.js';
import { printDryRun } from '../print-dry-run.js';
import { printOutcome } from '../print-outcome.js';
import { outputFormatOf } from '../output-target.js';
import { announceSubmitted, jobInputOptions, optionalFile } from './shared.js';

const help = `Usage: llm-batch run <file> [options]

Submits the requests of <file>, waits for the job with a progress bar on stderr, then prints a
summary (or the results, with --output/--out). Without an API key in the environment this runs
on the built-in local emulator.

<file> is JSONL of requests ({"id","model","messages",...}) or of OpenAI batch lines
({"custom_id","method","url","body"}), or a .txt file with one prompt a line (ids line_<n>).
Give - as <file> to read the same JSONL from standard input (one prompt a line with --input-format txt).

Options:
  --provider NAME                    openai, anthropic, gemini, mock or a config plugin's name (default: from OPENAI_API_KEY,
                                     ANTHROPIC_API_KEY, GEMINI_API_KEY / GOOGLE_API_KEY, else mock)
  --mode native|emulated             native batch API (cheaper, slower) or the sync API (default: native)
  --model NAME                       model of requests that name none
  --concurrency N                    parallel calls in emulated mode
  --max-cost USD                     refuse (native) or stop (emulated) at this spend
  --pricing FILE                     pricing table (JSON) overriding the built-in one
  --exact-tokens                     count OpenAI models' input tokens with the tokenizer (default: native jobs, --dry-run)
  --no-exact-tokens                  approximate input tokens at four characters a token (default: emulated jobs)
  --template FILE --data FILE        build the requests from a prompt template and rows (JSONL or CSV)
  --input-format jsonl|txt           read <file> as JSON requests or one prompt a line (default: by extension; jsonl for -)
  --metadata KEY=VALUE               store a string pair with the job, shown by list and status (repeatable)
  --priority low|normal|high         stored with the job, shown by status and list, sent as batch metadata
  --intake checked|streaming         checked: every request checked before the first call (default); streaming
                                     (emulated): calls start while <file> is read, a bad request fails alone
  --dry-run                          print the estimate and the first provider lines; send nothing
  --output md|json|jsonl|csv         print the results in this format (the summary goes to stderr)
  --out FILE                         write the results to FILE (format from --output or the extension)
  --json                             print the job's aggregate as one JSON document
  --poll-interval DURATION           time between status checks, e.g. 500ms, 5s (default: the adapter's)
  --timeout DURATION                 stop waiting after this long (the job keeps running)
  --store DIR                        job store (default: LLM_BATCH_DIR or ./.llm-batch)
  --currency CODE:PER_USD            show costs in another currency, e.g. EUR:0.92 (or LLM_BATCH_CURRENCY)
  -q, --quiet                        no progress output
  -h, --help                         this help

Exit codes: 0 all items succeeded, 1 some items failed, 2 usage or input error,
3 the job failed, expired or was cancelled (or the provider could not be reached).

Examples:
  llm-batch run examples/requests.jsonl
  llm-batch run prompts.txt --provider openai --model gpt-5.4-mini --out results.csv
  llm-batch run requests.jsonl --provider anthropic --mode emulated --concurrency 8 --max-cost 2
  llm-batch run requests.jsonl --dry-run
  llm-batch run requests.jsonl --metadata team=risk --metadata ticket=RISK-42
  jq -c '.[]' requests.json | llm-batch run - --output jsonl
  printf 'Name a colour.\nName a fruit.\n' | llm-batch run - --input-format txt
`;

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'submit requests, wait with progress, print the summary or results',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('run', argv, [...jobInputOptions, 'intake', 'exact-tokens', 'no-exact-tokens', 'dry-run', 'output', 'out', 'json', 'poll-interval', 'timeout', 'quiet']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    // A bad --out or --output is refused before anything is sent or paid for.
    if (line.string('out') !== undefined || line.string('output') !== undefined) outputFormatOf(line, 'md');
    const path = optionalFile(line, io);
    const { client, choice, close } = await openClientForNewJob(line, io);
    try {
      const submission = await prepareSubmission(line, io, choice!, path);
      if (line.flag('dry-run')) return await printDryRun(client, submission, line, io);
      // A streaming intake's run starts while the file is read: announced and followed from then.
      let following: Promise<BatchJob> | undefined;
      const follow = (started: BatchJob): void => {
        announceSubmitted(started, io, line);
        following = followJob(client, started, line, io);
        following.catch(() => undefined);
      };
      const streaming = submission.options.intake === 'streaming';
      const job = await submitFile(client, submission, streaming ? { onSubmitted: follow } : {});
      if (!streaming) announceSubmitted(job, io, line);
      const ended = await (following ?? followJob(client, job, line, io));
      return await printOutcome(client, ended, line, io);
    } finally {
      await close();
    }
  },
};
