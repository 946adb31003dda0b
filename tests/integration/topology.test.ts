// `minipod topology` against the kernel of a real node: two pods (one with two containers), each
// veth pair's ifindex/@ifN checked against `ip -j link` on the node and inside the pod, each
// sandbox's net:[inode] against /proc/PID/ns/net; a stray veth added by hand is marked, and so is
// a pod's veth taken off the bridge; the SVG
// opens in headless Chromium run inside the node (no network beyond it); --watch redraws as a
// sandbox is recreated; the node is empty at the end.
import { readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import type { PodRecord } from '../../lib/pod/types.js';
import { readPng } from '../helpers/png.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { assertNodeEmpty, CLI, startTestNode, type TestNode } from '../helpers/node.js';

let node: TestNode;

// workingDir: / so that a restart does not depend on the manifests' directory (removed after the first test).
const WEB = `apiVersion: v1
kind: Pod
metadata: { name: tpweb }
spec:
  containers:
  - { name: httpd, command: [busybox, httpd, -f, -p, "80", -h, /tmp], workingDir: / }
  - { name: sidecar, command: [sleep, "1000"], workingDir: / }
`;
const CLIENT = `apiVersion: v1
kind: Pod
metadata: { name: tpclient }
spec:
  containers:
  - { name: shell, command: [sleep, "1000"], workingDir: / }
`;

interface Link {
  ifindex: number;
  ifname: string;
  link_index?: number;
  address: string;
}

const pod = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const topologyText = async () => {
  const r = await node.cli(['topology']);
  if (r.exitCode !== 0) throw new Error(`minipod topology failed: ${r.stderr}`);
  return r.stdout;
};

test.before(async () => {
  node = await startTestNode();
});
test.after.always(() => node?.dispose());

test.serial('two pods: each veth pair with its ifindex/@ifN, net:[inode], IP, MAC and pids, as the kernel has them', async (t) => {
  const dir = await tempDir(t, 'minipod-topology-');
  for (const [file, yaml] of [['web.yaml', WEB], ['client.yaml', CLIENT]] as const) {
    await writeFile(path.join(dir, file), yaml);
    const r = await node.cli(['run', '-f', path.join(dir, file)]);
    t.is(r.exitCode, 0, r.stderr);
  }
  const text = await topologyText();
  const nodeLinks = JSON.parse((await node.sh(['ip', '-j', 'link'])).stdout) as Link[];
  for (const name of ['tpweb', 'tpclient']) {
    const r = await pod(name);
    const host = nodeLinks.find((l) => l.ifname === r.sandbox!.hostVeth)!;
    const [eth0] = JSON.parse((await node.cli(['exec', name, '--', 'ip', '-j', 'link', 'show', 'eth0'])).stdout) as Link[];
    t.is(host.link_index, eth0!.ifindex, 'the host end names eth0 as its peer');
    t.is(eth0!.link_index, host.ifindex, 'eth0 names the host end as its peer');
    t.true(text.includes(`veth ${host.ifname} (ifindex ${host.ifindex} @if${eth0!.ifindex}) ↔ eth0 (ifindex ${eth0!.ifindex} @if${host.ifindex}) pod ${name}\n`), text);
    const netns = await readlink(`/proc/${r.sandbox!.pid}/ns/net`);
    t.true(text.includes(`─ ${netns} ${r.ip}/${r.prefix} ${eth0!.address}\n`), text);
    t.is(eth0!.address, r.mac);
    t.true(text.includes(`─ pause pid ${r.sandbox!.pid}\n`), text);
    for (const c of r.containers) {
      t.is(await readlink(`/proc/${c.pid}/ns/net`), netns, `${c.name} shares its pause's namespace`);
      t.true(text.includes(`─ ${c.name} pid ${c.pid}\n`), text);
    }
  }
  const bridge = nodeLinks.find((l) => l.ifname === 'minipod0')!;
  t.true(text.includes(`└─ bridge minipod0 (ifindex ${bridge.ifindex}) 10.88.0.1/16 ${bridge.address}\n`), text);
  t.true(text.startsWith(`node ${await readlink(`/proc/${node.pid}/ns/net`)}\n`), text);
  t.regex(text, /routes \(node\)\n {2}default via 192\.0\.2\.1 dev uplink0 proto boot\n {2}10\.88\.0\.0\/16 dev minipod0 proto kernel src 10\.88\.0\.1\n {2}192\.0\.2\.0\/24 dev uplink0 proto kernel src 192\.0\.2\.10\n/);
  t.regex(text, /├─ veth uplink0 \(ifindex \d+ @if\d+\) 192\.0\.2\.10\/24 /, 'the node\'s uplink into the outside');
  t.regex(text, /nat \(nft table ip minipod\)\n(.*\n)* {2}postrouting {2}masquerade 10\.88\.0\.0\/16 not to 10\.88\.0\.0\/16\n/, 'the egress rule, read from the kernel');
  t.regex(text, /does not fit\n {2}\(nothing\)\n$/);
});

test.serial('a veth put on the bridge by hand is marked as belonging to no pod, and is gone once removed', async (t) => {
  t.teardown(() => node.sh(['ip', 'link', 'del', 'tpstray0'])); // tolerates "nothing there"
  t.is((await node.sh(['ip', 'link', 'add', 'tpstray0', 'type', 'veth', 'peer', 'name', 'tpstray1'])).exitCode, 0);
  t.is((await node.sh(['ip', 'link', 'set', 'tpstray0', 'master', 'minipod0'])).exitCode, 0);
  const links = JSON.parse((await node.sh(['ip', '-j', 'link'])).stdout) as Link[];
  const [stray0, stray1] = ['tpstray0', 'tpstray1'].map((n) => links.find((l) => l.ifname === n)!);
  const text = await topologyText();
  t.true(text.includes(`─ veth tpstray0 (ifindex ${stray0!.ifindex} @if${stray1!.ifindex})  ✗ no pod\n`), text);
  t.true(text.includes(`✗ stray-veth     veth tpstray0 (ifindex ${stray0!.ifindex} @if${stray1!.ifindex}) is on minipod0 but is no pod's`), text);
  t.is((await node.sh(['ip', 'link', 'del', 'tpstray0'])).exitCode, 0);
  const after = await topologyText();
  t.false(after.includes('tpstray'), after);
  t.regex(after, /does not fit\n {2}\(nothing\)\n$/);
});

test.serial('a pod whose veth the kernel has taken off the bridge is a record-kernel misfit until it is put back', async (t) => {
  const veth = (await pod('tpclient')).sandbox!.hostVeth;
  t.teardown(() => node.sh(['ip', 'link', 'set', veth, 'master', 'minipod0']));
  t.is((await node.sh(['ip', 'link', 'set', veth, 'nomaster'])).exitCode, 0);
  const text = await topologyText();
  t.true(text.includes(`✗ record-kernel  pod tpclient: record says veth ${veth} on minipod0, kernel: its master is none`), text);
  t.regex(text, /pods not wired to a bridge\n {2}pod tpclient \(Running\) {2}✗ see below\n/);
  t.is((await node.sh(['ip', 'link', 'set', veth, 'master', 'minipod0'])).exitCode, 0);
  t.regex(await topologyText(), /does not fit\n {2}\(nothing\)\n$/);
});

test.serial('the SVG is valid: headless Chromium, inside the node, opens it and its screenshot is a picture', async (t) => {
  const dir = await tempDir(t, 'minipod-topology-svg-');
  const svg = await node.cli(['topology', '--format', 'svg']);
  t.is(svg.exitCode, 0, svg.stderr);
  t.regex(svg.stdout, /<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.true(svg.stdout.includes('tpweb') && svg.stdout.includes('veth pair'));
  const file = path.join(dir, 'topology.svg');
  const shot = path.join(dir, 'topology.png');
  await writeFile(file, svg.stdout);
  // In the node's namespaces: its network is the node's own (lo, the bridge), nothing beyond.
  const chromium = await node.sh([
    'chromium', '--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${path.join(dir, 'profile')}`,
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
    '--disable-domain-reliability', '--disable-breakpad', '--no-first-run', '--no-default-browser-check', '--no-pings', '--metrics-recording-only',
    `--screenshot=${shot}`, '--window-size=1200,800', `file://${file}`,
  ]);
  t.is(chromium.exitCode, 0, chromium.stderr);
  const png = readPng(await readFile(shot));
  t.deepEqual([png.width, png.height], [1200, 800]);
  t.true(png.colours > 10, `a drawing has many colours, this has ${png.colours}`);
});

test.serial('--watch redraws when a sandbox is recreated: the new net:[inode] replaces the old', async (t) => {
  const before = await pod('tpclient');
  const watch = execa(process.execPath, [CLI, 'topology', '--watch'], { env: { MINIPOD_SOCKET: node.socket }, reject: false });
  t.teardown(() => watch.kill('SIGKILL'));
  let out = '';
  watch.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const frames = () => out.split(/^minipod topology, .*$/m).slice(1);
  await waitFor(async () => frames().some((f) => f.includes(before.sandbox!.netns)), 'the first drawing');
  t.is((await node.cli(['kill', 'tpclient', '--sandbox'])).exitCode, 0);
  let seen: PodRecord | undefined;
  const after = await waitFor(async () => {
    const r = (seen = await pod('tpclient'));
    return r.sandbox && r.sandbox.netns !== before.sandbox!.netns && r.containers[0]!.state === 'Running' ? r : undefined;
  }, 'the recreated sandbox').catch((err: Error) => t.fail(`${err.message}: ${JSON.stringify({ sandbox: seen?.sandbox, containers: seen?.containers, phase: seen?.phase })}`));
  const last = await waitFor(async () => frames().find((f) => f.includes(`─ ${after.sandbox!.netns} `) && f.includes(`─ shell pid ${after.containers[0]!.pid}\n`)), 'a drawing with the new namespace');
  t.false(last.includes(before.sandbox!.netns));
  t.true(last.includes(`─ pause pid ${after.sandbox!.pid}\n`), last);
  t.is(watch.exitCode, null, 'the watch goes on until stopped');
});

test.serial('bad flags are refused with a usage error naming the flag, and the daemon is not asked', async (t) => {
  const png = await node.cli(['topology', '--format', 'png']);
  t.is(png.exitCode, 2);
  t.regex(png.stderr, /format.*png.*text, dot, svg, json|Invalid values:\n {2}Argument: format/s);
  const watchDot = await node.cli(['topology', '--watch', '--format', 'dot']);
  t.is(watchDot.exitCode, 2);
  t.regex(watchDot.stderr, /--watch draws the text form: drop --format dot, or --watch/);
});

test.serial('rm -f of both pods leaves the node empty', async (t) => {
  t.is((await node.cli(['rm', '-f', 'tpweb', 'tpclient'])).exitCode, 0);
  t.regex(await topologyText(), /└─ bridge minipod0 \(ifindex \d+\) 10\.88\.0\.1\/16 \S+\n\nroutes/);
  await assertNodeEmpty(t, node);
});
