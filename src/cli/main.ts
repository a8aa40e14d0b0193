import { setMaxListeners } from 'node:events';
import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

// The bin entry. The first Ctrl-C (or SIGTERM) stops at once: waits end, emulated runs stop
// scheduling and abort their calls in flight, what ended is journaled, and the job is kept for
// `resume`. A second signal exits immediately.
const controller = new AbortController();
// One signal is shared by every provider call of a long wait, and the provider SDKs add an abort
// listener per request; the default limit of 10 would print a spurious leak warning mid-progress.
setMaxListeners(0, controller.signal);
/** Once the command has returned, the process ends within this long even if a socket lingers. */
const exitGraceMs = 500;
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  interrupts++;
  if (interrupts > 1) process.exit(signal === 'SIGTERM' ? 143 : 130);
  // The reason names the signal, so the exit code can follow the shell's convention (128 + its number).
  controller.abort(Object.assign(new Error(`Stopped by ${signal}`), { signal }));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), processIo(controller.signal));
process.exitCode = code;
// Keep-alive sockets and a provider SDK's timers must not hold a finished command open.
setTimeout(() => process.exit(code), exitGraceMs).unref();
