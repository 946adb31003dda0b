// Hand-written kernel facts for lib/topology's unit tests: a node with its bridge and two pods,
// web (two apps) and client (one), each wired by a veth pair, as `ip -j -d addr` shows them.
import type { IpLink, PodFacts, TopologyFacts } from '../../lib/topology/facts.js';

export const NODE_NS = 'net:[4026531001]';
export const WEB_NS = 'net:[4026532254]';
export const CLIENT_NS = 'net:[4026532329]';

const inet = (local: string, prefixlen: number) => ({ family: 'inet', local, prefixlen, scope: 'global' });

export function nodeLinks(): IpLink[] {
  return [
    { ifindex: 1, ifname: 'lo', address: '00:00:00:00:00:00', addr_info: [inet('127.0.0.1', 8)] },
    { ifindex: 2, ifname: 'minipod0', address: '0a:58:0a:58:00:01', linkinfo: { info_kind: 'bridge' }, addr_info: [inet('10.88.0.1', 16)] },
    { ifindex: 3, ifname: 'mpweb0000001', link_index: 2, link_netnsid: 0, master: 'minipod0', address: 'aa:00:00:00:00:03', linkinfo: { info_kind: 'veth' } },
    { ifindex: 4, ifname: 'mpclient0001', link_index: 2, link_netnsid: 1, master: 'minipod0', address: 'aa:00:00:00:00:04', linkinfo: { info_kind: 'veth' } },
  ];
}

/** A sandbox's lo and eth0, eth0 being the other end of node ifindex `hostIfindex`. */
export function sandboxLinks(hostIfindex: number, ip: string, mac: string): IpLink[] {
  return [
    { ifindex: 1, ifname: 'lo', address: '00:00:00:00:00:00', addr_info: [inet('127.0.0.1', 8)] },
    { ifindex: 2, ifname: 'eth0', link_index: hostIfindex, link_netnsid: 0, address: mac, linkinfo: { info_kind: 'veth' }, addr_info: [inet(ip, 16)] },
  ];
}

function pod(name: string, netns: string, hostVeth: string, hostIfindex: number, n: number, apps: [string, number][]): PodFacts {
  const ip = `10.88.0.${n}`;
  const mac = `0a:58:0a:58:00:0${n}`;
  return {
    name,
    phase: 'Running',
    record: { ip, prefix: 16, mac, bridge: 'minipod0', sandbox: { pid: n * 100, netns, hostVeth }, containers: apps.map(([c, pid]) => ({ name: c, pid, state: 'Running' })) },
    kernel: {
      pauseNetns: netns,
      net: { links: sandboxLinks(hostIfindex, ip, mac), routes: [{ dst: 'default', gateway: '10.88.0.1', dev: 'eth0', protocol: 'boot' }, { dst: '10.88.0.0/16', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: ip }] },
      containers: apps.map(([c, pid]) => ({ name: c, pid, netns })),
    },
  };
}

/** web (httpd 201, bootcamp 202; pause 200) and client (shell 301; pause 300), all in order. */
export function twoPods(): TopologyFacts {
  return {
    node: { netns: NODE_NS, bridge: 'minipod0', net: { links: nodeLinks(), routes: [{ dst: '10.88.0.0/16', dev: 'minipod0', protocol: 'kernel', scope: 'link', prefsrc: '10.88.0.1' }] } },
    pods: [pod('web', WEB_NS, 'mpweb0000001', 3, 2, [['httpd', 201], ['bootcamp', 202]]), pod('client', CLIENT_NS, 'mpclient0001', 4, 3, [['shell', 301]])],
    pids: { [WEB_NS]: [200, 201, 202], [CLIENT_NS]: [300, 301] },
    nft: null,
  };
}
