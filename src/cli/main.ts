import { setMaxListeners } from 'node:events';
import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

// The bin entry. The first Ctrl-C stops waiting politely (the job is kept and can be resumed);
// a second one exits at once.
const controller = new AbortController();
// One signal is shared by every provider call of a long wait, and the provider SDKs add an abort
// listener per request; the default limit of 10 would print a spurious leak warning mid-progress.
setMaxListeners(0, controller.signal);
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  controller.abort();
});

const code = await runCli(process.argv.slice(2), processIo(controller.signal));
process.exitCode = code;
