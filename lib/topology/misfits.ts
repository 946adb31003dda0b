// What does not fit, in three kinds: a veth on a bridge that is no pod's (no eth0 is its other
// end, no record names it);
// an app whose network namespace is not its pause's; a pod whose record and kernel disagree
// (the record says pause/netns/veth/IP/MAC X, the kernel says Y or nothing). Pure.
import type { PodFacts, TopologyFacts } from './facts.js';
import type { BridgeView, PodView } from './model.js';

export type MisfitKind = 'stray-veth' | 'app-netns' | 'record-kernel';

export interface Misfit {
  kind: MisfitKind;
  pod: string | null;
  /** What to mark in a drawing: "link:NAME", "pod:NAME" or "container:POD/NAME". */
  subject: string;
  message: string;
}

export function findMisfits(facts: TopologyFacts, bridges: readonly BridgeView[], pods: readonly PodView[]): Misfit[] {
  const out: Misfit[] = [];
  // A veth that a record names but whose other end the kernel does not show is that pod's
  // misfit (record-kernel), not a stray.
  const recorded = new Set(pods.map((p) => p.recordedVeth));
  for (const b of bridges) {
    for (const port of b.ports.filter((p) => p.kind === 'veth' && !p.pod && !recorded.has(p.name))) {
      out.push({ kind: 'stray-veth', pod: null, subject: `link:${port.name}`, message: `veth ${port.name} (ifindex ${port.ifindex} @if${port.peerIfindex ?? '?'}) is on ${b.name} but is no pod's (no eth0 is its other end, no record names it)` });
    }
  }
  facts.pods.forEach((p, i) => out.push(...podMisfits(facts, p, pods[i]!)));
  return out;
}

function podMisfits(facts: TopologyFacts, p: PodFacts, view: PodView): Misfit[] {
  const out: Misfit[] = [];
  // A message about the pod as a whole names it; one about a container names it already.
  const add = (kind: MisfitKind, message: string, subject = `pod:${p.name}`) => out.push({ kind, pod: p.name, subject, message: subject.startsWith('pod:') ? `pod ${p.name}: ${message}` : message });
  const sandbox = p.record.sandbox;
  const pauseNetns = p.kernel.pauseNetns;
  for (const c of p.kernel.containers) {
    const subject = `container:${p.name}/${c.name}`;
    if (!c.netns) add('record-kernel', `record says ${p.name}/${c.name} runs as pid ${c.pid}; kernel: no such process`, subject);
    else if (pauseNetns && c.netns !== pauseNetns) add('app-netns', `${p.name}/${c.name} pid ${c.pid} is in ${c.netns}, not in its pause's ${pauseNetns}`, subject);
  }
  if (!sandbox) return out;
  if (!pauseNetns) {
    add('record-kernel', `record says pause pid ${sandbox.pid} holds ${sandbox.netns}; kernel: no such process`);
    return out;
  }
  if (pauseNetns !== sandbox.netns) add('record-kernel', `record says ${sandbox.netns}, kernel says ${pauseNetns} (pause pid ${sandbox.pid})`);
  if (p.record.hostNetwork) {
    if (pauseNetns !== facts.node.netns) add('record-kernel', `hostNetwork: its pause pid ${sandbox.pid} is in ${pauseNetns}, not in the node's ${facts.node.netns ?? '(unknown)'}`);
    return out; // no eth0, no veth
  }
  const nodeLinks = facts.node.net.links;
  const recorded = nodeLinks.find((l) => l.ifname === sandbox.hostVeth);
  if (!view.eth0) {
    add('record-kernel', `record says eth0 in ${sandbox.netns}; kernel: no eth0 in ${pauseNetns}`);
  } else {
    const want = `${p.record.ip}/${p.record.prefix}`;
    if (!view.eth0.addrs.includes(want)) add('record-kernel', `record says IP ${want}, kernel has ${view.eth0.addrs.join(', ') || 'no IPv4 address'} on eth0`);
    if (view.eth0.mac?.toLowerCase() !== p.record.mac.toLowerCase()) add('record-kernel', `record says MAC ${p.record.mac}, kernel says ${view.eth0.mac ?? 'none'} on eth0`);
  }
  if (!recorded) add('record-kernel', `record says veth ${sandbox.hostVeth}; kernel: no such link on the node${view.hostVeth ? ` (eth0's other end is ${view.hostVeth})` : ''}`);
  else if (view.eth0 && view.hostVeth !== sandbox.hostVeth) add('record-kernel', `record says veth ${sandbox.hostVeth}, kernel pairs eth0 with ${view.hostVeth ?? 'no link on the node'}`);
  else if (recorded.master !== p.record.bridge) add('record-kernel', `record says veth ${sandbox.hostVeth} on ${p.record.bridge}, kernel: its master is ${recorded.master ?? 'none'}`);
  return out;
}
