// hostPort: a container port published on the node, as the CNI portmap plugin does. Packets to
// the node's own address (or to `hostIP`, if given) on HOSTPORT are DNATed to POD_IP:PORT, in
// prerouting (from outside the node) and in output (from the node itself). The mappings are
// elements of two nft maps in the node's `ip minipod` table (network/egress.ts makes it): adding
// or removing a pod's is one transaction, and the kernel itself refuses a second mapping for the
// same key. A pod keeps its IP across sandbox recreation, so its mappings stay as they are.
//
// Which pod holds which port is known here first: `claim`, before anything of a pod is made, is
// where a port already taken is refused (naming the pod that holds it); the claim is dropped when
// the pod stops. `sync`, at daemon start, rebuilds both maps from the records in one transaction.
// What is in the maps that no pod publishes (a hand-made element, a daemon killed between two
// steps while its successor has not started yet) is found by `stale`; `gc` lists and removes it.
import { MinipodError } from '../errors.js';
import { run, tools } from '../os/host.js';
import type { PodRecord } from '../pod/types.js';
import { NAT_TABLE } from './egress.js';

export interface HostPort {
  /** null: every address of the node. */
  hostIP: string | null;
  protocol: 'TCP' | 'UDP';
  hostPort: number;
  containerPort: number;
}

export function hostPortsOf(r: PodRecord): HostPort[] {
  if (r.manifest.spec.hostNetwork) return []; // its process binds the node's port itself: nothing to DNAT
  return r.manifest.spec.containers.flatMap((c) => c.ports.filter((p) => p.hostPort).map((p) => ({ hostIP: p.hostIP ?? null, protocol: p.protocol, hostPort: p.hostPort!, containerPort: p.containerPort })));
}

const show = (p: HostPort) => `${p.protocol}/${p.hostPort} on ${p.hostIP ?? 'every node address'}`;
/** Two mappings collide on one protocol and port if either is for every address, or both for the same one. */
const collide = (a: HostPort, b: HostPort) => a.protocol === b.protocol && a.hostPort === b.hostPort && (!a.hostIP || !b.hostIP || a.hostIP === b.hostIP);

const MAPS = ['hostports', 'hostports_ip'] as const;

/** One element of the maps: `KEY : podIP . port`, in `hostports` (every address) or `hostports_ip`. */
export interface MapElement {
  map: (typeof MAPS)[number];
  key: string;
  value: string;
}

export function elements(ports: HostPort[], podIP: string): MapElement[] {
  return ports.map((p) => ({ map: p.hostIP ? 'hostports_ip' : 'hostports', key: `${p.hostIP ? `${p.hostIP} . ` : ''}${p.protocol.toLowerCase()} . ${p.hostPort}`, value: `${podIP} . ${p.containerPort}` }));
}

/**
 * The pods whose mappings stand: an address, not stopped, not being removed (a removal the last
 * daemon did not finish may name an address it released, and another pod may have it now).
 */
const mapped = (r: PodRecord) => !!r.ip && r.phase !== 'Stopped' && !r.deletionTimestamp;

/** The elements the records own: those of every pod that has an address and is not stopped. */
function owned(records: PodRecord[]): { element: MapElement; pod: string }[] {
  return records.filter(mapped).flatMap((r) => elements(hostPortsOf(r), r.ip).map((element) => ({ element, pod: r.name })));
}

export interface StaleElement {
  element: MapElement;
  /** Why no pod owns it, with the pod IP it points at. */
  why: string;
  /** The element a pod publishes under the same key, put back when the stale one goes. */
  owner?: MapElement;
}

/** The listed elements no record owns (pure). */
export function staleElements(listed: MapElement[], records: PodRecord[]): StaleElement[] {
  const mine = owned(records);
  const same = (a: MapElement, b: MapElement) => a.map === b.map && a.key === b.key;
  return listed
    .filter((e) => !mine.some((o) => same(o.element, e) && o.element.value === e.value))
    .map((element) => {
      const [ip, port] = element.value.split(' . ');
      const owner = mine.find((o) => same(o.element, element));
      const holder = records.find((r) => r.ip === ip && r.phase !== 'Stopped');
      const why = owner
        ? `pod ${owner.pod} publishes this key to ${owner.element.value}, not to pod IP ${ip}`
        : holder ? `pod ${holder.name} has pod IP ${ip} but publishes no hostPort ${element.key} to port ${port}` : `no pod has pod IP ${ip}`;
      return { element, why, ...(owner ? { owner: owner.element } : {}) };
    });
}

/** One statement per map that has elements: `add` them with their values, or `delete` them by key. */
function statements(verb: 'add' | 'delete', elems: MapElement[]): string[] {
  return MAPS.flatMap((m) => {
    const mine = elems.filter((e) => e.map === m).map((e) => (verb === 'add' ? `${e.key} : ${e.value}` : e.key));
    return mine.length ? [`${verb} element ip ${NAT_TABLE} ${m} { ${mine.join(', ')} }`] : [];
  });
}

export class HostPorts {
  private readonly claims = new Map<string, { pod: string; ports: HostPort[] }>(); // by pod uid
  /**
   * madeEmpty: the maps were just made, empty (the daemon's start makes the NAT table afresh:
   * egress.ts). Until the start's sync they are known to be empty without asking nft: a restart's
   * orphan search and sync then spawn no nft for a node whose pods publish nothing. From then on
   * they are asked (`gc` finds an element added by hand).
   */
  private empty: boolean;

  constructor(opts: { madeEmpty?: boolean } = {}) {
    this.empty = opts.madeEmpty ?? false;
  }

  /** Reserve the pod's hostPorts, or refuse naming the pod that holds one; nothing is changed then. */
  claim(r: PodRecord): void {
    const ports = hostPortsOf(r);
    if (!ports.length) return;
    for (const [uid, held] of this.claims) {
      if (uid === r.uid) continue;
      const taken = ports.find((p) => held.ports.some((q) => collide(p, q)));
      if (taken) throw new MinipodError('ALREADY_EXISTS', `hostPort ${show(taken)} is already published by pod ${held.pod}: choose another hostPort (or hostIP), or remove pod ${held.pod}`);
    }
    this.claims.set(r.uid, { pod: r.name, ports });
  }

  release(r: PodRecord): void {
    this.claims.delete(r.uid);
  }

  /** DNAT the pod's hostPorts to its IP. */
  async publish(r: PodRecord): Promise<void> {
    this.empty = false; // before: a list meanwhile asks nft
    await nft(statements('add', elements(hostPortsOf(r), r.ip)));
  }

  /** Remove the pod's mappings; idempotent (each element is added, then deleted, in one transaction). */
  async unpublish(r: PodRecord): Promise<void> {
    const e = elements(hostPortsOf(r), r.ip);
    await nft([...statements('add', e), ...statements('delete', e)]);
  }

  /** At daemon start: the claims and both maps, exactly those of the pods that have an address. */
  async sync(records: PodRecord[]): Promise<void> {
    this.claims.clear();
    for (const r of records.filter(mapped)) this.claims.set(r.uid, { pod: r.name, ports: hostPortsOf(r) });
    const add = statements('add', owned(records).map((o) => o.element));
    const known = this.empty;
    this.empty = false;
    if (known && !add.length) return;
    await nft([...MAPS.map((m) => `flush map ip ${NAT_TABLE} ${m}`), ...add]);
  }

  /** Every element of both maps, as the kernel has them. */
  async list(): Promise<MapElement[]> {
    const out: MapElement[] = [];
    if (this.empty) return out;
    for (const map of MAPS) {
      const json = JSON.parse(await run([tools().nft!, '-j', 'list', 'map', 'ip', NAT_TABLE, map])) as { nftables: { map?: { elem?: [unknown, unknown][] } }[] };
      const elems = json.nftables.flatMap((o) => o.map?.elem ?? []);
      out.push(...elems.map(([key, value]) => ({ map, key: words(key), value: words(value) })));
    }
    return out;
  }

  /** Remove a stale element, and put back the pod's own under its key if there is one: one transaction. */
  async removeStale(s: Pick<StaleElement, 'element' | 'owner'>): Promise<void> {
    await nft([...statements('add', [s.element]), ...statements('delete', [s.element]), ...statements('add', s.owner ? [s.owner] : [])]);
  }
}

/** nft's JSON of a concatenation ({"concat": ["tcp", 8080]}) as `tcp . 8080`. */
const words = (v: unknown): string => ((v as { concat?: unknown[] }).concat ?? [v]).map(String).join(' . ');

async function nft(lines: string[]): Promise<void> {
  if (lines.length) await run([tools().nft!, '-f', '-'], { input: `${lines.join('\n')}\n` });
}
