// CPU per call of redactSecrets on the messages a large job repeats (a cancelled item's, a provider's
// 500), of a text with a key shape in it, and of createSecretRedactor (the environment read once)
// over the same repeated message. Each figure is the median of 5 rounds of 100,000 calls.
// Run: node --import tsx bench/redact-secrets-cpu.ts   (about 30 s)
import { createSecretRedactor, redactSecrets } from '../src/errors/redact-secrets.js';

const calls = 100_000;

function microsecondsPerCall(run: () => unknown): number {
  for (let index = 0; index < 10_000; index++) run();
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const before = process.cpuUsage();
    for (let index = 0; index < calls; index++) run();
    const used = process.cpuUsage(before);
    rounds.push((used.user + used.system) / calls);
  }
  rounds.sort((a, b) => a - b);
  return Math.round((rounds[2] ?? 0) * 1000) / 1000;
}

const cancelled = 'The job was cancelled before this request ran';
const serverError = '500 The server had an error while processing your request. Sorry about that! (request id req_0123)';
let counter = 0;
const redact = createSecretRedactor();
const report = {
  benchmark: 'redact-secrets-cpu',
  environmentVariables: Object.keys(process.env).length,
  redactSecretsCancelledMessageUs: microsecondsPerCall(() => redactSecrets(cancelled)),
  redactSecretsServerErrorUs: microsecondsPerCall(() => redactSecrets(serverError)),
  // A different text each call: nothing repeated.
  redactSecretsDistinctTextsUs: microsecondsPerCall(() => redactSecrets(`${serverError} #${(counter += 1)}`)),
  redactSecretsKeyShapeUs: microsecondsPerCall(() => redactSecrets('401 Incorrect API key provided: sk-abcdefghijklmnopqrstuvwxyz012345.')),
  secretRedactorCancelledMessageUs: microsecondsPerCall(() => redact(cancelled)),
  node: process.version,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
