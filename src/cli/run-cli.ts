import type { CliCommand } from './cli-command.js';
import type { CliIo } from './cli-io.js';
import { commands } from './commands/index.js';
import { exitCodes } from './exit-codes.js';
import { reportError } from './report-error.js';

const version = '0.1.0';

function mainHelp(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const list = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
  return `Usage: llm-batch <command> [options]

Runs many LLM requests as one job: through a provider's native batch API (OpenAI, Anthropic;
half price, hours of latency) or an emulated batch over its sync API (minutes, full price).
Without OPENAI_API_KEY or ANTHROPIC_API_KEY, jobs run on the built-in local emulator.

Commands:
${list}

Run "llm-batch <command> --help" for the options and examples of a command.

Examples:
  llm-batch run examples/requests.jsonl
  llm-batch submit requests.jsonl --provider openai --dry-run
  llm-batch status job_abc123
  llm-batch results job_abc123 --output md
`;
}

/**
 * Runs one `llm-batch` command line and resolves to its exit code. Errors never escape: they are
 * printed on stderr (without secrets) and mapped to an exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? findCommand(rest[0]) : undefined;
    io.stdout.write(topic ? topic.help : mainHelp());
    return exitCodes.success;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${version}\n`);
    return exitCodes.success;
  }
  const command = findCommand(name);
  if (!command) {
    io.stderr.write(`llm-batch: unknown command ${JSON.stringify(name)}\n\n${mainHelp()}`);
    return exitCodes.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io, command.name);
  }
}

function findCommand(name: string | undefined): CliCommand | undefined {
  return commands.find((command) => command.name === name);
}
