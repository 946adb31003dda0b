// What a usage error says: yargs' message, then where to read more, the help of the verb it is
// about (`see \`minipod logs --help\``); and for exec, a command given without `--` before it gets
// the line to write instead, as kubectl says it.

/** Flags of exec (and the global ones) that take a value: the word after them is not the pod. */
const VALUED = new Set(['-c', '--container', '--socket', '--node', '--cluster-dir']);

/** `minipod exec web -- ls -l` from `exec web ls -l` (args without the program name); undefined if there is no command. */
export function execWithDashes(args: string[]): string | undefined {
  const at = args.indexOf('exec');
  if (at < 0 || args.includes('--')) return undefined;
  for (let i = at + 1; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-')) {
      if (VALUED.has(a)) i++;
      continue;
    }
    if (i === args.length - 1) return undefined; // the pod is the last word: no command was given
    return `minipod ${[...args.slice(0, i + 1), '--', ...args.slice(i + 1)].join(' ')}`;
  }
  return undefined;
}

/** The message a usage error prints: its cause, then the help to read (the verb's, if known). */
export function usageMessage(message: string, verbs: readonly string[], args: string[]): string {
  if (verbs[0] === 'exec') {
    const fixed = execWithDashes(args);
    if (fixed) return `minipod: exec needs \`--\` before the command and its arguments (its flags would be taken for exec's): \`${fixed}\`\n(see \`minipod exec --help\`)\n`;
  }
  return `minipod: ${message}\n(see \`minipod ${verbs.length ? `${verbs.join(' ')} ` : ''}--help\`)\n`;
}
