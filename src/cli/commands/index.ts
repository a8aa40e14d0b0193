import type { CliCommand } from '../cli-command.js';
import { attachCommand } from './attach.js';
import { cancelCommand } from './cancel.js';
import { errorsCommand } from './errors.js';
import { estimateCommand } from './estimate.js';
import { listCommand } from './list.js';
import { mockServerCommand } from './mock-server-command.js';
import { resultsCommand } from './results.js';
import { resumeCommand } from './resume.js';
import { retryCommand } from './retry.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { submitCommand } from './submit.js';
import { uiCommand } from './ui.js';
import { waitCommand } from './wait.js';
import { workerCommand } from './worker.js';

/** Every command, in the order `llm-batch --help` lists them. */
export const commands: readonly CliCommand[] = [
  runCommand,
  submitCommand,
  statusCommand,
  waitCommand,
  resultsCommand,
  errorsCommand,
  cancelCommand,
  listCommand,
  resumeCommand,
  retryCommand,
  attachCommand,
  estimateCommand,
  mockServerCommand,
  uiCommand,
  workerCommand,
];
