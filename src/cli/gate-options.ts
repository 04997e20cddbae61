/** `--threshold <expr>` (repeatable) and `--gates <file>`: the thresholds a command checks. */
import { GateConfigError, loadGateConfig } from '../gates/config.js';
import { GateParseError, parseThresholds, type Threshold } from '../gates/parse.js';
import { EXIT } from './exit-codes.js';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Every threshold, parsed; or the exit code after naming the bad one (1 unreadable file, 2 bad expression or file). */
export async function loadThresholds(exprs: string[], file: string | undefined, command: string): Promise<Threshold[] | number> {
  try {
    const fromFile = file === undefined ? [] : await loadGateConfig(file);
    return [...fromFile, ...parseThresholds(exprs)];
  } catch (error) {
    if (error instanceof GateParseError) {
      console.error(`rtbench ${command}: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof GateConfigError) {
      console.error(`rtbench ${command}: ${error.message}`);
      return error.kind === 'io' ? EXIT.error : EXIT.usage;
    }
    throw error;
  }
}
