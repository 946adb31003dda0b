import { client, fail, usage, verb } from '../common.js';

export const exec = verb<{ pod: string; command?: string[] }>({
  command: 'exec <pod> [command..]',
  describe: "Run a command inside the pod's namespaces (stdio attached, exit code passed through)",
  builder: (y) => y.example('$0 exec web -- ip a', "show the pod's interfaces"),
  handler: async (argv) => {
    const command = [...(argv.command ?? []), ...((argv['--'] as string[] | undefined) ?? [])].map(String);
    if (!command.length) usage('exec needs a command: minipod exec POD -- CMD [ARGS…]');
    try {
      const code = await client(argv).exec(argv.pod, command, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
      process.exit(code);
    } catch (err) {
      fail(err);
    }
  },
});
