// The NAT rules of the node, from `nft -j list table ip minipod`: egress masquerade (chain
// postrouting) and hostPort DNAT (prerouting, output), each said the way a person reads it.
// Any other rule is kept too, in nft's own words, so nothing in the table goes unseen.

export const NFT_TABLE = { family: 'ip', name: 'minipod' } as const;

export interface NatRule {
  chain: string;
  kind: 'masquerade' | 'dnat' | 'snat' | 'other';
  /** In a person's words: "masquerade 10.88.0.0/16 out up0", "dnat tcp :8080 → 10.88.0.2:80". */
  summary: string;
  /** The rule as nft lists it (roughly): its matches and its verdict. */
  text: string;
}

type Expr = Record<string, any>;

/**
 * The rules of table ip minipod in the order nft lists them, then one per hostPort mapping (an
 * element of its maps `hostports` / `hostports_ip`, network/hostports.ts); [] for no table (null).
 */
export function natRules(nft: unknown): NatRule[] {
  const items = (nft as { nftables?: Expr[] } | null)?.nftables ?? [];
  const ours = (o: Expr | undefined) => !!o && o.table === NFT_TABLE.name && o.family === NFT_TABLE.family;
  const rules = items
    .map((i) => i.rule as { table?: string; family?: string; chain: string; expr?: Expr[] } | undefined)
    .filter((r): r is NonNullable<typeof r> => ours(r))
    .map((r) => describe(r.chain, r.expr ?? []));
  const maps = items.map((i) => i.map as { name: string; elem?: Expr[][] } | undefined).filter((m): m is NonNullable<typeof m> => ours(m));
  return [...rules, ...maps.flatMap((m) => (m.elem ?? []).map((e) => mapping(m.name, e)))];
}

/** A hostPort map element: [proto . port | addr . proto . port, podIP . port]. */
function mapping(map: string, [key, value]: Expr[]): NatRule {
  const k = (key?.concat ?? []) as (string | number)[];
  const [addr, proto, port] = k.length === 3 ? k : [undefined, ...k];
  const to = ((value?.concat ?? []) as (string | number)[]).join(':');
  const from = `${proto} ${addr ?? ''}:${port}${addr ? '' : ' (node addresses)'}`;
  return { chain: 'prerouting, output', kind: 'dnat', summary: `dnat ${from} → ${to}`, text: `element of @${map}: ${k.join(' . ')} : ${to.replace(':', ' . ')}` };
}

function describe(chain: string, expr: Expr[]): NatRule {
  const text = expr.map(exprText).filter(Boolean).join(' ');
  const matches = new Map<string, { op: string; value: string }>();
  for (const e of expr) if (e.match) matches.set(leftText(e.match.left), { op: e.match.op, value: valueText(e.match.right) });
  const eq = (key: string) => (matches.get(key)?.op === '==' ? matches.get(key)!.value : undefined);
  const ne = (key: string) => (matches.get(key)?.op === '!=' ? matches.get(key)!.value : undefined);
  const verdict = expr.find((e) => 'masquerade' in e || e.dnat || e.snat);
  if (verdict && 'masquerade' in verdict) {
    const dnatted = matches.get('ct status')?.value === 'dnat'; // hostPort's localhost and hairpin masquerades (network/hostport-rules.ts)
    const parts = [eq('ip saddr') ?? 'any', dnatted && 'to a hostPort', eq('oifname') && `out ${eq('oifname')}`, ne('oifname') && `out not ${ne('oifname')}`, ne('ip daddr') && `not to ${ne('ip daddr')}`];
    return { chain, kind: 'masquerade', summary: `masquerade ${parts.filter(Boolean).join(' ')}`, text };
  }
  if (verdict?.dnat?.addr?.map) return { chain, kind: 'other', summary: `${eq('fib daddr type') === 'local' ? 'to a node address: ' : ''}dnat by the hostPort map @${String(verdict.dnat.addr.map.data).replace(/^@/, '')}`, text };
  if (verdict?.dnat || verdict?.snat) {
    const kind = verdict.dnat ? 'dnat' : 'snat';
    const target = verdict.dnat ?? verdict.snat;
    const to = `${valueText(target.addr)}${target.port !== undefined ? `:${valueText(target.port)}` : ''}`;
    const proto = ['tcp', 'udp', 'sctp'].find((p) => matches.has(`${p} dport`));
    const port = proto ? eq(`${proto} dport`) : undefined;
    const local = eq('fib daddr type') === 'local' ? ' (node addresses)' : '';
    const from = `${proto ?? ''} ${eq('ip daddr') ?? ''}${port !== undefined ? `:${port}` : ''}${local}`.trim();
    return { chain, kind, summary: `${kind} ${from} → ${to}`, text };
  }
  return { chain, kind: 'other', summary: text, text };
}

function leftText(left: Expr): string {
  if (left.payload) return `${left.payload.protocol} ${left.payload.field}`;
  if (left.meta) return left.meta.key;
  if (left.fib) return `fib ${(left.fib.flags ?? []).join(' . ')} ${left.fib.result}`;
  if (left.ct) return `ct ${left.ct.key}`;
  return JSON.stringify(left);
}

function valueText(v: unknown): string {
  if (v === null || typeof v !== 'object') return String(v);
  const o = v as Expr;
  if (o.prefix) return `${o.prefix.addr}/${o.prefix.len}`;
  if (o.set) return `{ ${(o.set as unknown[]).map(valueText).join(', ')} }`;
  if (o.range) return (o.range as unknown[]).map(valueText).join('-');
  return JSON.stringify(v);
}

function exprText(e: Expr): string {
  if (e.match) return `${leftText(e.match.left)} ${['==', 'in'].includes(e.match.op) ? '' : `${e.match.op} `}${valueText(e.match.right)}`; // 'in': a flag of a bitmask (ct state new)
  if ('masquerade' in e) return 'masquerade';
  for (const verb of ['dnat', 'snat'] as const) {
    if (e[verb]?.addr?.map) return `${verb} to map @${String(e[verb].addr.map.data).replace(/^@/, '')}`;
    if (e[verb]) return `${verb} to ${valueText(e[verb].addr)}${e[verb].port !== undefined ? `:${valueText(e[verb].port)}` : ''}`;
  }
  if ('counter' in e) return '';
  if (e.jump) return `jump ${e.jump.target}`;
  return Object.keys(e).join(' ');
}
