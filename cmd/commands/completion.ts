// `minipod completion bash|zsh`: the shell completion script (cmd/completion.ts).
import { completionScript } from '../completion.js';
import { verb } from '../common.js';

export const completion = verb<{ shell: 'bash' | 'zsh' }>({
  command: 'completion <shell>',
  describe: 'Print a shell completion script: subcommands, flags, and pod names from a running daemon',
  builder: (y) =>
    y
      .positional('shell', { choices: ['bash', 'zsh'], describe: 'The shell' })
      .example('source <($0 completion bash)', 'in ~/.bashrc')
      .example('eval "$($0 completion zsh)"', 'in ~/.zshrc'),
  handler: async (argv) => {
    process.stdout.write(completionScript(argv.shell));
  },
});
