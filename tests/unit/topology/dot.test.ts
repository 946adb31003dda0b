// The Graphviz source: a cluster for the node and one per sandbox, a veth pair an edge between
// its two ends, misfits in red; labels quoted so any name is safe.
import test from 'ava';
import { parseIpBatch } from '../../../lib/topology/facts.js';
import { renderDot } from '../../../lib/topology/dot.js';
import { buildTopology } from '../../../lib/topology/model.js';
import { twoPods } from '../../helpers/topology-facts.js';

test('the node and each sandbox are clusters; each veth pair joins its host end to the pod\'s eth0', (t) => {
  const dot = renderDot(buildTopology(twoPods()));
  t.true(dot.startsWith('digraph minipod {\n') && dot.endsWith('}\n'));
  t.regex(dot, /subgraph cluster_node \{\n {4}label="node net:\[4026531001\]"/);
  t.regex(dot, /subgraph cluster_pod_0 \{\n {4}label="pod client {2}net:\[4026532329\]"/);
  t.regex(dot, /subgraph cluster_pod_1 \{\n {4}label="pod web {2}net:\[4026532254\]"/);
  t.regex(dot, /"link:3" -> "eth0:web" \[label="veth pair"/);
  t.regex(dot, /"link:4" -> "eth0:client" \[label="veth pair"/);
  t.regex(dot, /"eth0:web" \[label="eth0\\nifindex 2 @if3\\n10\.88\.0\.2\/16\\n0a:58:0a:58:00:02"/);
  t.regex(dot, /"pid:web:pause" \[shape=ellipse, label="pause\\npid 200"\]/);
  t.regex(dot, /"pid:web:bootcamp" \[shape=ellipse, label="bootcamp\\npid 202"\]/);
  t.false(dot.includes('#c62828'), 'nothing is red when everything fits');
  t.is((dot.match(/\{/g) ?? []).length, (dot.match(/\}/g) ?? []).length);
});

test('a stray veth and a misplaced app are red, and the misfits are listed in a note', (t) => {
  const facts = twoPods();
  facts.node.net.links.push({ ifindex: 6, ifname: 'stray0', link_index: 9, master: 'minipod0', linkinfo: { info_kind: 'veth' } });
  facts.pods[0]!.kernel.containers[0]!.netns = 'net:[4026539999]';
  const dot = renderDot(buildTopology(facts));
  t.regex(dot, /"link:6" \[label="veth stray0\\nifindex 6 @if9", color="#c62828"/);
  t.regex(dot, /"pid:web:httpd" \[shape=ellipse, label="httpd\\npid 201\\nin net:\[4026539999\]", color="#c62828"/);
  t.regex(dot, /misfits \[shape=note.*stray-veth: veth stray0.*\\napp-netns: web\/httpd pid 201/);
});

test('quotes and backslashes in names cannot break out of a label', (t) => {
  const facts = twoPods();
  facts.pods[0]!.name = 'we"b\\';
  t.regex(renderDot(buildTopology(facts)), /label="pod we\\"b\\\\ {2}net:/);
});

test('ip -j -batch output (one JSON array per command) splits into links and routes', (t) => {
  const net = parseIpBatch('[{"ifindex":1,"ifname":"lo"}]\n[{"dst":"default","gateway":"10.88.0.1","dev":"eth0"}]\n');
  t.deepEqual(net, { links: [{ ifindex: 1, ifname: 'lo' }], routes: [{ dst: 'default', gateway: '10.88.0.1', dev: 'eth0' }] });
  t.deepEqual(parseIpBatch('[]\n[]\n'), { links: [], routes: [] });
});
