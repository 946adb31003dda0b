// securityContext (issue 12, Pod fields 6), checked from outside: the uid, gids, capabilities and
// no_new_privs of each container's process in /proc/PID/status, a read-only root refusing a
// write, a capability really missing (ping without CAP_NET_RAW), privileged's unmasked /proc,
// runAsNonRoot keeping a root image Waiting as kubelet does, a host process run as another user,
// bad fields refused with nothing made, and nothing left on the node.
import { readFile } from 'node:fs/promises';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { waitUntil } from '../../lib/util/wait.js';
import { assertNodeEmpty, type TestNode } from '../helpers/node.js';
import { disposeImageNode, startImageNode } from '../helpers/seed.js';

let node: TestNode;
const SLEEP = ['sleep', '1000'];

test.before(async () => {
  node = await startImageNode(['busybox.tar']);
});
test.after.always(() => disposeImageNode(node, ['busybox']));

async function running(name: string): Promise<PodRecord> {
  const pod = await waitUntil(async () => {
    const p = await node.api.request<PodRecord>('GET', `/pods/${name}`);
    return p.phase === 'Running' && p.containers.every((c) => c.state === 'Running' && c.pid) ? p : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  if (!pod) throw new Error(`pod ${name} never ran: ${JSON.stringify(await node.api.request('GET', `/pods/${name}`))}`);
  return pod;
}

/** The fields of /proc/PID/status a securityContext sets. */
async function status(pid: number): Promise<{ uid: string; gid: string; groups: string; capEff: bigint; noNewPrivs: string }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return { uid: field('Uid'), gid: field('Gid'), groups: field('Groups'), capEff: BigInt(`0x${field('CapEff')}`), noNewPrivs: field('NoNewPrivs') };
}

const bit = (cap: number) => 1n << BigInt(cap);
const [CAP_KILL, CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_AUDIT_WRITE] = [5, 10, 13, 29];
const RUNC_DEFAULT = bit(CAP_KILL) | bit(CAP_NET_BIND_SERVICE) | bit(CAP_AUDIT_WRITE);

const pidOf = (pod: PodRecord, name: string) => pod.containers.find((c) => c.name === name)!.pid!;

test.serial('uid, gids, capabilities, no_new_privs, a read-only root and privileged are what each container\'s process has', async (t) => {
  const c = (name: string, securityContext: Record<string, unknown>) => ({ name, image: 'busybox', command: SLEEP, securityContext });
  const created = await node.api.request<PodRecord>('POST', '/pods', {
    metadata: { name: 'sec' },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000] },
      containers: [
        c('user', { runAsUser: 2000 }),
        c('def', { runAsUser: 0 }),
        c('ro', { runAsUser: 0, readOnlyRootFilesystem: true, allowPrivilegeEscalation: true }),
        c('raw', { runAsUser: 0, capabilities: { add: ['NET_RAW'], drop: ['CAP_KILL'] } }),
        c('none', { runAsUser: 0, capabilities: { drop: ['ALL'] } }),
        c('priv', { runAsUser: 0, privileged: true }),
      ],
    },
  });
  t.is(created.phase, 'Running');
  const pod = await running('sec');

  const user = await status(pidOf(pod, 'user'));
  t.is(user.uid.split(/\s+/)[0], '2000', 'the container\'s runAsUser over the pod\'s');
  t.is(user.gid.split(/\s+/)[0], '3000', 'the pod\'s runAsGroup');
  t.is(user.groups, '4000', 'supplementalGroups');
  t.is(user.capEff, 0n, 'a uid other than 0 has no capability in effect (no ambient set), as under Kubernetes');
  t.is(user.noNewPrivs, '1', 'minipod\'s default: no_new_privs on');
  t.is((await node.cli(['exec', 'sec', '-c', 'user', '--', 'id'])).stdout, 'uid=2000 gid=3000 groups=4000\n', 'exec runs as the container\'s user');

  const def = await status(pidOf(pod, 'def'));
  t.is(def.uid.split(/\s+/)[0], '0', 'runAsUser: 0 overrides the pod\'s 1000');
  t.is(def.capEff, RUNC_DEFAULT, 'runc\'s default set: KILL, NET_BIND_SERVICE, AUDIT_WRITE');
  const noRaw = await node.cli(['exec', 'sec', '-c', 'def', '--', 'ping', '-c', '1', '-W', '2', '127.0.0.1']);
  t.not(noRaw.exitCode, 0, `ping needs CAP_NET_RAW, which runc's default set lacks: ${noRaw.stdout}${noRaw.stderr}`);

  const raw = await status(pidOf(pod, 'raw'));
  t.is(raw.capEff, (RUNC_DEFAULT | bit(CAP_NET_RAW)) & ~bit(CAP_KILL), 'NET_RAW added, KILL dropped');
  const ping = await node.cli(['exec', 'sec', '-c', 'raw', '--', 'ping', '-c', '1', '-W', '2', '127.0.0.1']);
  t.is(ping.exitCode, 0, `with CAP_NET_RAW, ping works: ${ping.stdout}${ping.stderr}`);

  t.is((await status(pidOf(pod, 'none'))).capEff, 0n, 'drop ALL: not one capability, even as root');

  const ro = await node.cli(['exec', 'sec', '-c', 'ro', '--', 'touch', '/written']);
  t.not(ro.exitCode, 0);
  t.regex(ro.stderr + ro.stdout, /Read-only file system/);
  t.is((await node.cli(['exec', 'sec', '-c', 'ro', '--', 'touch', '/dev/shm/ok'])).exitCode, 0, '/dev/shm is still a writable tmpfs');
  t.is((await node.cli(['exec', 'sec', '-c', 'def', '--', 'touch', '/written'])).exitCode, 0, 'a root not read-only takes the write');
  t.is((await status(pidOf(pod, 'ro'))).noNewPrivs, '0', 'allowPrivilegeEscalation: true turns no_new_privs off');

  const priv = await status(pidOf(pod, 'priv'));
  const held = BigInt(`0x${/^CapBnd:\s*(\S+)$/m.exec(await readFile('/proc/self/status', 'utf8'))![1]}`);
  t.is(priv.capEff, held & ((1n << 41n) - 1n), 'privileged: every capability (0 to 40) the daemon holds');
  t.is(priv.noNewPrivs, '0');
  const masked = async (name: string) => (await readFile(`/proc/${pidOf(pod, name)}/mountinfo`, 'utf8')).split('\n').some((l) => l.split(' ')[4] === '/proc/keys');
  t.true(await masked('def'), '/proc/keys is masked in a container that is not privileged');
  t.false(await masked('priv'), 'and not in a privileged one');
  // The node's devices, as containerd gives a privileged container: /dev/kmsg (1:11) is there and readable.
  const kmsg = await node.cli(['exec', 'sec', '-c', 'priv', '--', 'sh', '-c', 'stat -c "%t:%T" /dev/kmsg && dd if=/dev/kmsg of=/dev/null bs=4096 count=1 iflag=nonblock 2>&1 | tail -n 1']);
  t.regex(kmsg.stdout, /^1:b\n/, kmsg.stderr);
  t.notRegex(kmsg.stdout, /Operation not permitted|No such/, 'the device cgroup lets it through');
  t.not((await node.cli(['exec', 'sec', '-c', 'def', '--', 'stat', '/dev/kmsg'])).exitCode, 0, 'a container that is not privileged has no /dev/kmsg');

  t.is((await node.cli(['rm', '-f', 'sec'])).exitCode, 0);
});

test.serial('crun takes the same config: user, capabilities, a read-only root', async (t) => {
  await node.api.request<PodRecord>('POST', '/pods', {
    metadata: { name: 'crunsec' },
    spec: { terminationGracePeriodSeconds: 1, runtimeClassName: 'crun', containers: [{ name: 'c', image: 'busybox', command: SLEEP, securityContext: { runAsUser: 0, runAsGroup: 5, readOnlyRootFilesystem: true, capabilities: { add: ['NET_RAW'] } } }] },
  });
  const pod = await running('crunsec');
  t.regex(pod.containers[0]!.containerID ?? '', /^crun:\/\//);
  const s = await status(pidOf(pod, 'c'));
  t.is(s.gid.split(/\s+/)[0], '5');
  t.is(s.capEff, RUNC_DEFAULT | bit(CAP_NET_RAW));
  t.regex((await node.cli(['exec', 'crunsec', '--', 'touch', '/written'])).stderr, /Read-only file system/);
  t.is((await node.cli(['rm', '-f', 'crunsec'])).exitCode, 0);
});

test.serial('runAsNonRoot over a root image: the container waits with CreateContainerConfigError, as under kubelet; with a runAsUser it runs', async (t) => {
  const created = await node.api.request<PodRecord>('POST', '/pods', {
    metadata: { name: 'nonroot' },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true },
      containers: [{ name: 'rooty', image: 'busybox', command: SLEEP }, { name: 'fine', image: 'busybox', command: SLEEP, securityContext: { runAsUser: 1000 } }],
    },
  });
  const rooty = created.containers.find((c) => c.name === 'rooty')!;
  t.like(rooty, { state: 'Waiting', reason: 'CreateContainerConfigError', pid: null });
  t.regex(rooty.message ?? '', /^container has runAsNonRoot and image will run as root \(pod: "default\/nonroot\(.*\)", container: rooty\): set runAsUser/);
  const pod = await waitUntil(async () => {
    const p = await node.api.request<PodRecord>('GET', '/pods/nonroot');
    return p.containers.find((c) => c.name === 'fine')?.pid ? p : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  t.truthy(pod, 'the other container runs');
  t.is((await status(pidOf(pod!, 'fine'))).uid.split(/\s+/)[0], '1000');
  const events = (await node.cli(['events', 'nonroot', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
  t.true(events.some((e) => e.reason === 'Failed' && e.type === 'Warning' && e.message.includes('runAsNonRoot')), 'a Warning event says why');
  const again = await node.api.request<PodRecord>('GET', '/pods/nonroot');
  t.like(again.containers.find((c) => c.name === 'rooty'), { state: 'Waiting', reason: 'CreateContainerConfigError' }, 'tried again, still refused');
  t.is((await node.cli(['rm', '-f', 'nonroot'])).exitCode, 0);
});

test.serial('a container without an image runs as runAsUser and runAsGroup (nsenter); the rest of securityContext needs an image', async (t) => {
  await node.api.request<PodRecord>('POST', '/pods', {
    metadata: { name: 'hostuser' },
    spec: { terminationGracePeriodSeconds: 1, securityContext: { runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true }, containers: [{ name: 'h', command: SLEEP }] },
  });
  const pod = await running('hostuser');
  const s = await status(pidOf(pod, 'h'));
  t.is(s.uid, '1000\t1000\t1000\t1000');
  t.is(s.gid, '1000\t1000\t1000\t1000');
  t.is(s.groups, '', 'no supplementary group of the daemon\'s is kept');
  t.is(s.capEff, 0n);
  t.is((await node.cli(['exec', 'hostuser', '--', 'id', '-u'])).stdout, '1000\n', 'exec runs as the container\'s user too');
  t.is((await node.cli(['rm', '-f', 'hostuser'])).exitCode, 0);

  const refused = await node.cli(['run', '-f', '-'], JSON.stringify({ metadata: { name: 'bad' }, spec: { containers: [{ name: 'h', command: SLEEP, securityContext: { readOnlyRootFilesystem: true } }] } }));
  t.not(refused.exitCode, 0);
  t.regex(refused.stderr, /spec\.containers\[0\]\.securityContext\.readOnlyRootFilesystem: needs an image/);
  const badCap = await node.cli(['run', '-f', '-'], JSON.stringify({ metadata: { name: 'bad' }, spec: { containers: [{ name: 'c', image: 'busybox', command: SLEEP, securityContext: { capabilities: { add: ['FLY'] } } }] } }));
  t.regex(badCap.stderr, /spec\.containers\[0\]\.securityContext\.capabilities\.add\[0\]: "FLY" is not a Linux capability/);
  t.is((await node.cli(['get', 'pod', 'bad'])).exitCode !== 0, true, 'nothing was made');
});

test.serial('nothing is left on the node', async (t) => {
  await assertNodeEmpty(t, node);
});
