// The topology as Graphviz source: the node a cluster holding its bridge and the host ends of
// the veths, each sandbox a cluster (its net:[inode]) holding eth0, the pause and the apps, a
// veth pair an edge between its two ends; routes and NAT rules as notes; misfits in red.
import type { LinkView, PodView, Topology } from './model.js';
import { routeText } from './text.js';

const RED = '#c62828';
/** A double-quoted DOT string: `"` and `\` escaped, lines broken with \n. */
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
/** A DOT identifier from anything. */
const id = (...parts: (string | number)[]) => q(parts.join(':'));

export function renderDot(topo: Topology): string {
  const marked = new Set(topo.misfits.map((m) => m.subject));
  const bad = (subject: string) => (marked.has(subject) ? `, color=${q(RED)}, fontcolor=${q(RED)}, penwidth=2` : '');
  const out = [
    'digraph minipod {',
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=12, label=${q('minipod topology (from the kernel)')}, labelloc=t, nodesep=0.3, ranksep=0.6];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9, dir=none];',
    '  subgraph cluster_node {',
    `    label=${q(`node ${topo.node.netns ?? ''}`)}; style="rounded,filled"; fillcolor="#eef3fb"; color="#7a9cc6";`,
  ];
  for (const l of topo.node.links) out.push(`    ${id('link', l.ifindex)} [label=${q(linkLabel(l))}, fillcolor="#f4f4f4"];`);
  for (const b of topo.bridges) {
    out.push(`    ${id('link', b.ifindex)} [label=${q(linkLabel(b))}, fillcolor="#cfe0fa", shape=box3d];`);
    for (const p of b.ports) {
      out.push(`    ${id('link', p.ifindex)} [label=${q(linkLabel(p))}${bad(`link:${p.name}`)}];`);
      out.push(`    ${id('link', b.ifindex)} -> ${id('link', p.ifindex)} [label="port"];`);
    }
  }
  if (topo.routes.length) out.push(`    routes [shape=note, fillcolor="#fffbe6", label=${q(`routes\n${topo.routes.map(routeText).join('\n')}`)}];`);
  if (topo.rules.length) out.push(`    nat [shape=note, fillcolor="#fffbe6", label=${q(`nft table ip minipod\n${topo.rules.map((r) => `${r.chain}: ${r.summary}`).join('\n')}`)}];`);
  out.push('  }');
  for (const [i, p] of [...topo.pods].sort((a, b) => a.name.localeCompare(b.name)).entries()) out.push(...podCluster(p, i, bad));
  for (const b of topo.bridges) {
    for (const port of b.ports.filter((x) => x.pod)) {
      const pod = topo.pods.find((p) => p.name === port.pod)!;
      out.push(`  ${id('link', port.ifindex)} -> ${id('eth0', pod.name)} [label=${q('veth pair')}, penwidth=2, color="#3f6fb5"];`);
    }
  }
  if (topo.misfits.length) out.push(`  misfits [shape=note, fillcolor="#fdecea", color=${q(RED)}, fontcolor=${q(RED)}, label=${q(`does not fit\n${topo.misfits.map((m) => `${m.kind}: ${m.message}`).join('\n')}`)}];`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

function linkLabel(l: LinkView): string {
  const kind = l.kind === 'bridge' || l.kind === 'veth' ? `${l.kind} ` : '';
  return [`${kind}${l.name}`, `ifindex ${l.ifindex}${l.peerIfindex !== null ? ` @if${l.peerIfindex}` : ''}`, ...l.addrs].join('\n');
}

function podCluster(p: PodView, i: number, bad: (subject: string) => string): string[] {
  const out = [
    `  subgraph cluster_pod_${i} {`,
    `    label=${q(`pod ${p.name}  ${p.netns ?? '(no sandbox)'}`)}; style="rounded,filled"; fillcolor="#eefaea"; color="#6aa15e"${bad(`pod:${p.name}`)};`,
  ];
  const eth0 = p.eth0 ? ['eth0', `ifindex ${p.eth0.ifindex} @if${p.eth0.peerIfindex}`, ...p.eth0.addrs, p.eth0.mac ?? ''] : ['eth0', '(none in the kernel)'];
  out.push(`    ${id('eth0', p.name)} [label=${q(eth0.filter(Boolean).join('\n'))}, fillcolor="#d7f0d0"];`);
  if (p.pause !== null) out.push(`    ${id('pid', p.name, 'pause')} [shape=ellipse, label=${q(`pause\npid ${p.pause}`)}];`);
  for (const c of p.containers) {
    const where = c.netns && c.netns !== p.netns ? `\nin ${c.netns}` : '';
    out.push(`    ${id('pid', p.name, c.name)} [shape=ellipse, label=${q(`${c.name}\n${c.pid !== null ? `pid ${c.pid}` : 'not running'}${where}`)}${bad(`container:${p.name}/${c.name}`)}];`);
  }
  if (p.others.length) out.push(`    ${id('pid', p.name, '+')} [shape=ellipse, style="dashed", label=${q(`other pids\n${p.others.join(' ')}`)}];`);
  // Invisible edges keep the processes to the right of eth0, in one column with the pause on
  // top: with rankdir=LR, a chain within a rank runs bottom-up, hence the reverse.
  const procs = [p.pause !== null ? 'pause' : null, ...p.containers.map((c) => c.name), p.others.length ? '+' : null].filter((n): n is string => n !== null);
  for (const n of procs) out.push(`    ${id('eth0', p.name)} -> ${id('pid', p.name, n)} [style=invis];`);
  if (procs.length > 1) out.push(`    { rank=same; ${procs.reverse().map((n) => id('pid', p.name, n)).join(' -> ')} [style=invis]; }`);
  out.push('  }');
  return out;
}
