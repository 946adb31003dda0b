// parseFlags (cmd/flag-table.ts) through its two users: the daemon lines and the `node` lines
// bin/minipod.js runs without yargs (cmd/node-main.ts). What they take must mean what yargs makes of
// it from the same table; anything else is declined (undefined) and parsed by the full CLI.
import { createRequire } from 'node:module';
import test from 'ava';
import type { Arguments, CommandModule } from 'yargs';
import { daemon } from '../../../cmd/commands/daemon.js';
import { node, parseNodeLine } from '../../../cmd/commands/node.js';
import { DAEMON_FLAGS, daemonOptions, parseDaemonLine } from '../../../cmd/daemon-flags.js';
import { daemonFlags } from '../../../lib/node/options.js';

const yargs = createRequire(import.meta.url)('yargs/yargs') as typeof import('yargs/yargs');

/** What yargs gives the verb's handler for args (its builder, strict), without running it. */
function viaYargs(verb: CommandModule, args: string[]): Arguments {
  let seen: Arguments | undefined;
  yargs(args).command({ ...verb, handler: (argv: Arguments) => void (seen = argv) }).strict().fail((msg) => { throw new Error(msg); }).parseSync();
  if (!seen) throw new Error(`yargs ran no verb for ${args.join(' ')}`);
  return seen;
}

/** The table's flags of a parsed line, by name. */
const flagsOf = (argv: Record<string, unknown>) => Object.fromEntries(Object.keys(DAEMON_FLAGS).map((k) => [k, argv[k]]));

/** A node line's action and flags, by name. */
const NODE_KEYS = ['action', 'dir', 'bridge', 'subnet', 'stop-pods-on-exit', 'oci-runtime', 'pids-limit', 'pod-max-pids', 'outside', 'container-log-max-size', 'container-log-max-files'];
const nodeFlagsOf = (argv: object) => Object.fromEntries(NODE_KEYS.map((k) => [k, (argv as Record<string, unknown>)[k]]));

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

test('a daemon line it takes gives each flag what yargs gives it, defaults included', (t) => {
  for (const line of TAKEN) t.deepEqual(flagsOf(parseDaemonLine(line)!), flagsOf(viaYargs(daemon, line)), line.join(' '));
});

test('a daemon line whose meaning is not certain goes to the full CLI', (t) => {
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

test('a node start|stop|restart|env line it takes gives the action and each flag what yargs gives them', (t) => {
  const taken = [
    ['node', 'start'], ['node', 'stop', '--dir', '/tmp/n1'], ['node', 'env', '--dir=/tmp/n1'],
    ['node', 'restart', '--dir', '/tmp/n1', '--stop-pods-on-exit', '--oci-runtime', 'crun', '--pids-limit', '50', '--pod-max-pids', '500'],
    ['node', 'start', '--bridge', 'br9', '--subnet', '10.99.0.0/16', '--container-log-max-size=1Mi', '--container-log-max-files', '3'],
    ['node', 'stop', '--outside'],
  ];
  for (const line of taken) t.deepEqual(nodeFlagsOf(parseNodeLine(line)!), nodeFlagsOf(viaYargs(node, line)), line.join(' '));
});

test('a node line with exec, a global flag or anything the parser is not sure of goes to the full CLI', (t) => {
  const declined = [
    ['node'], ['node', 'exec', '--', 'ip', 'addr'], ['node', 'exec', 'ls'], ['node', 'bogus'], ['node', 'start', 'extra'], ['node', 'start', '--help'],
    ['node', 'start', '--node', 'node-1'], ['node', 'start', '--socket', '/x'], ['node', 'start', '--cluster-dir', '/c'], ['node', 'start', '-n', 'x'],
    ['node', 'start', '--no-stop-pods-on-exit'], ['node', 'start', '--dir'], ['node', 'start', "--dir='/a'"], ['node', 'start', '--dir', '"/a"'], ['node', 'start', '--dir', '/a', '--dir', '/b'], ['--dir', '/a', 'node', 'start'],
  ];
  for (const line of declined) t.is(parseNodeLine(line), undefined, line.join(' '));
});
