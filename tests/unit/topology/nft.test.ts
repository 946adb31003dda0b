// NAT rules from `nft -j list table ip minipod`: the JSON below is what nft 1.0.6 printed for a
// table with egress masquerade and hostPort DNAT rules (made in a throwaway network namespace).
import test from 'ava';
import { buildTopology } from '../../../lib/topology/model.js';
import { natRules } from '../../../lib/topology/nft.js';
import { renderDot } from '../../../lib/topology/dot.js';
import { renderText } from '../../../lib/topology/text.js';
import { twoPods } from '../../helpers/topology-facts.js';

const saddr = { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { prefix: { addr: '10.88.0.0', len: 16 } } } };
const dport = (port: number) => ({ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: port } });
const local = { match: { op: '==', left: { fib: { result: 'type', flags: ['daddr'] } }, right: 'local' } };
const rule = (chain: string, handle: number, expr: object[]) => ({ rule: { family: 'ip', table: 'minipod', chain, handle, expr } });

const NFT_LIST = {
  nftables: [
    { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
    { table: { family: 'ip', name: 'minipod', handle: 1 } },
    { chain: { family: 'ip', table: 'minipod', name: 'postrouting', handle: 1, type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' } },
    { chain: { family: 'ip', table: 'minipod', name: 'prerouting', handle: 2, type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' } },
    rule('postrouting', 4, [saddr, { match: { op: '==', left: { meta: { key: 'oifname' } }, right: 'up0' } }, { masquerade: null }]),
    rule('postrouting', 5, [saddr, { match: { op: '!=', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: { prefix: { addr: '10.88.0.0', len: 16 } } } }, { counter: { packets: 0, bytes: 0 } }, { masquerade: null }]),
    rule('prerouting', 6, [dport(8080), { dnat: { addr: '10.88.0.2', port: 80 } }]),
    rule('prerouting', 7, [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: '192.168.5.2' } }, dport(9090), { dnat: { addr: '10.88.0.3', port: 8080 } }]),
    rule('prerouting', 8, [local, dport(8081), { dnat: { addr: '10.88.0.4', port: 8080 } }]),
    rule('prerouting', 9, [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: { set: ['up0', 'up1'] } } }, { jump: { target: 'hostports' } }]),
    { rule: { family: 'inet', table: 'other', chain: 'input', handle: 3, expr: [{ accept: null }] } },
  ],
};

test('masquerade and DNAT rules are said as a person reads them, in nft\'s order', (t) => {
  t.deepEqual(natRules(NFT_LIST).map((r) => [r.chain, r.kind, r.summary]), [
    ['postrouting', 'masquerade', 'masquerade 10.88.0.0/16 out up0'],
    ['postrouting', 'masquerade', 'masquerade 10.88.0.0/16 not to 10.88.0.0/16'],
    ['prerouting', 'dnat', 'dnat tcp :8080 → 10.88.0.2:80'],
    ['prerouting', 'dnat', 'dnat tcp 192.168.5.2:9090 → 10.88.0.3:8080'],
    ['prerouting', 'dnat', 'dnat tcp :8081 (node addresses) → 10.88.0.4:8080'],
    ['prerouting', 'other', 'iifname { up0, up1 } jump hostports'],
  ]);
});

test('each rule keeps nft\'s own words too (counters left out)', (t) => {
  t.deepEqual(natRules(NFT_LIST).slice(0, 3).map((r) => r.text), [
    'ip saddr 10.88.0.0/16 oifname up0 masquerade',
    'ip saddr 10.88.0.0/16 ip daddr != 10.88.0.0/16 masquerade',
    'tcp dport 8080 dnat to 10.88.0.2:80',
  ]);
});

test('no table (nft missing, or no NAT set up) is no rules', (t) => {
  t.deepEqual(natRules(null), []);
  t.deepEqual(natRules({ nftables: [{ metainfo: {} }] }), []);
});

test('the rules appear in the text and in the drawing', (t) => {
  const topo = buildTopology({ ...twoPods(), nft: NFT_LIST });
  t.regex(renderText(topo), /nat \(nft table ip minipod\)\n {2}postrouting {2}masquerade 10\.88\.0\.0\/16 out up0\n/);
  t.regex(renderText(topo), / {2}prerouting {3}dnat tcp :8080 → 10\.88\.0\.2:80\n/);
  t.regex(renderDot(topo), /nat \[shape=note, .*label="nft table ip minipod\\npostrouting: masquerade 10\.88\.0\.0\/16 out up0\\n.*\\nprerouting: dnat tcp :8080 → 10\.88\.0\.2:80\\n/);
});

test('minipod\'s own table: the map-lookup rules, then one dnat per hostPort map element (as nft 1.0.6 lists them)', (t) => {
  const mapDnat = (data: string, key: object[]) => ({ dnat: { family: 'ip', addr: { map: { key: { concat: key }, data } } } });
  const l4 = [{ meta: { key: 'l4proto' } }, { payload: { protocol: 'th', field: 'dport' } }];
  const table = {
    nftables: [
      { map: { family: 'ip', name: 'hostports', table: 'minipod', type: ['inet_proto', 'inet_service'], handle: 4, map: 'ipv4_addr . inet_service', elem: [[{ concat: ['tcp', 8080] }, { concat: ['10.88.0.2', 80] }]] } },
      { map: { family: 'ip', name: 'hostports_ip', table: 'minipod', type: ['ipv4_addr', 'inet_proto', 'inet_service'], handle: 5, map: 'ipv4_addr . inet_service', elem: [[{ concat: ['192.0.2.10', 'udp', 53] }, { concat: ['10.88.0.3', 5353] }]] } },
      rule('prerouting', 6, [local, mapDnat('@hostports', l4)]),
      rule('prerouting', 7, [mapDnat('@hostports_ip', [{ payload: { protocol: 'ip', field: 'daddr' } }, ...l4])]),
    ],
  };
  t.deepEqual(natRules(table).map((r) => `${r.kind}: ${r.summary}`), [
    'other: to a node address: dnat by the hostPort map @hostports',
    'other: dnat by the hostPort map @hostports_ip',
    'dnat: dnat tcp :8080 (node addresses) → 10.88.0.2:80',
    'dnat: dnat udp 192.0.2.10:53 → 10.88.0.3:5353',
  ]);
});

test('hostPort\'s masquerades say they follow a hostPort dnat; a flag match reads as nft writes it', (t) => {
  const dnatted = { match: { op: 'in', left: { ct: { key: 'status' } }, right: 'dnat' } };
  const table = {
    nftables: [
      rule('postrouting', 12, [dnatted, { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { prefix: { addr: '127.0.0.0', len: 8 } } } }, { masquerade: null }]),
      rule('postrouting', 13, [dnatted, { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { prefix: { addr: '10.88.0.0', len: 16 } } } }, { match: { op: '==', left: { meta: { key: 'oifname' } }, right: 'minipod0' } }, { masquerade: null }]),
      rule('input', 14, [{ match: { op: '!=', left: { meta: { key: 'iifname' } }, right: 'lo' } }, { match: { op: 'in', left: { ct: { key: 'state' } }, right: 'new' } }, { drop: null }]),
    ],
  };
  t.deepEqual(natRules(table).map((r) => r.summary), ['masquerade 127.0.0.0/8 to a hostPort', 'masquerade 10.88.0.0/16 to a hostPort out minipod0', 'iifname != lo ct state new drop']);
});
