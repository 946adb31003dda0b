// `minipod exec POD [-c NAME] [-i] [-t] -- CMD`, as kubectl's. With -t the command gets a terminal
// (a pty in the daemon) and ours is put in raw mode, so every key (Ctrl-C too) goes to the command
// and the terminal there does the echoing and the signals; ours is restored however we end.
import { constants } from 'node:os';
import type { WindowSize } from '../../lib/api/frames.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { client } from '../client.js';
import { exitWhenWritten, fail, usage, verb } from '../common.js';
import { podNameOf, podRef } from '../pod-target.js';

/** kubectl's note when a pod of several containers is entered without -c; none where every
 * container is without an image: an exec there is the pod's namespaces, whichever is named. */
export function defaultedNote(pod: PodRecord): string | undefined {
  const names = pod.containers.map((c) => c.name);
  const matters = pod.manifest.spec.containers.some((c) => c.image);
  return names.length > 1 && matters ? `Defaulted container "${names[0]}" out of: ${names.join(', ')}` : undefined;
}

const sizeOf = (out: NodeJS.WriteStream): WindowSize => ({ rows: out.rows || 24, cols: out.columns || 80 });

export const exec = verb<{ pod: string; command?: string[]; container?: string; stdin: boolean; tty: boolean }>({
  command: 'exec <pod> [command..]',
  describe: 'Run a command in a container of the pod (stdio attached, exit code passed through)',
  builder: (y) =>
    y
      .option('container', { alias: 'c', type: 'string', describe: "Container to run in (default: the pod's first)" })
      .option('stdin', { alias: 'i', type: 'boolean', default: false, describe: 'Pass stdin to the command (always on; for kubectl habits)' })
      .option('tty', { alias: 't', type: 'boolean', default: false, describe: 'Run the command on a terminal (window size, Ctrl-C passed on)' })
      .example('$0 exec web -- ip a', "show the pod's interfaces")
      .example('$0 exec -it web -c httpd -- sh', 'a shell inside the httpd container')
      .example('$0 exec deploy/web -- hostname', 'in one of the Deployment\'s pods (also pod/NAME)'),
  handler: async (argv) => {
    // Without `--`, a command's own flags would be read as exec's (`exec web ps -c x`): refused, as kubectl does now.
    if (argv.command?.length) usage(`exec needs \`--\` before the command and its arguments: \`minipod exec ${argv.pod} -- ${argv.command.join(' ')}\` (see \`minipod exec --help\`)`);
    const command = ((argv['--'] as string[] | undefined) ?? []).map(String);
    if (!command.length) usage('exec needs a command: minipod exec POD -- CMD [ARGS…] (see `minipod exec --help`)');
    const ref = podRef('exec', argv.pod);
    const api = client(argv);
    let tty = argv.tty;
    if (tty && !process.stdin.isTTY) {
      process.stderr.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
      tty = false;
    }
    const raw = tty && process.stdin.isTTY;
    // Ctrl-C (without -t: on a terminal it is a key for the command), SIGTERM or a hang-up end us,
    // our terminal restored; our connection closing stops the command in the pod (the daemon
    // kills its process group), and the exit status says which signal, as a shell's would.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        if (raw) process.stdin.setRawMode(false);
        process.exit(128 + constants.signals[signal]);
      });
    }
    try {
      const name = await podNameOf(api, ref);
      let container = argv.container;
      if (container === undefined) {
        const pod = await api.request<PodRecord>('GET', `/pods/${encodeURIComponent(name)}`);
        const note = defaultedNote(pod);
        if (note) process.stderr.write(`${note}\n`);
        container = pod.containers[0]?.name;
      }
      const watch = (onResize: (s: WindowSize) => void) => {
        const send = () => onResize(sizeOf(process.stdout));
        process.stdout.on('resize', send);
        return () => process.stdout.off('resize', send);
      };
      if (raw) process.stdin.setRawMode(true);
      const code = await api.exec(name, command, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, { container, tty: tty ? { size: sizeOf(process.stdout), watch } : undefined });
      if (raw) process.stdin.setRawMode(false);
      await exitWhenWritten(code);
    } catch (err) {
      if (raw) process.stdin.setRawMode(false);
      fail(err);
    }
  },
});
