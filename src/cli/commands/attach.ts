import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { createBatchClient } from '../../client/create-batch-client.js';
import { formatStatusLine } from '../format-job.js';
import { openStore, readCliConfig } from '../open-client.js';
import { parseMetadataArguments } from '../parse-metadata-arguments.js';
import { UsageError } from '../usage-error.js';

const help = `Usage: llm-batch attach <provider> <batch-id> [options]

Imports a batch created elsewhere (another tool, a script, the provider's console) into the job
store, so that status, wait, results, errors and retry work on it. OpenAI batches are read back
with their requests (from their input file). Anthropic does not give a batch's requests back,
nor does Gemini (where its input file cannot be downloaded, as on Google's API), so their results
are kept under the ids they carry and retry is refused. Attaching the same batch
again prints the job it already is.

Options:
  --metadata KEY=VALUE   stored with the job (repeatable), over the batch's own metadata
  --json                 print the job as one JSON document
  --config FILE          config file (default: llm-batch.config.json/.yaml found from here up)
  --store DIR            job store (default: LLM_BATCH_DIR, the config's store, or ./.llm-batch)
  -h, --help             this help

Exit codes: 0 attached, 2 usage error or unknown batch.

Examples:
  llm-batch attach openai batch_abc123
  llm-batch attach anthropic msgbatch_01abc --metadata team=risk
  llm-batch attach gemini batches/abc123
  llm-batch wait job_abc123 && llm-batch results job_abc123 --output csv
`;

const attachable = ['openai', 'anthropic', 'gemini'] as const;

export const attachCommand: CliCommand = {
  name: 'attach',
  summary: 'import an existing OpenAI, Anthropic or Gemini batch as a job',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('attach', argv, ['metadata', 'json']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    const [provider, batchId] = line.expectPositionals(['provider', 'batch-id']);
    if (!(attachable as readonly string[]).includes(provider ?? '')) {
      throw new UsageError(`<provider> must be one of ${attachable.join(', ')}; got ${JSON.stringify(provider)}`, 'attach');
    }
    const metadata = parseMetadataArguments(line.strings('metadata'), line.command);
    const config = await readCliConfig(line);
    const store = openStore(line, io, config);
    const client = createBatchClient({ provider: provider!, mode: 'native', store, ...(Object.keys(config.config).length === 0 ? {} : { config }) });
    try {
      const job = await client.attach({
        provider: provider!,
        batchId: batchId!,
        ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
        ...(io.signal ? { signal: io.signal } : {}),
      });
      if (line.flag('json')) {
        io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      } else {
        io.stdout.write(`Attached ${batchId} as ${job.id}\n${formatStatusLine(job)}\n`);
        if (job.endedAt === undefined) io.stderr.write(`llm-batch: follow it with: llm-batch wait ${job.id}\n`);
      }
      return 0;
    } finally {
      await client.close();
    }
  },
};
