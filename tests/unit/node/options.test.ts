import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { clusterNodeDir, memberDir, nodePaths } from '../../../lib/node-paths.js';
import { checkNetworkKept, checkOptions, daemonEnv, daemonFlags } from '../../../lib/node/options.js';

test('a node keeps --oci-runtime in node.json and passes it to its daemon', (t) => {
  t.deepEqual(checkOptions({ ociRuntime: 'crun' }, 'flags'), { ociRuntime: 'crun' });
  t.deepEqual(daemonFlags({ ociRuntime: 'crun', subnet: '10.9.0.0/16' }), ['--subnet', '10.9.0.0/16', '--oci-runtime', 'crun']);
  t.deepEqual(daemonFlags({}), [], 'unset: the daemon\'s default (runc)');
});

test('a bad --oci-runtime is refused naming the flag; in node.json, naming the file and field', (t) => {
  t.throws(() => checkOptions({ ociRuntime: 'kata' }, 'flags'), { message: /^--oci-runtime "kata": give runc or crun/ });
  t.throws(() => checkOptions({ ociRuntime: 7 as unknown as string }, '/n/node.json'), { message: /^\/n\/node\.json: ociRuntime 7: give runc or crun/ });
});

test('a cluster member keeps its place in node.json; its daemon reaches the cluster\'s pods and the other nodes without NAT', (t) => {
  const cluster = { dir: '/var/lib/minipod-cluster', index: 2, size: 3 };
  t.deepEqual(checkOptions({ subnet: '10.88.2.0/24', cluster }, '/c/node-2/node.json'), { subnet: '10.88.2.0/24', cluster });
  t.deepEqual(daemonFlags({ cluster }), ['--node-name', 'node-2', '--non-masquerade-cidrs', '10.88.0.0/16,192.0.2.11/32,192.0.2.13/32']);
});

test('a malformed cluster place in node.json is refused naming the file and the shape', (t) => {
  for (const cluster of [{ dir: 'rel', index: 1, size: 1 }, { dir: '/c', index: 3, size: 2 }, { dir: '/c', index: 1, size: 51 }, 'node-1']) {
    t.throws(() => checkOptions({ cluster } as never, '/c/node-1/node.json'), { message: /^\/c\/node-1\/node\.json: cluster must be \{"dir": "\/absolute\/cluster\/dir", "index": N, "size": M\} with 1 <= N <= M <= 50/ }, JSON.stringify(cluster));
  }
});

test('--node names a cluster node as node-N; anything else, or a node that is not there, is a clear error', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-cluster-unit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(memberDir(dir, 1));
  await writeFile(nodePaths(memberDir(dir, 1)).optionsFile, '{}\n');
  t.deepEqual(clusterNodeDir('node-1', dir), { dir: path.join(dir, 'node-1') });
  t.deepEqual(clusterNodeDir('node-2', dir), { problem: `--node node-2: no such node in the cluster in ${dir} (start one with \`minipod cluster start\`, or give --cluster-dir)` });
  for (const bad of ['node-0', 'node-01', 'web', '../node-1']) t.regex((clusterNodeDir(bad, dir) as { problem: string }).problem, /name a cluster node as node-1, node-2/, bad);
});

test('the daemon\'s environment is ours without NODE_EXTRA_CA_CERTS (none of its TLS connections checks certificates; Node would read the bundle at each start)', (t) => {
  t.deepEqual(daemonEnv({ PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', MINIPOD_LOG_LEVEL: 'debug', UNSET: undefined }), { PATH: '/usr/bin', MINIPOD_LOG_LEVEL: 'debug' });
});

test('a node with pod records keeps its subnet and bridge: another is refused naming the flag, what the pods use and what to do; the same, or none, passes', (t) => {
  const saved = { subnet: '10.9.0.0/16' };
  t.throws(() => checkNetworkKept(saved, { subnet: '10.99.0.0/16' }, 3, '/n'), { message: /^--subnet 10\.99\.0\.0\/16: the node in \/n has 3 pod record\(s\) on subnet 10\.9\.0\.0\/16, .*leave --subnet out .*minipod rm -f/ });
  t.throws(() => checkNetworkKept(saved, { bridge: 'br9' }, 1, '/n'), { message: /^--bridge br9: the node in \/n has 1 pod record\(s\) on bridge minipod0,/ }, 'the default bridge is what the pods use');
  t.throws(() => checkNetworkKept({}, { subnet: '10.1.0.0/16' }, 1, '/n'), { message: /on subnet 10\.88\.0\.0\/16/ }, 'the default subnet too');
  t.notThrows(() => checkNetworkKept(saved, { subnet: '10.9.7.1/16', bridge: 'minipod0' }, 3, '/n'), 'the same network, written otherwise');
  t.notThrows(() => checkNetworkKept(saved, {}, 3, '/n'));
  t.notThrows(() => checkNetworkKept(saved, { subnet: '10.99.0.0/16', bridge: 'br9' }, 0, '/n'), 'no pod: anything goes');
});
