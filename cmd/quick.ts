// The command lines answered without yargs: `ps` and `get pods`, a listing with the flags they
// share. They are what a user types most, and yargs alone (loading it and parsing with it) costs
// more than the whole listing (issue 13: `ps` within 30 ms of `node -e 0`). bin/minipod.js runs
// this CommonJS bundle (dist/cli/quick.cjs), which Node loads without its ES module loader.
// A line is taken only when its meaning is certain: anything else (--help, another verb, a
// repeated or glued flag, a value that starts with "-", `--json true`) goes to the full CLI,
// which parses it again with yargs. Validation and errors are the verb's own (listPods, in
// cmd/list-pods.ts), so a bad -o, -l or -n gives the full CLI's message and exit code.
// tests/integration/quick.test.ts runs both on the same lines and compares.
import type { ListArgs } from './list-pods.js';

/** The flags a listing takes, by spelling, and the field of ListArgs each sets. */
const LONG: Record<string, keyof ListArgs> = { namespace: 'namespace', output: 'output', selector: 'selector', socket: 'socket', json: 'json', 'all-namespaces': 'allNamespaces', headers: 'headers' };
const SHORT: Record<string, keyof ListArgs> = { n: 'namespace', o: 'output', l: 'selector', A: 'allNamespaces' };
const BOOLEAN = new Set<keyof ListArgs>(['json', 'allNamespaces', 'headers']);
/** yargs's boolean negation: --no-headers is headers false. */
const NEGATED: Record<string, keyof ListArgs> = { 'no-headers': 'headers' };

/** The listing a command line asks for, or undefined if it is not one this file takes. */
export function parseQuick(args: readonly string[]): ListArgs | undefined {
  const line: ListArgs = { json: false, allNamespaces: false };
  const given = new Set<keyof ListArgs>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    // --flag, --flag=value, -f, and kubectl's glued -oVALUE (what splitOutputFlag gives yargs as -o VALUE).
    const long = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const glued = /^-o([^=].*)$/s.exec(arg);
    const key = long ? LONG[long[1]!] ?? NEGATED[long[1]!] : glued ? 'output' : SHORT[arg.slice(1)];
    if (!key || given.has(key) || (!long && !glued && arg.length !== 2)) return undefined;
    given.add(key);
    const inline = long ? long[2] : glued?.[1];
    if (BOOLEAN.has(key)) {
      // Before the verb, yargs does not know -A and --json yet (the verb declares them): it reads
      // the next word as their value (`-A ps`: A is "ps"), finds no verb and refuses the line.
      if (inline !== undefined || !positionals.length) return undefined;
      (line[key] as boolean) = !NEGATED[long?.[1] ?? ''];
      continue;
    }
    const value = inline ?? args[++i];
    if (!value || value.startsWith('-')) return undefined;
    (line[key] as string) = value;
  }
  const verb = positionals.join(' ');
  return verb === 'ps' || /^get (pods|pod|po)$/.test(verb) ? line : undefined;
}

/** Runs the listing if the line is one (true), else does nothing (false): the full CLI takes it. */
export function runQuick(args: readonly string[]): boolean {
  const line = parseQuick(args);
  if (!line) return false;
  // Imported here, not above: a line this file declines loads nothing more than the parser.
  void Promise.all([import('./common.js'), import('./list-pods.js')]).then(([{ quietOnClosedPipes }, { listPods }]) => {
    quietOnClosedPipes();
    return listPods(line);
  });
  return true;
}
