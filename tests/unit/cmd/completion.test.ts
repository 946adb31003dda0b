// Shell completion and usage errors, run through the CLI process (no daemon): `completion bash`
// completes subcommands and flags in a real bash; pod names only where a verb takes a pod; a usage
// error names its verb's help; exec without `--` says what to write.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { wantsPod, wordsBefore } from '../../../cmd/completion.js';
import { execWithDashes } from '../../../cmd/usage-hints.js';
import { ROOT } from '../../helpers/node.js';

const CLI = path.join(ROOT, 'bin/minipod.js');
// No daemon there: completion must then say nothing of pods, and fail no TAB.
const env = { MINIPOD_SOCKET: '/nonexistent/minipod.sock' };
const cli = (...args: string[]) => execa(process.execPath, [CLI, ...args], { env, reject: false, stripFinalNewline: false });

/** What bash offers for the words typed so far (the last one being completed), with our script sourced. */
async function bashComplete(t: import('ava').ExecutionContext, words: string[]): Promise<string[]> {
  const bin = await mkdtemp(path.join(tmpdir(), 'minipod-completion-'));
  t.teardown(() => rm(bin, { recursive: true, force: true }));
  await writeFile(path.join(bin, 'minipod'), `#!/bin/sh\nexec ${process.execPath} ${CLI} "$@"\n`, { mode: 0o755 });
  const script = (await cli('completion', 'bash')).stdout;
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = await execa('bash', ['--norc', '-c', `${script}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _minipod_completions; printf '%s\\n' "\${COMPREPLY[@]}"`], { env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
  return r.stdout.split('\n').filter(Boolean);
}

test('bash: subcommands and flags complete', async (t) => {
  t.deepEqual(await bashComplete(t, ['minipod', 'por']), ['port-forward']);
  t.deepEqual((await bashComplete(t, ['minipod', 'e'])).sort(), ['events', 'exec']);
  t.deepEqual(await bashComplete(t, ['minipod', 'logs', '--ta']), ['--tail']);
  t.deepEqual(await bashComplete(t, ['minipod', 'port-forward', 'web', '--add']), ['--address']);
  t.deepEqual(await bashComplete(t, ['minipod', 'completion', 'b']), ['bash'], "a positional's choices");
});

test('zsh: a script that defines and registers its completion function', async (t) => {
  const r = await cli('completion', 'zsh');
  t.is(r.exitCode, 0);
  t.regex(r.stdout, /^#compdef minipod\n/);
  t.regex(r.stdout, /minipod --get-yargs-completions "\$\{words\[@\]\}"/);
  t.regex(r.stdout, /compdef _minipod_completions minipod\n$/);
  const bad = await cli('completion', 'fish');
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /Given: "fish", Choices: "bash", "zsh"\n\(see `minipod completion --help`\)\n$/);
});

test('pod names are wanted where a verb takes a pod, nowhere else', (t) => {
  for (const words of [['logs'], ['exec'], ['port-forward'], ['rm'], ['rm', 'a'], ['stop', 'a', 'b'], ['describe', 'pod'], ['get', 'pods'], ['get', 'pod', 'a'], ['delete', 'po']]) t.true(wantsPod(words), words.join(' '));
  for (const words of [[], ['logs', 'web'], ['port-forward', 'web'], ['run'], ['describe', 'pod', 'web'], ['get'], ['image'], ['completion']]) t.false(wantsPod(words), words.join(' '));
});

test('the words before the one being completed, whether that one is empty or begun', (t) => {
  t.deepEqual(wordsBefore(['port-forward', ''], ''), ['port-forward']);
  t.deepEqual(wordsBefore(['logs', 'l'], 'l'), ['logs']);
  t.deepEqual(wordsBefore(['logs'], ''), ['logs']);
  t.deepEqual(wordsBefore(['port-forward', 'lo', ''], ''), ['port-forward', 'lo']);
});

test('usage errors point to the verb\'s help', async (t) => {
  for (const [args, help] of [[['logs'], 'logs'], [['port-forward', 'web'], 'port-forward'], [['image'], 'image'], [['frobnicate'], '']] as [string[], string][]) {
    const r = await cli(...args);
    t.is(r.exitCode, 2, args.join(' '));
    t.true(r.stderr.endsWith(`(see \`minipod ${help ? `${help} ` : ''}--help\`)\n`), r.stderr);
  }
});

test('exec without `--` before the command: the line to write instead, nothing run', async (t) => {
  const flags = await cli('exec', 'web', 'ls', '-l');
  t.is(flags.exitCode, 2);
  t.is(flags.stderr, "minipod: exec needs `--` before the command and its arguments (its flags would be taken for exec's): `minipod exec web -- ls -l`\n(see `minipod exec --help`)\n");
  const plain = await cli('exec', '-c', 'httpd', 'web', 'ls');
  t.is(plain.exitCode, 2);
  t.regex(plain.stderr, /exec needs `--` before the command and its arguments: `minipod exec web -- ls`/);
  t.is(execWithDashes(['exec', '-it', '-c', 'httpd', 'web', 'sh', '-x']), 'minipod exec -it -c httpd web -- sh -x');
  t.is(execWithDashes(['exec', 'web']), undefined);
  t.is(execWithDashes(['exec', 'web', '--', 'ls']), undefined);
});
