// Nothing a pod started survives it (issue: hardening, point 5): not what left its network
// namespace (`unshare -n`, `nsenter --net=` into the node's), not a `setsid` daemon, not a bind
// mount that pins its namespace. Each pod runs in a cgroup of its own, killed as a whole.
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { CGEXEC_PATH } from '../../lib/os/tools.js';
import { nodeCgroup } from '../../lib/node/node-cgroup.js';
import { nodeExecArgv } from '../../lib/node/node-namespace.js';
import { commandLine } from '../../lib/process/identity.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { alive, assertNodeEmpty, isShim, podCgroups, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;

test.before(async () => {
  node = await startTestNode();
});
test.after.always(() => node?.dispose());

/** Pids whose command line contains marker (a unique sleep duration); not an app's shim, whose
 * command line names the app's whole script (the leak check sees a shim left behind). */
async function pidsWith(marker: string): Promise<number[]> {
  const out: number[] = [];
  for (const e of await readdir('/proc')) {
    const pid = Number(e);
    if (!pid || !alive(pid)) continue;
    const cmd = await commandLine(pid);
    if (cmd.includes(marker) && !isShim(cmd)) out.push(pid);
  }
  return out;
}

const escaper = (name: string, n: number, pin: string) => ({
  metadata: { name },
  spec: {
    terminationGracePeriodSeconds: 1,
    containers: [{
      name: 'app',
      // A process in a network namespace of its own, one in the node's, a pin on the pod's, then the app.
      command: ['sh', '-c', `setsid unshare -n sleep ${n}1 & setsid nsenter --net=/proc/$PPID/ns/net sleep ${n}2 & touch ${pin}; mount --bind /proc/self/ns/net ${pin}; exec sleep ${n}0`],
    }],
  },
});

const mounted = async (target: string) => (await node.sh(['findmnt', '-n', target])).stdout.trim() !== '';

test.serial('rm -f kills what left the pod\'s namespaces and unmounts a pin on it', async (t) => {
  const pin = path.join(node.dir, 'pin-rm');
  await node.api.request('POST', '/pods', escaper('esc', 7771, pin));
  await waitFor(async () => (await pidsWith('sleep 77711')).length && (await pidsWith('sleep 77712')).length && (await mounted(pin)), 'the escapes');
  const pod = await node.api.request<PodRecord>('GET', '/pods/esc');
  t.deepEqual(await podCgroups(node), [`pod-${pod.uid}`, `pids:pod-${pod.uid}`], 'its cgroup, and its twin in the pids hierarchy that holds the pod\'s pids limit');
  t.is((await node.cli(['rm', '-f', 'esc'])).exitCode, 0);
  t.deepEqual(await pidsWith('sleep 7771'), [], 'nothing of the pod is left');
  t.false(await mounted(pin), 'the pin is gone');
  await assertNodeEmpty(t, node);
});

test.serial('a recovery kills what the old sandbox left behind, wherever it went', async (t) => {
  const pin = path.join(node.dir, 'pin-recreate');
  await node.api.request('POST', '/pods', escaper('esc2', 7772, pin));
  await waitFor(async () => (await pidsWith('sleep 77721')).length && (await pidsWith('sleep 77722')).length, 'the escapes');
  const before = await node.api.request<PodRecord>('GET', '/pods/esc2');
  process.kill(before.sandbox!.pid, 'SIGKILL');
  const after = await waitFor(async () => {
    const p = await node.api.request<PodRecord>('GET', '/pods/esc2');
    return p.sandbox!.attempt === 1 && p.phase === 'Running' ? p : undefined;
  }, 'the recovery');
  // The new sandbox's app has made new escapes; the old ones are gone (each sleep once, by pid).
  const old = [...(await pidsWith('sleep 77721')), ...(await pidsWith('sleep 77722'))];
  await waitFor(async () => (await pidsWith('sleep 77721')).length === 1 && (await pidsWith('sleep 77722')).length === 1, 'one escape of each kind: the new app\'s');
  t.true(old.length <= 2);
  t.not(after.sandbox!.netns, before.sandbox!.netns);
  // The old namespace's pin is gone; the new app's pin (same path, on top) is the new namespace's.
  await waitFor(async () => {
    const pins = (await node.sh(['findmnt', '-n', '-o', 'SOURCE', pin])).stdout.trim().split('\n');
    return pins.length === 1 && pins[0] === `nsfs[${after.sandbox!.netns}]` ? true : undefined;
  }, 'only the new namespace pinned at the path', 5000).catch(async () => t.fail((await node.sh(['findmnt', pin])).stdout));
  t.is((await node.cli(['rm', '-f', 'esc2'])).exitCode, 0);
  t.deepEqual(await pidsWith('sleep 7772'), []);
  t.false(await mounted(pin));
  await assertNodeEmpty(t, node);
});

test.serial('gc lists an orphan pod cgroup and a namespace pinned by a bind mount, with their origin; --fix removes them', async (t) => {
  const cg = nodeCgroup(node.dir)!;
  const orphan = path.join(cg.dir, 'pod-orphanuid000000000');
  await mkdir(orphan);
  const stray = execa(CGEXEC_PATH, [orphan, '/usr/bin/sleep', '7773'], { reject: false, detached: true });
  t.teardown(() => stray.kill('SIGKILL'));
  const pin = path.join(node.dir, 'pin-gc');
  t.is((await node.sh(['touch', pin])).exitCode, 0);
  const [file, ...args] = nodeExecArgv(node, ['unshare', `--net=${pin}`, 'true']); // a namespace kept by its mount only
  t.is((await execa(file!, args, { reject: false })).exitCode, 0);
  await waitFor(async () => (await pidsWith('sleep 7773')).length, 'the stray');

  const listed = await node.cli(['gc']);
  t.regex(listed.stdout, /^cgroup +\S+pod-orphanuid000000000 +\(the cgroup of pod uid orphanuid000000000, which no record names; it still holds \d+ \(\/usr\/bin\/sleep 7773\)\)/m);
  t.regex(listed.stdout, new RegExp(`^mount +${pin.replaceAll('/', '\\/')} +\\(a bind mount that keeps net:\\[\\d+\\] alive with no process in it`, 'm'));
  t.is((await node.cli(['gc', '--fix'])).exitCode, 0);
  t.deepEqual(await pidsWith('sleep 7773'), []);
  t.false(await mounted(pin));
  t.deepEqual(await podCgroups(node), []);
  t.regex((await node.cli(['gc'])).stdout, /nothing to collect/);
  await assertNodeEmpty(t, node);
});
