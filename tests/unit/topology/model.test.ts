// lib/topology on hand-written kernel facts: veth pairs matched end to end, the pids of each
// sandbox, and each kind of misfit (stray veth, app in another netns, record ≠ kernel).
import test from 'ava';
import { buildTopology } from '../../../lib/topology/model.js';
import { renderText } from '../../../lib/topology/text.js';
import { CLIENT_NS, twoPods, WEB_NS } from '../../helpers/topology-facts.js';

test('each veth on the bridge is paired with the pod whose eth0 is its other end, by ifindex', (t) => {
  const topo = buildTopology(twoPods());
  t.deepEqual(topo.bridges.map((b) => [b.name, b.addrs, b.ports.map((p) => [p.name, p.ifindex, p.peerIfindex, p.pod])]), [
    ['minipod0', ['10.88.0.1/16'], [['mpweb0000001', 3, 2, 'web'], ['mpclient0001', 4, 2, 'client']]],
  ]);
  const web = topo.pods.find((p) => p.name === 'web')!;
  t.deepEqual(web.eth0, { ifindex: 2, peerIfindex: 3, addrs: ['10.88.0.2/16'], mac: '0a:58:0a:58:00:02' });
  t.is(web.hostVeth, 'mpweb0000001');
  t.is(web.netns, WEB_NS);
  t.is(web.pause, 200);
  t.deepEqual(web.containers, [{ name: 'httpd', pid: 201, netns: WEB_NS }, { name: 'bootcamp', pid: 202, netns: WEB_NS }]);
  t.deepEqual(topo.node.links.map((l) => l.name), ['lo']);
  t.deepEqual(topo.misfits, []);
});

test('the text is a tree: node → bridge → veth ↔ eth0 in net:[inode] → pids; then routes, rules, misfits', (t) => {
  t.is(renderText(buildTopology(twoPods())), [
    'node net:[4026531001]',
    '├─ lo (ifindex 1) 127.0.0.1/8',
    '└─ bridge minipod0 (ifindex 2) 10.88.0.1/16 0a:58:0a:58:00:01',
    '   ├─ veth mpweb0000001 (ifindex 3 @if2) ↔ eth0 (ifindex 2 @if3) pod web',
    '   │  ├─ net:[4026532254] 10.88.0.2/16 0a:58:0a:58:00:02',
    '   │  ├─ pause pid 200',
    '   │  ├─ httpd pid 201',
    '   │  ├─ bootcamp pid 202',
    '   │  └─ routes: default via 10.88.0.1 dev eth0 proto boot; 10.88.0.0/16 dev eth0 proto kernel src 10.88.0.2',
    '   └─ veth mpclient0001 (ifindex 4 @if2) ↔ eth0 (ifindex 2 @if4) pod client',
    '      ├─ net:[4026532329] 10.88.0.3/16 0a:58:0a:58:00:03',
    '      ├─ pause pid 300',
    '      ├─ shell pid 301',
    '      └─ routes: default via 10.88.0.1 dev eth0 proto boot; 10.88.0.0/16 dev eth0 proto kernel src 10.88.0.3',
    '',
    'routes (node)',
    '  10.88.0.0/16 dev minipod0 proto kernel src 10.88.0.1',
    '',
    'nat (nft table ip minipod)',
    '  (none)',
    '',
    'does not fit',
    '  (nothing)',
    '',
  ].join('\n'));
});

test('the same kernel gives the same text, whatever order the records come in', (t) => {
  const facts = twoPods();
  const reversed = { ...facts, pods: [...facts.pods].reverse(), node: { ...facts.node, net: { ...facts.node.net, links: [...facts.node.net.links].reverse() } } };
  t.is(renderText(buildTopology(reversed)), renderText(buildTopology(facts)));
});

test('other pids in a sandbox (an app\'s children) are listed apart from the pause and the apps', (t) => {
  const facts = twoPods();
  facts.pids[WEB_NS] = [200, 201, 202, 250, 249];
  const topo = buildTopology(facts);
  t.deepEqual(topo.pods.find((p) => p.name === 'web')!.others, [249, 250]);
  t.regex(renderText(topo), /│  ├─ other pids 249 250\n/);
});

test('a veth on the bridge whose other end is no pod\'s eth0 is a stray, marked in the tree and listed', (t) => {
  const facts = twoPods();
  facts.node.net.links.push(
    { ifindex: 5, ifname: 'stray1', link: 'stray0', address: 'ee:00:00:00:00:05', linkinfo: { info_kind: 'veth' } },
    { ifindex: 6, ifname: 'stray0', link: 'stray1', master: 'minipod0', address: 'ee:00:00:00:00:06', linkinfo: { info_kind: 'veth' } },
  );
  const topo = buildTopology(facts);
  t.deepEqual(topo.misfits, [{ kind: 'stray-veth', pod: null, subject: 'link:stray0', message: "veth stray0 (ifindex 6 @if5) is on minipod0 but is no pod's (no eth0 is its other end, no record names it)" }]);
  const text = renderText(topo);
  t.regex(text, /└─ veth stray0 \(ifindex 6 @if5\) {2}✗ no pod\n/);
  t.regex(text, /├─ veth stray1 \(ifindex 5 @if6\) ee:00:00:00:00:05\n/); // off the bridge: a node link
  t.regex(text, /does not fit\n {2}✗ stray-veth {5}veth stray0/);
});

test('an app whose network namespace is not its pause\'s is marked', (t) => {
  const facts = twoPods();
  facts.pods[0]!.kernel.containers[1]!.netns = 'net:[4026539999]';
  const topo = buildTopology(facts);
  t.deepEqual(topo.misfits, [{ kind: 'app-netns', pod: 'web', subject: 'container:web/bootcamp', message: `web/bootcamp pid 202 is in net:[4026539999], not in its pause's ${WEB_NS}` }]);
  t.regex(renderText(topo), /bootcamp pid 202 in net:\[4026539999\] {2}✗ see below\n/);
});

/** The record-kernel misfits of pod web once `change` has altered its facts. */
function recordKernel(change: (f: ReturnType<typeof twoPods>) => void): string[] {
  const facts = twoPods();
  change(facts);
  const misfits = buildTopology(facts).misfits;
  return misfits.map((m) => `${m.kind} ${m.subject}: ${m.message}`);
}

test('record and kernel disagreeing on the network namespace, the pause, eth0, IP, MAC or veth: each is said', (t) => {
  t.deepEqual(recordKernel((f) => (f.pods[0]!.record.sandbox!.netns = 'net:[4026530000]')), [`record-kernel pod:web: pod web: record says net:[4026530000], kernel says ${WEB_NS} (pause pid 200)`]);
  t.deepEqual(recordKernel((f) => Object.assign(f.pods[0]!.kernel, { pauseNetns: null, net: null })), [`record-kernel pod:web: pod web: record says pause pid 200 holds ${WEB_NS}; kernel: no such process`]);
  t.deepEqual(recordKernel((f) => (f.pods[0]!.record.ip = '10.88.0.9')), ['record-kernel pod:web: pod web: record says IP 10.88.0.9/16, kernel has 10.88.0.2/16 on eth0']);
  t.deepEqual(recordKernel((f) => (f.pods[0]!.record.mac = '0a:58:0a:58:00:99')), ['record-kernel pod:web: pod web: record says MAC 0a:58:0a:58:00:99, kernel says 0a:58:0a:58:00:02 on eth0']);
  t.deepEqual(recordKernel((f) => (f.pods[0]!.record.sandbox!.hostVeth = 'mpgone0000001')), ["record-kernel pod:web: pod web: record says veth mpgone0000001; kernel: no such link on the node (eth0's other end is mpweb0000001)"]);
  t.deepEqual(recordKernel((f) => (f.pods[0]!.record.sandbox!.hostVeth = 'mpclient0001')), ['record-kernel pod:web: pod web: record says veth mpclient0001, kernel pairs eth0 with mpweb0000001']);
  t.deepEqual(recordKernel((f) => delete f.node.net.links[2]!.master), ['record-kernel pod:web: pod web: record says veth mpweb0000001 on minipod0, kernel: its master is none']);
  t.deepEqual(recordKernel((f) => f.pods[0]!.kernel.net!.links.pop()), [`record-kernel pod:web: pod web: record says eth0 in ${WEB_NS}; kernel: no eth0 in ${WEB_NS}`]);
  t.deepEqual(recordKernel((f) => (f.pods[1]!.kernel.containers[0]!.netns = null)), ['record-kernel container:client/shell: record says client/shell runs as pid 301; kernel: no such process']);
});

test('a pod without eth0 on any bridge is drawn apart, with what the kernel has of it', (t) => {
  const facts = twoPods();
  facts.pods[1]!.kernel.net!.links.pop();
  const text = renderText(buildTopology(facts));
  t.regex(text, /pods not wired to a bridge\n {2}pod client \(Running\) {2}✗ see below\n {2}├─ net:\[4026532329\]\n {2}├─ pause pid 300\n/);
  t.regex(text, /└─ veth mpclient0001 \(ifindex 4 @if2\) {2}✗ pod client's by its record, see below\n/);
  t.true(text.includes(`✗ record-kernel  pod client: record says eth0 in ${CLIENT_NS}; kernel: no eth0 in ${CLIENT_NS}`));
});

test('a pod with no sandbox (Stopped) is listed without pids and is no misfit', (t) => {
  const facts = twoPods();
  const client = facts.pods[1]!;
  client.phase = 'Stopped';
  client.record.sandbox = null;
  client.record.containers = [];
  client.kernel = { pauseNetns: null, net: null, containers: [] };
  facts.node.net.links.pop();
  const topo = buildTopology(facts);
  t.deepEqual(topo.misfits, []);
  t.regex(renderText(topo), /pods not wired to a bridge\n {2}pod client \(Stopped\), no sandbox in the kernel\n\n/);
});

test('routes are drawn as dst via gw dev, whatever they lead to (a route to another node\'s pods)', (t) => {
  const facts = twoPods();
  facts.node.net.routes.push({ dst: '10.88.1.0/24', gateway: '192.168.77.2', dev: 'up0' });
  t.regex(renderText(buildTopology(facts)), /routes \(node\)\n {2}10\.88\.0\.0\/16 dev minipod0 proto kernel src 10\.88\.0\.1\n {2}10\.88\.1\.0\/24 via 192\.168\.77\.2 dev up0\n/);
});

test('the veth of a sandbox being built is no stray: the record names it', (t) => {
  const facts = twoPods();
  const client = facts.pods[1]!;
  Object.assign(client, { phase: 'Pending', kernel: { pauseNetns: null, net: null, containers: [] } });
  Object.assign(client.record, { sandbox: null, buildingVeth: 'mpclient0001', containers: [] });
  t.deepEqual(buildTopology(facts).misfits, []);
});
