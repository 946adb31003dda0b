// Run inside a node's network and mount namespaces by the network benchmark (bench/net.ts): a
// stand-in for a CNI runtime, which spawns its plugins from inside the node. Each stdin line is
// {argv, env, input}; each stdout line the program's exit code, output and wall time (ms), so the
// time of entering the node (nsenter) is not counted in the plugin's.
import { createInterface } from 'node:readline';
import { execa } from 'execa';

for await (const line of createInterface({ input: process.stdin })) {
  const { argv, env, input } = JSON.parse(line) as { argv: string[]; env: Record<string, string>; input: string };
  const t0 = performance.now();
  const r = await execa(argv[0]!, argv.slice(1), { env, extendEnv: false, input, reject: false, timeout: 20_000 });
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ ms, code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr })}\n`);
}
