// hostPort bookkeeping (network/hostports.ts) on the fake host: claims collide on protocol and port
// unless both name different addresses; the nft elements a pod's ports make; publish, unpublish
// (idempotent) and the daemon start's sync as nft transactions; which listed elements no pod owns. Serial: the fake host is global.
import test, { type ExecutionContext } from 'ava';
import { elements, HostPorts, staleElements } from '../../../lib/network/hostports.js';
import { FakeHost } from '../../../lib/os/fake.js';
import { useHost } from '../../../lib/os/host.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { validRecord } from '../../helpers/record.js';

type Port = { containerPort: number; protocol: 'TCP' | 'UDP'; hostPort?: number; hostIP?: string };

function pod(name: string, uid: string, ip: string, ports: Port[]): PodRecord {
  const r = validRecord('/state', name);
  r.uid = uid;
  r.ip = ip;
  r.manifest.spec.containers[0]!.ports = ports;
  return r;
}

function nftInputs(t: ExecutionContext): string[] {
  const fake = new FakeHost();
  const inputs: string[] = [];
  const restore = useHost(Object.assign(fake, { run: async (argv: readonly string[], o?: { input?: string }) => {
    inputs.push(`${argv.join(' ')}\n${o?.input ?? ''}`);
    return argv.includes('list') ? '{"nftables": []}' : '';
  } }), { ...fake.tools, nft: '/usr/sbin/nft' });
  t.teardown(restore);
  return inputs;
}

test('a port taken on every address collides with any other on it; two different hostIPs do not', (t) => {
  const ports = new HostPorts();
  ports.claim(pod('web', 'u1', '10.88.0.2', [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }]));
  t.throws(() => ports.claim(pod('b', 'u2', '10.88.0.3', [{ containerPort: 80, protocol: 'TCP', hostPort: 8080, hostIP: '192.0.2.10' }])), { message: 'hostPort TCP/8080 on 192.0.2.10 is already published by pod web: choose another hostPort (or hostIP), or remove pod web' });
  t.notThrows(() => ports.claim(pod('udp', 'u3', '10.88.0.4', [{ containerPort: 53, protocol: 'UDP', hostPort: 8080 }])), 'another protocol');
  ports.claim(pod('one', 'u4', '10.88.0.5', [{ containerPort: 80, protocol: 'TCP', hostPort: 9090, hostIP: '192.0.2.10' }]));
  t.notThrows(() => ports.claim(pod('two', 'u5', '10.88.0.6', [{ containerPort: 80, protocol: 'TCP', hostPort: 9090, hostIP: '10.88.0.1' }])));
  ports.release(pod('web', 'u1', '10.88.0.2', []));
  t.notThrows(() => ports.claim(pod('b', 'u2', '10.88.0.3', [{ containerPort: 80, protocol: 'TCP', hostPort: 8080, hostIP: '192.0.2.10' }])), 'free once released');
});

test('elements: protocol . port for every address, address . protocol . port for a hostIP, each to podIP . port', (t) => {
  t.deepEqual(elements([{ hostIP: null, protocol: 'TCP', hostPort: 8080, containerPort: 80 }, { hostIP: '192.0.2.10', protocol: 'UDP', hostPort: 53, containerPort: 5353 }], '10.88.0.2'), [
    { map: 'hostports', key: 'tcp . 8080', value: '10.88.0.2 . 80' },
    { map: 'hostports_ip', key: '192.0.2.10 . udp . 53', value: '10.88.0.2 . 5353' },
  ]);
});

test.serial('publish adds, unpublish adds then deletes in one transaction (so it cannot fail on a missing one), sync refills both maps', async (t) => {
  const inputs = nftInputs(t);
  const ports = new HostPorts();
  const web = pod('web', 'u1', '10.88.0.2', [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }]);
  await ports.publish(web);
  await ports.unpublish(web);
  await ports.sync([web, { ...pod('gone', 'u2', '', [{ containerPort: 80, protocol: 'TCP', hostPort: 9090 }]), phase: 'Stopped' }]);
  t.deepEqual(inputs, [
    '/usr/sbin/nft -f -\nadd element ip minipod hostports { tcp . 8080 : 10.88.0.2 . 80 }\n',
    '/usr/sbin/nft -f -\nadd element ip minipod hostports { tcp . 8080 : 10.88.0.2 . 80 }\ndelete element ip minipod hostports { tcp . 8080 }\n',
    '/usr/sbin/nft -f -\nflush map ip minipod hostports\nflush map ip minipod hostports_ip\nadd element ip minipod hostports { tcp . 8080 : 10.88.0.2 . 80 }\n',
  ]);
  t.throws(() => ports.claim(pod('b', 'u3', '10.88.0.3', [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }])), { message: /already published by pod web/ }, 'sync took the running pods\' claims');
  t.notThrows(() => ports.claim(pod('c', 'u4', '10.88.0.4', [{ containerPort: 80, protocol: 'TCP', hostPort: 9090 }])), 'a stopped pod holds none');
});

test('stale elements: one no pod owns says which pod IP it points at and why; a key a pod owns with another value names the pod', (t) => {
  const web = pod('web', 'u1', '10.88.0.2', [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }]);
  const bare = pod('bare', 'u2', '10.88.0.3', []);
  const listed = [
    { map: 'hostports' as const, key: 'tcp . 8080', value: '10.88.0.2 . 80' },
    { map: 'hostports' as const, key: 'tcp . 9999', value: '10.88.0.250 . 80' },
    { map: 'hostports_ip' as const, key: '192.0.2.10 . tcp . 81', value: '10.88.0.3 . 80' },
    { map: 'hostports' as const, key: 'tcp . 8080', value: '10.88.0.9 . 80' },
  ];
  t.deepEqual(staleElements(listed, [web, bare]), [
    { element: listed[1]!, why: 'no pod has pod IP 10.88.0.250' },
    { element: listed[2]!, why: 'pod bare has pod IP 10.88.0.3 but publishes no hostPort 192.0.2.10 . tcp . 81 to port 80' },
    { element: listed[3]!, why: 'pod web publishes this key to 10.88.0.2 . 80, not to pod IP 10.88.0.9', owner: listed[0]! },
  ]);
  t.deepEqual(staleElements(listed.slice(0, 1), [{ ...web, phase: 'Stopped' }]).length, 1, 'a stopped pod owns none');
});

test.serial('list reads both maps from nft\'s JSON; removeStale deletes one and puts the owner\'s back in one transaction', async (t) => {
  const inputs: string[] = [];
  const ports = new HostPorts();
  const fake = new FakeHost();
  const json = (elem: unknown[]) => JSON.stringify({ nftables: [{ metainfo: {} }, { map: { name: 'x', elem } }] });
  const answers = [json([[{ concat: ['tcp', 9999] }, { concat: ['10.88.0.250', 80] }]]), json([])];
  const restore = useHost(Object.assign(fake, { run: async (argv: readonly string[], o?: { input?: string }) => {
    inputs.push(`${argv.join(' ')}\n${o?.input ?? ''}`);
    return argv.includes('-j') ? answers.shift()! : '';
  } }), { ...fake.tools, nft: '/usr/sbin/nft' });
  t.teardown(restore);
  t.deepEqual(await ports.list(), [{ map: 'hostports', key: 'tcp . 9999', value: '10.88.0.250 . 80' }]);
  await ports.removeStale({ element: { map: 'hostports', key: 'tcp . 8080', value: '10.88.0.9 . 80' }, owner: { map: 'hostports', key: 'tcp . 8080', value: '10.88.0.2 . 80' } });
  t.deepEqual(inputs, [
    '/usr/sbin/nft -j list map ip minipod hostports\n',
    '/usr/sbin/nft -j list map ip minipod hostports_ip\n',
    '/usr/sbin/nft -f -\nadd element ip minipod hostports { tcp . 8080 : 10.88.0.9 . 80 }\ndelete element ip minipod hostports { tcp . 8080 }\nadd element ip minipod hostports { tcp . 8080 : 10.88.0.2 . 80 }\n',
  ]);
});

test.serial('maps made empty (a daemon start): listed and synced without nft; asked from the start\'s sync on', async (t) => {
  const inputs = nftInputs(t);
  const ports = new HostPorts({ madeEmpty: true });
  t.deepEqual(await ports.list(), [], 'the start\'s orphan search');
  await ports.sync([pod('plain', 'u1', '10.88.0.2', [{ containerPort: 80, protocol: 'TCP' }])]);
  t.deepEqual(inputs, [], 'no pod publishes a port: nothing to flush or add');
  await ports.list();
  t.is(inputs.length, 2, 'a later list (gc) asks nft for both maps: an element added by hand is found');
});

test.serial('maps made empty: a sync with mappings writes them, and the maps are asked from then on', async (t) => {
  const inputs = nftInputs(t);
  const ports = new HostPorts({ madeEmpty: true });
  await ports.sync([pod('web', 'u1', '10.88.0.2', [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }])]);
  t.is(inputs.length, 1);
  await ports.list();
  t.is(inputs.length, 3);
});
