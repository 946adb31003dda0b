// The typed failure of an external program: what ran, how it ended, what it said.
import { MinipodError } from '../errors.js';

export class CommandError extends MinipodError {
  override name = 'CommandError';

  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly signal: string | undefined,
    readonly stderr: string,
    cause?: unknown,
  ) {
    const how = signal ? `killed by ${signal}` : `exit code ${exitCode ?? '?'}`;
    const said = stderr.trim().split('\n').filter(Boolean).join('; ');
    super('COMMAND_FAILED', `${argv.join(' ')}: ${said || how}`, { cause });
  }
}
