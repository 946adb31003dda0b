// parseDaemonLine: the daemon lines bin/minipod.js starts without yargs (cmd/daemon-main.ts). What
// it takes must mean what yargs makes of it from the same table (commands/daemon.ts); anything
// else is declined (undefined) and parsed by the full CLI.
import { createRequire } from 'node:module';
import test from 'ava';
import type { Arguments } from 'yargs';
import { daemon } from '../../../cmd/commands/daemon.js';
import { DAEMON_FLAGS, daemonOptions, parseDaemonLine } from '../../../cmd/daemon-flags.js';
import { daemonFlags } from '../../../lib/node/options.js';

const yargs = createRequire(import.meta.url)('yargs/yargs') as typeof import('yargs/yargs');

/** What yargs gives the daemon verb's handler for args (its builder, strict), without running it. */
function viaYargs(args: string[]): Arguments {
  let seen: Arguments | undefined;
  yargs(args).command({ ...daemon, handler: (argv: Arguments) => void (seen = argv) }).strict().fail((msg) => { throw new Error(msg); }).parseSync();
  if (!seen) throw new Error(`yargs ran no daemon verb for ${args.join(' ')}`);
  return seen;
}

/** The table's flags of a parsed line, by name. */
const flagsOf = (argv: Record<string, unknown>) => Object.fromEntries(Object.keys(DAEMON_FLAGS).map((k) => [k, argv[k]]));

const TAKEN = [
  ['daemon'],
  ['daemon', '--state-dir', '/n/state', '--run-dir', '/n/run', '--node-namespace', '--cgroup-parent', 'minipod-node-abc', '--after', '123:456'],
  ['daemon', '--state-dir=/n/state', '--subnet=10.90.0.0/16', '--stop-pods-on-exit', '--egress'],
  ['daemon', '--bridge', 'br1', '--pids-limit', '64', '--pod-max-pids', '512', '--oci-runtime', 'crun', '--node-name', 'node-2', '--non-masquerade-cidrs', '10.200.0.0/16,192.168.50.0/24'],
  ['daemon', '--container-log-max-size', '1Mi', '--container-log-max-files', '3'],
  ['daemon', '--subnet', 'not-a-subnet'], // taken as it is: runDaemon refuses it, as it does under yargs
  ['daemon', '--node-name='],
  ['daemon', ...daemonFlags({ bridge: 'mp1', subnet: '10.91.0.0/16', stopPodsOnExit: true, containerLogMaxSize: '2Mi', containerLogMaxFiles: '4', ociRuntime: 'runc', pidsLimit: '100', podMaxPids: '900', cluster: { dir: '/c', index: 2, size: 3 } })],
];

test('a line it takes gives each flag what yargs gives it, defaults included', (t) => {
  for (const line of TAKEN) t.deepEqual(flagsOf(parseDaemonLine(line)!), flagsOf(viaYargs(line)), line.join(' '));
});

test('a line whose meaning is not certain goes to the full CLI', (t) => {
  const declined = [
    [], ['ps'], ['daemon', '--help'], ['daemon', '-h'], ['daemon', '--version'], ['daemon', 'extra'], ['daemon', '--'],
    ['daemon', '--no-egress'], ['daemon', '--egress=false'], ['daemon', '--egress', 'false'], ['daemon', '--stateDir', '/x'],
    ['daemon', '--bridge'], ['daemon', '--bridge', '--egress'], ['daemon', '--pids-limit', '-1'], ['daemon', '--bridge', 'a', '--bridge', 'b'],
    ['daemon', '--socket', '/x.sock'], ['daemon', '-n', 'x'], ['daemon', '--unknown'], ['daemon', '--__proto__', 'x'], ['daemon', '--constructor', 'x'],
  ];
  for (const line of declined) t.is(parseDaemonLine(line), undefined, line.join(' '));
});

test('daemonOptions: the flags as runDaemon takes them; what was not given is left out', (t) => {
  const parsed = parseDaemonLine(['daemon', '--state-dir', '/n/state', '--node-namespace', '--after', '1:2', '--egress', '--container-log-max-files', '3'])!;
  t.deepEqual(daemonOptions(parsed), {
    stateDir: '/n/state', runDir: '/run/minipod', bridge: 'minipod0', subnet: '10.88.0.0/16', nodeNamespace: true, stopPodsOnExit: false,
    cgroupParent: 'minipod', ociRuntime: 'runc', containerLog: { maxSize: 10 * 1024 * 1024, maxFiles: 3 }, egress: true, after: '1:2',
  });
});
