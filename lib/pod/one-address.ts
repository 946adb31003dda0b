// Each address one pod's. Two valid records naming one IP (a hand edit, a record copied under
// another name) would put two sandboxes on the bridge with one address and one MAC, each taking
// the other's traffic. At start the pod that the address's lease names keeps it, else the one
// created first (then by name); every other such record is quarantined, and what it runs is
// removed with the orphans, as for any record that fails its check.
import { keyOf, podTitle } from '../manifest/pod-key.js';
import type { PodRecord } from './types.js';
import { byText } from '../util/order.js';

export interface Refused {
  record: PodRecord;
  issue: string;
}

/** Whose each shared address is; leaseOwner: the uid the address's lease names, if it is read. */
export function oneAddressEach(records: readonly PodRecord[], leaseOwner: (ip: string) => string | undefined): { kept: PodRecord[]; refused: Refused[] } {
  const byIp = new Map<string, PodRecord[]>();
  for (const r of records) {
    if (!r.ip) continue; // Stopped, hostNetwork: no address of its own
    const claims = byIp.get(r.ip);
    if (claims) claims.push(r);
    else byIp.set(r.ip, [r]);
  }
  const refused: Refused[] = [];
  for (const [ip, claims] of byIp) {
    if (claims.length < 2) continue;
    const owner = leaseOwner(ip);
    const leased = (r: PodRecord) => (r.uid === owner ? 0 : 1);
    const [keeper, ...others] = [...claims].sort((a, b) => leased(a) - leased(b) || byText(a.createdAt, b.createdAt) || byText(keyOf(a), keyOf(b)));
    const why = leased(keeper!) === 0 ? 'its lease names it' : 'no lease names either, and it was created first';
    for (const record of others) refused.push({ record, issue: `ip: ${ip} is ${podTitle(keyOf(keeper!))}'s (${why}): one address is one pod's` });
  }
  const out = new Set(refused.map((x) => x.record));
  return { kept: records.filter((r) => !out.has(r)), refused };
}
