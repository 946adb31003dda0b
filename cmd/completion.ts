// Shell completion: `minipod completion bash|zsh` prints a script that asks `minipod
// --get-yargs-completions WORDS…` (yargs' own completion: subcommands and flags) at each TAB; pod
// names are added where a verb takes a pod, from a running daemon only (quietly none otherwise).
import type { PodList } from '../lib/api/protocol.js';
import { client } from './client.js';
import { type GlobalArgs } from './common.js';

/** The scripts, after yargs' templates, with the shell named on the command line (not guessed from $SHELL). */
export function completionScript(shell: 'bash' | 'zsh', prog = 'minipod'): string {
  if (shell === 'zsh') {
    return `#compdef ${prog}
# ${prog} completion for zsh: eval "$(${prog} completion zsh)" in ~/.zshrc
_${prog}_completions() {
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" ${prog} --get-yargs-completions "\${words[@]}" 2>/dev/null))
  IFS=$si
  _describe 'values' reply
}
compdef _${prog}_completions ${prog}
`;
  }
  return `# ${prog} completion for bash: source <(${prog} completion bash), e.g. in ~/.bashrc
_${prog}_completions() {
  local cur_word args type_list
  cur_word="\${COMP_WORDS[COMP_CWORD]}"
  args=("\${COMP_WORDS[@]:0:COMP_CWORD+1}")
  type_list=$(${prog} --get-yargs-completions "\${args[@]}" 2>/dev/null)
  COMPREPLY=( $(compgen -W "\${type_list}" -- "\${cur_word}") )
  # Nothing matched (a file name for -f, a command after --): the shell's own completion.
  if [ \${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=(); fi
  return 0
}
complete -o bashdefault -o default -F _${prog}_completions ${prog}
`;
}

/** Whether this run answers a TAB (`minipod --get-yargs-completions WORDS…`). */
export const completing = (args: readonly string[]): boolean => args.includes('--get-yargs-completions');

/**
 * yargs goes on to validate the half-typed line and run its verb while an asynchronous completion
 * (pod names from the daemon) is under way: a TAB after `minipod rm web` must never remove web. So
 * while completing, every handler waits forever behind this middleware, and the completion exits.
 */
export const holdVerbsWhileCompleting = (args: readonly string[]) => (): Promise<void> | void => (completing(args) ? new Promise<void>(() => {}) : undefined);

/** Verbs whose first positional is a pod; `describe`, `get` and `delete` after the word `pod`. */
const POD_FIRST = new Set(['logs', 'exec', 'inspect', 'rm', 'stop', 'kill', 'top', 'port-forward', 'events']);
const POD_MANY = new Set(['rm', 'stop']);
const AFTER_TYPE = new Set(['describe', 'get', 'delete']);

/** Whether the word being completed is a pod name, given the words before it (the verb first). */
export function wantsPod(words: string[]): boolean {
  const [verb, ...rest] = words;
  if (!verb) return false;
  if (POD_FIRST.has(verb)) return rest.length === 0 || POD_MANY.has(verb);
  if (AFTER_TYPE.has(verb)) return ['pod', 'pods', 'po'].includes(rest[0] ?? '') && (rest.length === 1 || verb !== 'describe');
  return false;
}

/** The words typed before the one being completed: yargs' positionals, less that word ('' too). */
export function wordsBefore(positionals: (string | number)[], current: string): string[] {
  const words = positionals.map(String);
  return words.length && words[words.length - 1] === current ? words.slice(0, -1) : words;
}

type Done = (completions: string[]) => void;
type Default = (onCompleted?: (err: Error | null, completions: string[] | undefined) => void) => void;

/** yargs' completion function: its own (subcommands, flags), plus pod names where one is wanted.
 * Its positionals begin with the program's name, as the shell gives the words. */
export function completeWithPods(current: string, argv: GlobalArgs & { _: (string | number)[] }, defaults: Default, done: Done): void {
  defaults((_err, list) => {
    if (current.startsWith('-') || !wantsPod(wordsBefore(argv._.slice(1), current))) return done(list ?? []);
    client(argv)
      .request<PodList>('GET', '/pods', undefined, { timeoutMs: 1000 })
      .then(
        ({ pods }) => done([...pods.map((p) => p.name), ...(list ?? [])]),
        () => done(list ?? []), // no daemon (or not root): no pod names, and nothing said
      );
  });
}
