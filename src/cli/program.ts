/**
 * The rtbench command line. Commands resolve to an exit code; only the bin
 * entry (main.ts) calls process.exit.
 */
import { Command, CommanderError } from 'commander';
import { agentCommand } from './agent-command.js';
import { compareCommand } from './compare-command.js';
import { EXIT } from './exit-codes.js';
import { modelCommand } from './model-command.js';
import { reportCommand } from './report-command.js';
import { runCommand } from './run-command.js';
import { serveCommand } from './serve-command.js';
import { PACKAGE_VERSION } from '../util/package-version.js';

export async function runCli(argv: string[]): Promise<number> {
  let pending: Promise<number> | undefined;
  const setExit = (code: Promise<number>) => (pending = code);

  const program = new Command('rtbench')
    .description('measure what real-time web transports cost: polling, long polling, SSE, WebSocket, Socket.io-style fallback')
    .version(PACKAGE_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(runCommand(setExit));
  program.addCommand(serveCommand(setExit));
  program.addCommand(agentCommand(setExit));
  program.addCommand(modelCommand(setExit));
  program.addCommand(reportCommand(setExit));
  program.addCommand(compareCommand(setExit));
  for (const command of program.commands) command.exitOverride();

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    console.error(`rtbench: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.error;
  }
  if (pending) {
    try {
      return await pending;
    } catch (error) {
      console.error(`rtbench: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.error;
    }
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}
