// Pod egress (issue 11, point 1): a node has an uplink into an "outside" namespace minipod made
// (node/outside.ts); a pod reaches a server there through the node, masqueraded (network/egress.ts):
// the server sees the node's address, the reply comes back; pod-to-pod traffic keeps the pod's own
// address (no NAT inside the subnet); forwarding and the rule exist in the node's namespace only;
// a daemon restart replaces the rule rather than doubling it; `node stop` leaves nothing.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import { systemPath } from '../../lib/os/tools.js';
import { NODE_ADDR, OUTSIDE_ADDR, readOutside, UPLINK } from '../../lib/node/outside.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { alive, CLI, restartTestNode, snapshot, startTestNode, type TestNode } from '../helpers/node.js';
import { importImages } from '../helpers/seed.js';

let node: TestNode;
let server: ResultPromise | undefined;
const hostForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');

// Answers every request with the address it came from, and logs it.
const ECHO_ADDR = (host: string, port: number) => `require('http').createServer((q, r) => { console.log('from ' + q.socket.remoteAddress); r.end('you are ' + q.socket.remoteAddress + '\\n'); }).listen(${port}, '${host}')`;

const fetcher = (name: string, url: string) => ({
  metadata: { name },
  spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `for i in $(seq 50); do wget -qO- ${url} && break; sleep 0.2; done; sleep 600`] }] },
});

async function logsOf(name: string): Promise<string> {
  return (await node.cli(['logs', name])).stdout;
}

test.before(async () => {
  node = await startTestNode();
  await importImages(node, ['busybox.tar']);
  server = execa(process.execPath, [CLI, 'node', 'exec', '--dir', node.dir, '--outside', '--', process.execPath, '-e', ECHO_ADDR(OUTSIDE_ADDR, 8000)], { reject: false });
  const up = await waitUntil(async () => ((await node.sh(['curl', '-s', '--max-time', '2', `http://${OUTSIDE_ADDR}:8000/`])).exitCode === 0 ? true : undefined), { timeoutMs: 15_000, everyMs: 100 });
  if (!up) throw new Error('the server in the outside namespace did not answer');
});
test.after.always(async () => {
  server?.kill('SIGKILL');
  await node?.cli(['image', 'rm', 'busybox']);
  await node?.dispose();
});

test.serial('the node has an uplink into the outside, with a default route through it', async (t) => {
  const link = JSON.parse((await node.sh(['ip', '-j', 'addr', 'show', 'dev', UPLINK])).stdout)[0];
  t.true(link.addr_info.some((a: { local: string }) => a.local === NODE_ADDR), JSON.stringify(link.addr_info));
  t.is(link.operstate, 'UP');
  t.regex((await node.sh(['ip', 'route', 'show', 'default'])).stdout, new RegExp(`^default via ${OUTSIDE_ADDR.replaceAll('.', '\\.')} dev ${UPLINK}`));
  const outside = await readOutside(node.dir);
  t.truthy(outside, 'the outside holder is recorded');
  t.not(readlinkSync(`/proc/${outside}/ns/net`), readlinkSync('/proc/self/ns/net'), 'a network namespace of its own, not the host\'s');
});

test.serial('a pod fetches from a server outside: the server sees the node\'s address, and the reply comes back', async (t) => {
  const pod = await node.api.request<PodRecord>('POST', '/pods', fetcher('out', `http://${OUTSIDE_ADDR}:8000/`));
  const answer = await waitUntil(async () => ((await logsOf('out')).includes('you are') ? logsOf('out') : undefined), { timeoutMs: 15_000, everyMs: 100 });
  t.is(answer?.trim(), `you are ${NODE_ADDR}`, 'masqueraded to the node\'s uplink address; the reply reached the pod');
  t.not(pod.ip, NODE_ADDR);
  t.is((await node.cli(['rm', '-f', 'out'])).exitCode, 0);
});

test.serial('pod to pod stays unNATed: the server pod sees the client pod\'s own IP', async (t) => {
  const srv = await node.api.request<PodRecord>('POST', '/pods', {
    metadata: { name: 'srv' },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', command: [process.execPath, '-e', ECHO_ADDR('0.0.0.0', 8080)], ports: [{ containerPort: 8080 }] }] },
  });
  // Listening before the client's first try: a refused try would leave its error in the log read below.
  await node.api.waitReady('srv', 15_000);
  const cli = await node.api.request<PodRecord>('POST', '/pods', fetcher('cli', `http://${srv.ip}:8080/`));
  const answer = await waitUntil(async () => ((await logsOf('cli')).includes('you are') ? logsOf('cli') : undefined), { timeoutMs: 15_000, everyMs: 100 });
  t.is(answer?.trim(), `you are ${cli.ip}`);
  for (const name of ['srv', 'cli']) t.is((await node.cli(['rm', '-f', name])).exitCode, 0);
});

test.serial('forwarding and the masquerade rule exist in the node only; a daemon restart replaces the rule, never doubles it', async (t) => {
  t.is((await node.sh(['cat', '/proc/sys/net/ipv4/ip_forward'])).stdout.trim(), '1');
  t.is(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), hostForward, 'the host\'s forwarding is untouched');
  t.false((await execa('nft', ['list', 'tables'], { env: { PATH: systemPath() } })).stdout.includes('minipod'), 'no minipod table on the host');
  node = await restartTestNode(node);
  const listed = await node.sh(['nft', '-j', 'list', 'table', 'ip', 'minipod']);
  t.is(listed.exitCode, 0, listed.stderr);
  const rules = JSON.parse(listed.stdout).nftables.filter((o: { rule?: { chain: string } }) => o.rule?.chain === 'postrouting');
  // Each once: the egress rule, and hostPort's masquerades (network/hostport-rules.ts).
  t.deepEqual(rules.map((r: { rule: { comment?: string } }) => r.rule.comment), ['pod egress', 'hostPort from the node\'s localhost', 'hostPort hairpin'], JSON.stringify(rules));
});

test.serial('node stop ends the outside and what runs there; nothing is left', async (t) => {
  await node.settled();
  const snap = await snapshot(node);
  t.deepEqual(snap.processes.map((p) => p.split(' ')[0]), [process.execPath], 'only the server in the outside runs in the node');
  t.deepEqual({ ...snap, processes: [] }, { cgroups: [], links: ['lo', 'minipod0'], leases: [], records: [], deployments: [], logs: [], processes: [], containers: [], names: [], nsfs: [], hostPorts: [], volumes: [] });
  const outside = (await readOutside(node.dir))!;
  await node.stop();
  t.false(alive(outside), 'the outside holder is gone');
  await waitUntil(async () => (server?.exitCode !== null ? true : undefined), { timeoutMs: 10_000, everyMs: 50 });
  t.not(server?.exitCode, null, 'the server in the outside was ended by the node\'s sweep');
  t.false(existsSync(path.join(node.dir, 'outside.pid')));
});
