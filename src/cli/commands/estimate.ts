import type { CostEstimate } from '../../models/cost-estimate.js';
import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { formatCount, formatNoPrice, formatUsd } from '../format-job.js';
import { openClientForNewJob } from '../open-client.js';
import { asFileError, prepareSubmission } from '../prepare-submission.js';
import { describeEstimate } from '../print-dry-run.js';
import { displayCurrencyOf } from '../display-currency.js';
import type { DisplayCurrency } from '../../cost/currency.js';
import { optionalFile } from './shared.js';

const help = `Usage: llm-batch estimate <file> [options]

Estimates what the requests of <file> will cost, without any network call: input tokens,
output tokens (at most: the sum of maxTokens; expected: half of that), and the price in batch
and in sync mode from the dated pricing table. A model with no price makes the cost unknown
(named in the output), never zero. Give - as <file> to read JSONL requests from standard
input (one prompt a line with --input-format txt). A request of more than 2,000,000 characters
of text is approximated, with a warning on stderr.

Options:
  --provider NAME                    openai, anthropic, gemini, mock or a config plugin's name (decides the default model)
  --mode native|emulated             price as a native batch (default) or at the sync price
  --model NAME                       model of requests that name none
  --pricing FILE                     pricing table (JSON) overriding the built-in one
  --exact-tokens                     count OpenAI models' input tokens with the tokenizer (the default)
  --no-exact-tokens                  approximate input tokens at four characters a token (no tokenizer)
  --template FILE --data FILE        build the requests from a prompt template and rows
  --input-format jsonl|txt           read <file> as JSON requests or one prompt a line (default: by extension; jsonl for -)
  --json                             print the estimate as one JSON document
  --store DIR                        job store (unused; accepted for symmetry)
  --currency CODE:PER_USD            show costs in another currency, e.g. EUR:0.92 (or LLM_BATCH_CURRENCY)
  -h, --help                         this help

Examples:
  llm-batch estimate requests.jsonl
  llm-batch estimate prompts.txt --model gpt-5.4 --mode emulated
  llm-batch estimate requests.jsonl --pricing our-prices.json --json
  cat requests.jsonl | llm-batch estimate - --model gpt-5.4
`;

export const estimateCommand: CliCommand = {
  name: 'estimate',
  summary: 'estimate tokens and cost of a request file (no network)',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('estimate', argv, ['provider', 'mode', 'model', 'pricing', 'exact-tokens', 'no-exact-tokens', 'template', 'data', 'input-format', 'json']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    const path = optionalFile(line, io);
    const { client, choice, close } = await openClientForNewJob(line, io);
    try {
      const submission = await prepareSubmission(line, io, choice!, path);
      let estimate: CostEstimate;
      try {
        estimate = await client.estimate(submission.file.requests, {
          ...submission.options,
          // Without --mode, priced as submit would: as the adapter bills (a plugin's distributed() at
          // the sync price), each part of a mixed job in its own mode.
          ...(line.string('mode') === undefined ? {} : { mode: choice!.mode }),
          // Unknown prices, requests too large to count exactly: stdout keeps the estimate alone.
          onWarning: (message) => io.stderr.write(`llm-batch: warning: ${message}\n`),
        });
      } catch (error) {
        throw asFileError(error, submission.file);
      }
      if (line.flag('json')) {
        io.stdout.write(`${JSON.stringify(estimate, null, 2)}\n`);
        return 0;
      }
      io.stdout.write(formatEstimate(estimate, submission.file.count, choice!.mode, displayCurrencyOf(line, io)));
      return 0;
    } finally {
      await close();
    }
  },
};

/** `$6.24 (batch saves $3.12)`; unknown, never `$0.00`, when a model has no price. */
function describeSyncPrice(estimate: CostEstimate, currency: DisplayCurrency | undefined): string {
  const unknown = estimate.unknownModels ?? [];
  if (unknown.length === 0) return `${formatUsd(estimate.syncCostUsd, currency)} (batch saves ${formatUsd(estimate.savingsUsd, currency)})`;
  const priced = estimate.perModel.some((entry) => entry.syncCostUsd !== undefined);
  return `unknown (${formatNoPrice(unknown)}${priced ? `; ${formatUsd(estimate.syncCostUsd, currency)} for the priced models` : ''})`;
}

function formatEstimate(estimate: CostEstimate, requestCount: number, mode: string, currency: DisplayCurrency | undefined): string {
  const lines = [
    `Requests: ${formatCount(requestCount)}`,
    `Input tokens: ${formatCount(estimate.inputTokens)}`,
    `Output tokens: up to ${formatCount(estimate.outputTokensMax)} (expected ${formatCount(estimate.outputTokensExpected)})`,
    `Estimate: ${describeEstimate(estimate, currency)}`,
  ];
  if (mode === 'native') lines.push(`Sync price: ${describeSyncPrice(estimate, currency)}`);
  if (estimate.perModel.length > 1 || estimate.unknownModels?.length) {
    lines.push('Per model:');
    for (const entry of estimate.perModel) {
      const cost = entry.costUsd === undefined ? 'unknown (no price)' : formatUsd(entry.costUsd, currency);
      lines.push(`  ${entry.model}: ${formatCount(entry.requests)} requests, ${formatCount(entry.inputTokens)} input tokens, ${cost}`);
    }
  }
  lines.push(`Pricing as of ${estimate.pricingAsOf}`);
  return `${lines.join('\n')}\n`;
}
