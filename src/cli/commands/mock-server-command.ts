import type { CliCommand } from '../cli-command.js';
import { mockServerHelp, runMockServerCommand } from './mock-server.js';

/** `llm-batch mock-server`: the local provider emulator in the foreground. */
export const mockServerCommand: CliCommand = {
  name: 'mock-server',
  summary: 'run the local OpenAI + Anthropic + Gemini emulator until Ctrl-C',
  help: mockServerHelp,
  run: (argv, io) => runMockServerCommand(argv, io),
};
