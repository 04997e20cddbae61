/**
 * The rtbench command line. Commands resolve to an exit code; only the bin
 * entry (main.ts) calls process.exit.
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes.js';
import { PACKAGE_VERSION } from '../util/package-version.js';

type CommandFactory = (setExit: (code: Promise<number>) => void) => Command;

/**
 * Each command's module, loaded only when needed: `serve` does not load the
 * run harness and `run` does not load the servers. Every embedded server,
 * cluster worker and load run is a new process that would otherwise spend
 * most of its start-up (a second or more on a busy 2-core machine) loading
 * modules it never uses.
 */
const COMMANDS: Record<string, () => Promise<CommandFactory>> = {
  run: async () => (await import('./run-command.js')).runCommand,
  serve: async () => (await import('./serve-command.js')).serveCommand,
  agent: async () => (await import('./agent-command.js')).agentCommand,
  model: async () => (await import('./model-command.js')).modelCommand,
  report: async () => (await import('./report-command.js')).reportCommand,
  compare: async () => (await import('./compare-command.js')).compareCommand,
};

/** Only the command argv starts with; every command for anything else (--help, --version, a typo to suggest a fix for). */
function commandsFor(argv: string[]): string[] {
  const first = argv[0];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
}

export async function runCli(argv: string[]): Promise<number> {
  let pending: Promise<number> | undefined;
  const setExit = (code: Promise<number>) => (pending = code);

  const program = new Command('rtbench')
    .description('measure what real-time web transports cost: polling, long polling, SSE, WebSocket, Socket.io-style fallback')
    .version(PACKAGE_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const factories = await Promise.all(commandsFor(argv).map((name) => COMMANDS[name]!()));
  for (const factory of factories) program.addCommand(factory(setExit));
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
