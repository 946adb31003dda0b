// A pod record is trusted only if minipod could have written it: a record forged while no daemon
// ran (an argv that is not the manifest's command) is quarantined by the next daemon and never
// run; what its pod left running is removed as an orphan, and `minipod gc` lists the record with
// why. Malformed holder-register and lease files are removed and reported, never trusted.
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import type { PodEvent } from '../../lib/supervisor/events.js';
import { alive, assertNodeEmpty, leases, nodeLinks, sigterm, startTestNode, type TestNode } from '../helpers/node.js';
import { waitFor } from '../helpers/wait.js';

const pod = (name: string) => ({ metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', command: ['sleep', 'infinity'] }] } });

async function events(node: TestNode): Promise<PodEvent[]> {
  return (await node.cli(['events', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as PodEvent);
}

test.serial('a forged argv is never run: the record is quarantined, its pod removed, gc lists it with why', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  const pwned = path.join(node.dir, 'pwned');
  const victim = await node.api.request<PodRecord>('POST', '/pods', pod('victim'));
  const bystander = await node.api.request<PodRecord>('POST', '/pods', pod('bystander'));

  // The daemon goes (the pods stay); meanwhile the victim's app dies, so a daemon that trusted
  // its record would start the recorded argv again at once (restartPolicy Always).
  await sigterm(node);
  const appPid = victim.containers[0]!.pid!;
  process.kill(appPid, 'SIGKILL');
  await waitFor(async () => !alive(appPid), 'the victim app to die');
  const file = path.join(node.stateDir, 'pods', 'victim.json');
  const forged = JSON.parse(await readFile(file, 'utf8')) as PodRecord;
  forged.containers[0]!.argv = ['/usr/bin/touch', pwned];
  await writeFile(file, JSON.stringify(forged));
  // Files a forger (or a bad disk) could leave beside it: never trusted.
  await writeFile(path.join(node.stateDir, 'holders', 'evil'), 'net:[1] 1\n');
  await writeFile(path.join(node.stateDir, 'leases', 'not-an-ip'), `${victim.uid}\n`);

  node = await startTestNode({}, node.dir);
  const { pods } = await node.api.request<{ pods: PodRecord[] }>('GET', '/pods');
  t.deepEqual(pods.map((p) => [p.name, p.sandbox?.pid, p.containers[0]!.pid]), [['bystander', bystander.sandbox!.pid, bystander.containers[0]!.pid]], 'only the valid pod is loaded, re-adopted as it runs');

  const all = await events(node);
  const quarantined = all.find((e) => e.reason === 'RecordQuarantined');
  t.like(quarantined, { pod: 'victim', type: 'Warning' });
  t.regex(quarantined!.message, /victim\.json\.corrupt: moved aside and never run, it fails validation: containers\[0\]\.argv\[0\]: "\/usr\/bin\/touch" is not where the manifest's command "sleep" resolves/);
  t.true(all.some((e) => e.reason === 'StateFileRejected' && /^holders\/evil: the name is not a pid/.test(e.message)), 'the bad register entry is reported');
  t.true(all.some((e) => e.reason === 'OrphanRemoved' && /^lease not-an-ip: not a lease/.test(e.message)), 'the bad lease file is reported');
  t.false((await readdir(path.join(node.stateDir, 'holders'))).includes('evil'), 'removed (only the new spare holder is registered)');

  // What the victim's pod left running belongs to no record: removed at start (holder, veth, lease).
  await waitFor(async () => !alive(victim.sandbox!.pid), 'the victim holder to be stopped');
  t.false((await nodeLinks(node)).includes(victim.sandbox!.hostVeth));
  t.deepEqual(await leases(node), [bystander.ip]);
  // A restart of the forged argv would be under way by now; give it a moment to show, bounded.
  await sleep(500);
  t.false(existsSync(pwned), 'the forged argv never ran');

  const listed = await node.cli(['gc']);
  t.regex(listed.stdout, /^record +\S+\/pods\/victim\.json\.corrupt +\(a pod record that failed validation, quarantined at daemon start and never run: containers\[0\]\.argv\[0\]: "\/usr\/bin\/touch" is not where/m);
  t.regex(listed.stdout, /^logs +\S+\/logs\/victim +\(logs of the quarantined record victim\.json\.corrupt\)/m);
  t.regex(listed.stdout, /2 orphan\(s\)/);
  // The name stays the quarantined record's, with its logs, until gc --fix: a new pod would write over them.
  const again = await node.cli(['run', 'victim', '-c', 'app=sleep infinity']);
  t.not(again.exitCode, 0);
  t.regex(again.stderr, /pod "?victim"? has a quarantined record, \S+\/pods\/victim\.json\.corrupt \(`minipod gc` says why it failed validation\), kept with its logs: read them, then remove both with `minipod gc --fix`, or pick another name/);
  t.is((await node.cli(['gc', '--fix'])).exitCode, 0);
  t.regex((await node.cli(['gc'])).stdout, /nothing to collect/);
  t.is((await node.cli(['run', 'victim', '-c', 'app=sleep infinity'])).exitCode, 0, 'the name is free once gc --fix removed the record');
  t.is((await node.cli(['rm', '-f', 'bystander', 'victim'])).exitCode, 0);
  t.false(existsSync(pwned));
  await assertNodeEmpty(t, node);
});

test.serial('a record that says Stopped while its pod runs is quarantined and its processes removed; a lease deleted or damaged under a running pod is made again, never handed out twice', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  const stopped = await node.api.request<PodRecord>('POST', '/pods', pod('stopped'));
  const deleted = await node.api.request<PodRecord>('POST', '/pods', pod('deleted'));
  const damaged = await node.api.request<PodRecord>('POST', '/pods', pod('damaged'));
  await sigterm(node);
  const file = path.join(node.stateDir, 'pods', 'stopped.json');
  await writeFile(file, JSON.stringify({ ...(JSON.parse(await readFile(file, 'utf8')) as PodRecord), phase: 'Stopped' }));
  await rm(path.join(node.stateDir, 'leases', deleted.ip));
  await writeFile(path.join(node.stateDir, 'leases', damaged.ip), 'garbage!!');

  node = await startTestNode({}, node.dir);
  const all = await events(node);
  const quarantined = all.find((e) => e.reason === 'RecordQuarantined');
  t.like(quarantined, { pod: 'stopped', type: 'Warning' });
  t.regex(quarantined!.message, /sandbox: pause \d+: a Stopped pod has none left .*ip: \S+: a Stopped pod holds no address .*containers\[0\]: Running with pid \d+/);
  await waitFor(async () => !alive(stopped.sandbox!.pid) && !alive(stopped.containers[0]!.pid!), 'what the quarantined record named to be stopped');
  const { pods } = await node.api.request<{ pods: PodRecord[] }>('GET', '/pods');
  t.deepEqual(pods.map((p) => [p.name, p.ip, p.sandbox?.pid]), [['deleted', deleted.ip, deleted.sandbox!.pid], ['damaged', damaged.ip, damaged.sandbox!.pid]], 'both re-adopted as they run');
  // Deleted: made again as the pods are re-adopted; damaged: given back by the boot's housekeeping.
  for (const [p, was] of [[deleted, 'gone'], [damaged, "not this pod's \\(a malformed lease"]] as const) {
    const restored = all.find((e) => e.reason === 'LeaseRestored' && e.pod === p.name);
    t.regex(restored?.message ?? '', new RegExp(`^the lease of ${p.ip.replaceAll('.', '\\.')} was ${was}.*made again from the pod's record$`));
  }
  t.deepEqual((await leases(node)).sort(), [deleted.ip, damaged.ip].sort());
  const fresh = await Promise.all(['n1', 'n2', 'n3'].map((n) => node.api.request<PodRecord>('POST', '/pods', pod(n))));
  t.deepEqual(fresh.filter((p) => [deleted.ip, damaged.ip].includes(p.ip)), [], 'no address handed out twice');
  t.is((await node.cli(['gc', '--fix'])).exitCode, 0);
  t.is((await node.cli(['rm', '-f', 'deleted', 'damaged', 'n1', 'n2', 'n3'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('two records naming one address: the pod its lease names keeps it, the other is quarantined and what it runs removed', async (t) => {
  let node = await startTestNode();
  t.teardown(() => node.dispose());
  const a = await node.api.request<PodRecord>('POST', '/pods', pod('a'));
  const b = await node.api.request<PodRecord>('POST', '/pods', pod('b'));
  await sigterm(node);
  const file = path.join(node.stateDir, 'pods', 'b.json');
  await writeFile(file, JSON.stringify({ ...(JSON.parse(await readFile(file, 'utf8')) as PodRecord), ip: a.ip, mac: a.mac }));

  node = await startTestNode({}, node.dir);
  const quarantined = (await events(node)).filter((e) => e.reason === 'RecordQuarantined');
  t.deepEqual(quarantined.map((e) => [e.pod, e.type]), [['b', 'Warning']]);
  t.regex(quarantined[0]!.message, new RegExp(`ip: ${a.ip.replaceAll('.', '\\.')} is pod a's \\(its lease names it\\): one address is one pod's`));
  await waitFor(async () => !alive(b.sandbox!.pid) && !alive(b.containers[0]!.pid!), "the quarantined record's holder and app to be stopped");
  const { pods } = await node.api.request<{ pods: PodRecord[] }>('GET', '/pods');
  t.deepEqual(pods.map((p) => [p.name, p.ip, p.sandbox?.pid]), [['a', a.ip, a.sandbox!.pid]], 'a re-adopted as it runs');
  t.true(alive(a.sandbox!.pid));
  t.deepEqual(await leases(node), [a.ip], "b's own lease went with its other orphans");
  t.is((await node.cli(['gc', '--fix'])).exitCode, 0);
  t.is((await node.cli(['rm', '-f', 'a'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
