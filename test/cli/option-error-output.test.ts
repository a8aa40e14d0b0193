import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/report-error.js';
import { checkOptionKeys } from '../../src/validation/check-options.js';

function capture(error: unknown): { code: number; stderr: string } {
  let stderr = '';
  const io = { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) }, env: {} };
  const code = reportError(error, io, 'run');
  return { code, stderr };
}

describe('an option error in the CLI', () => {
  it('is printed as the option error it is, not as a problem of "request 1"', () => {
    let thrown: unknown;
    try {
      checkOptionKeys('emulated()', { concurency: 4 }, ['call', 'concurrency']);
    } catch (error) {
      thrown = error;
    }
    const { code, stderr } = capture(thrown);
    expect(code).toBe(2);
    expect(stderr).toBe("llm-batch: emulated(): unknown option 'concurency' (did you mean 'concurrency'?)\n");
  });
});
