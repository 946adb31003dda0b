// The topology as a tree a terminal shows: node → bridge → veth host end ↔ eth0 in net:[inode]
// → pause and app pids; then the routes, the NAT rules and what does not fit. Stable order
// (links by ifindex, pods by name), so two drawings of the same node are the same text.
import type { LinkView, PodView, RouteView, Topology } from './model.js';

interface Tree {
  label: string;
  children?: Tree[];
}

export const MARK = '✗';

function lines(t: Tree, prefix = '', last = true, root = true): string[] {
  const head = root ? t.label : `${prefix}${last ? '└─ ' : '├─ '}${t.label}`;
  const inner = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
  const kids = t.children ?? [];
  return [head, ...kids.flatMap((k, i) => lines(k, inner, i === kids.length - 1, false))];
}

export const routeText = (r: RouteView): string => [r.dst, r.via && `via ${r.via}`, r.dev && `dev ${r.dev}`, r.proto && `proto ${r.proto}`, r.src && `src ${r.src}`].filter(Boolean).join(' ');

const link = (l: LinkView) => `${l.kind === 'veth' ? 'veth ' : l.kind === 'bridge' ? 'bridge ' : ''}${l.name} (ifindex ${l.ifindex}${l.peerIfindex !== null ? ` @if${l.peerIfindex}` : ''})`;
const addrs = (l: { addrs: string[]; mac: string | null }) => [...l.addrs, l.mac].filter(Boolean).join(' ');

export function renderText(topo: Topology): string {
  const marked = new Set(topo.misfits.map((m) => m.subject));
  const mark = (subject: string, why: string) => (marked.has(subject) ? `  ${MARK} ${why}` : '');
  const pods = [...topo.pods].sort((a, b) => a.name.localeCompare(b.name));
  const byName = new Map(pods.map((p) => [p.name, p]));
  const port = (l: LinkView): Tree => {
    const pod = l.pod ? byName.get(l.pod) : undefined;
    const owner = pods.find((p) => p.recordedVeth === l.name);
    if (!pod) return { label: `${link(l)}${owner ? mark(`pod:${owner.name}`, `pod ${owner.name}'s by its record, see below`) : mark(`link:${l.name}`, 'no pod')}` };
    return { label: `${link(l)} ↔ eth0 (ifindex ${pod.eth0!.ifindex} @if${pod.eth0!.peerIfindex}) pod ${pod.name}${mark(`pod:${pod.name}`, 'see below')}`, children: sandbox(pod, mark) };
  };
  const nodeTree: Tree = {
    label: `node ${topo.node.netns ?? '(namespace unknown)'}`,
    children: [
      ...[...topo.node.links].sort((a, b) => a.ifindex - b.ifindex).map((l) => ({ label: `${link(l)} ${addrs(l)}`.trimEnd() })),
      ...topo.bridges.map((b) => ({ label: `${link(b)} ${addrs(b)}`, children: [...b.ports].sort((x, y) => x.ifindex - y.ifindex).map(port) })),
    ],
  };
  const wired = new Set(topo.bridges.flatMap((b) => b.ports.map((p) => p.pod)));
  const loose = pods.filter((p) => !wired.has(p.name));
  const out = lines(nodeTree);
  if (loose.length) {
    out.push('', 'pods not wired to a bridge');
    for (const p of loose) out.push(...lines({ label: `pod ${p.name} (${p.phase})${p.netns ? '' : ', no sandbox in the kernel'}${mark(`pod:${p.name}`, 'see below')}`, children: sandbox(p, mark) }).map((l) => `  ${l}`));
  }
  out.push('', 'routes (node)', ...(topo.routes.length ? topo.routes.map((r) => `  ${routeText(r)}`) : ['  (none)']));
  out.push('', 'nat (nft table ip minipod)', ...(topo.rules.length ? topo.rules.map((r) => `  ${r.chain.padEnd(12)} ${r.summary}`) : ['  (none)']));
  out.push('', 'does not fit', ...(topo.misfits.length ? topo.misfits.map((m) => `  ${MARK} ${m.kind.padEnd(14)} ${m.message}`) : ['  (nothing)']));
  return `${out.join('\n')}\n`;
}

function sandbox(p: PodView, mark: (subject: string, why: string) => string): Tree[] {
  if (!p.netns) return [];
  return [
    { label: `${p.netns}${p.hostNetwork ? ' (hostNetwork: the node\'s own, no veth)' : ''}${p.eth0 ? ` ${addrs(p.eth0)}` : ''}` },
    { label: `pause pid ${p.pause}` },
    ...p.containers.map((c) => ({ label: `${c.name} ${c.pid !== null ? `pid ${c.pid}` : '(not running)'}${c.netns && c.netns !== p.netns ? ` in ${c.netns}` : ''}${mark(`container:${p.name}/${c.name}`, 'see below')}` })),
    ...(p.others.length ? [{ label: `other pids ${p.others.join(' ')}` }] : []),
    ...(p.routes.length ? [{ label: `routes: ${p.routes.map(routeText).join('; ')}` }] : []),
  ];
}
