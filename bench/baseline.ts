// The floor of any CLI command or daemon start: a Node process that does nothing (`node -e 0`),
// timed as the bench times `minipod ps` (a whole process, spawned from here), and `minipod --version`,
// a CLI process that loads its modules but asks the daemon nothing.
import { execa } from 'execa';

export async function timeProcess(argv: string[], runs: number, env: Record<string, string> = {}): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await execa(argv[0]!, argv.slice(1), { env });
    times.push(performance.now() - t0);
  }
  return times;
}

export const nodeNothing = (runs: number) => timeProcess([process.execPath, '-e', '0'], runs);
