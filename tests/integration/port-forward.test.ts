// `minipod port-forward` (issue 12, CLI point 6): the daemon listens in its node's network
// namespace for as long as the CLI runs, and joins each connection to 127.0.0.1:REMOTE inside the
// pod (rootfs/portfwd), so a server bound to the pod's loopback only is reachable from the node by
// real TCP; several connections, two at once, `:REMOTE` picks a free port; ending the CLI closes
// the listener (connection refused) and leaves no process; bad input is refused with a clear line.
import { readdir, readFile } from 'node:fs/promises';
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { assertNodeEmpty, CLI, curl, startTestNode, type TestNode } from '../helpers/node.js';

let node: TestNode;

// Loopback only: reachable from the node through port-forward, never through the pod's IP.
const HTTP = `require('http').createServer((q, s) => s.end('hello from the pod ' + q.url)).listen(8080, '127.0.0.1')`;
// Answers each connection once it has read all the client sent (its half-close): the upper-cased text.
const ECHO = `require('net').createServer({ allowHalfOpen: true }, (c) => { let t = ''; c.on('data', (d) => (t += d)); c.on('end', () => c.end(t.toUpperCase())); }).listen(9000, '127.0.0.1')`;

test.before(async () => {
  node = await startTestNode();
  await node.api.request('POST', '/pods', {
    metadata: { name: 'lo' },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'http', command: [process.execPath, '-e', HTTP] }, { name: 'echo', command: [process.execPath, '-e', ECHO] }] },
  });
  const ready = await waitUntil(async () => {
    const listening = await node.cli(['exec', 'lo', '--', 'cat', '/proc/net/tcp']);
    return /:1F90 00000000:0000 0A/.test(listening.stdout) && /:2328 00000000:0000 0A/.test(listening.stdout); // 8080 and 9000 listening
  }, { timeoutMs: 20_000, everyMs: 100 });
  if (!ready) throw new Error('the pod lo never listened on 8080 and 9000');
});
test.after.always(async () => {
  await node?.cli(['rm', '-f', 'lo', 'stopped']);
  await node?.dispose();
});

interface Forward {
  proc: ResultPromise;
  lines: string[];
  /** Resolves with the first stdout line matching re. */
  line(re: RegExp): Promise<string>;
}

function portForward(...args: string[]): Forward {
  const proc = execa(process.execPath, [CLI, 'port-forward', ...args], { env: { MINIPOD_SOCKET: node.socket }, reject: false, timeout: 60_000, buffer: false });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let rest = '';
  proc.stdout!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
    waiters.splice(0).forEach((w) => w());
  });
  const line = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line ${re} from port-forward: ${lines.join(' | ')}`)), 15_000);
      const check = () => {
        const found = lines.find((l) => re.test(l));
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  return { proc, lines, line };
}

/** portfwd helpers still running for this node's daemon (each connection's). */
async function helpers(): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (cmd.includes('rootfs/portfwd/portfwd') && ppid === node.pid) found.push(Number(entry));
  }
  return found;
}

/** Two connections to the echo port open at once from the node: each gets its own answer. */
const PAIR = (port: number) => `
const net = require('net');
const sockets = [];
const one = (text) => new Promise((resolve, reject) => {
  const c = net.connect(${port}, '127.0.0.1', () => { sockets.push(c); c.write(text); if (sockets.length === 2) sockets.forEach((s) => s.end()); });
  let got = ''; c.on('data', (d) => (got += d)); c.on('end', () => resolve(got)); c.on('error', reject);
});
Promise.all([one('first'), one('second')]).then((r) => console.log(r.join(' ')), (e) => { console.error(e.message); process.exit(1); });
`;

test.serial('8080:8080 and 19000:9000: real TCP from the node reaches servers bound to the pod\'s 127.0.0.1, several connections and a concurrent pair; ending the CLI closes the listeners and leaves no process', async (t) => {
  const pod = await node.api.request<PodRecord>('GET', '/pods/lo');
  const direct = await curl(node, `http://${pod.ip}:8080/`);
  t.not(direct.exitCode, 0, 'the server is on the pod\'s loopback only: not reachable through its IP');
  const fwd = portForward('lo', '8080', '19000:9000');
  t.is(await fwd.line(/-> 8080$/), 'Forwarding from 127.0.0.1:8080 -> 8080');
  t.is(await fwd.line(/-> 9000$/), 'Forwarding from 127.0.0.1:19000 -> 9000');
  for (const path of ['/a', '/b', '/c']) {
    const r = await curl(node, `http://127.0.0.1:8080${path}`);
    t.is(r.exitCode, 0, r.stderr);
    t.is(r.stdout, `hello from the pod ${path}`);
  }
  const pair = await node.sh([process.execPath, '-e', PAIR(19000)]);
  t.is(pair.exitCode, 0, pair.stderr);
  t.is(pair.stdout.trim(), 'FIRST SECOND', 'both connections open at once, each answered on its own');
  t.is(fwd.lines.filter((l) => l === 'Handling connection for 8080').length, 3);
  t.is(fwd.lines.filter((l) => l === 'Handling connection for 19000').length, 2);
  t.true(await waitUntil(async () => (await helpers()).length === 0, { timeoutMs: 20_000, everyMs: 50 }), 'each connection\'s helper ends with it');
  // A connection still open when the CLI ends: its helper goes too.
  const held = node.sh([process.execPath, '-e', `require('net').connect(19000, '127.0.0.1'); setTimeout(() => {}, 8000)`]);
  t.true(await waitUntil(async () => (await helpers()).length === 1, { timeoutMs: 10_000, everyMs: 50 }), 'the held connection has its helper');
  fwd.proc.kill('SIGINT');
  const ended = await fwd.proc;
  t.is(ended.exitCode, 0);
  t.true(await waitUntil(async () => (await curl(node, 'http://127.0.0.1:8080/')).exitCode === 7, { timeoutMs: 10_000, everyMs: 100 }), 'connection refused once the CLI is gone');
  t.is((await curl(node, 'http://127.0.0.1:19000/')).exitCode, 7);
  t.true(await waitUntil(async () => (await helpers()).length === 0, { timeoutMs: 10_000, everyMs: 50 }), `no helper left: ${await helpers()}`);
  await held;
});

test.serial(':8080 listens on a free local port and prints it; a CLI killed outright (SIGKILL) closes it too', async (t) => {
  const fwd = portForward('lo', ':8080');
  const line = await fwd.line(/^Forwarding from/);
  const m = /^Forwarding from 127\.0\.0\.1:(\d+) -> 8080$/.exec(line);
  t.truthy(m, line);
  const port = Number(m![1]);
  t.true(port > 0 && port !== 8080);
  const r = await curl(node, `http://127.0.0.1:${port}/free`);
  t.is(r.stdout, 'hello from the pod /free', r.stderr);
  fwd.proc.kill('SIGKILL');
  await fwd.proc;
  t.true(await waitUntil(async () => (await curl(node, `http://127.0.0.1:${port}/`)).exitCode === 7, { timeoutMs: 10_000, everyMs: 100 }));
});

test.serial('a remote port nothing listens on: the connection is closed and the CLI says why, and goes on', async (t) => {
  const fwd = portForward('lo', '18081:81');
  await fwd.line(/-> 81$/);
  const stderr: string[] = [];
  fwd.proc.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const r = await curl(node, 'http://127.0.0.1:18081/');
  t.not(r.exitCode, 0);
  t.true(await waitUntil(async () => /error forwarding 18081 -> 81: failed to connect to localhost:81 inside the pod: Connection refused/.test(stderr.join('')), { timeoutMs: 20_000, everyMs: 50 }), stderr.join(''));
  t.is(fwd.proc.exitCode, null, 'still forwarding');
  fwd.proc.kill('SIGINT');
  await fwd.proc;
});

test.serial('refused with a clear line and a non-zero exit: a bad port, an unknown pod, a pod not running, a local port in use', async (t) => {
  const bad = await node.cli(['port-forward', 'lo', '80:http']);
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /port "80:http": remote port "http" is not a port number \(1-65535\); expected \[LOCAL:\]REMOTE/);
  const missing = await node.cli(['port-forward', 'nope', '8080']);
  t.is(missing.exitCode, 1);
  t.regex(missing.stderr, /pod nope not found/i);
  await node.api.request('POST', '/pods', { metadata: { name: 'stopped' }, spec: { containers: [{ name: 's', command: ['sleep', '100'] }] } });
  await node.cli(['stop', 'stopped']);
  const stopped = await node.cli(['port-forward', 'stopped', '8080']);
  t.is(stopped.exitCode, 1);
  t.regex(stopped.stderr, /pod stopped is \w+: port-forward needs a Running pod/);
  const first = portForward('lo', '18082:8080');
  await first.line(/-> 8080$/);
  const second = await node.cli(['port-forward', 'lo', '18082:8080']);
  t.is(second.exitCode, 1);
  t.is(second.stderr, 'minipod: cannot listen on 127.0.0.1:18082: the port is in use (choose another local port, or give :REMOTE for a free one)\n');
  t.is((await curl(node, 'http://127.0.0.1:18082/still')).stdout, 'hello from the pod /still', 'the first one is untouched');
  first.proc.kill('SIGINT');
  await first.proc;
});

test.serial('completion offers the running daemon\'s pod names where a verb takes a pod, and only there', async (t) => {
  const complete = async (...words: string[]) => (await node.cli(['--get-yargs-completions', 'minipod', ...words])).stdout.split('\n').filter(Boolean);
  t.true((await complete('port-forward', '')).includes('lo'));
  t.true((await complete('logs', 'l')).includes('lo'));
  t.true((await complete('describe', 'pod', '')).includes('lo'));
  t.false((await complete('run', '')).includes('lo'));
  t.false((await complete('port-forward', 'lo', '')).includes('lo'), 'after the pod come ports');
});

test.serial('the node is empty after the pods are removed', async (t) => {
  await node.cli(['rm', '-f', 'lo', 'stopped']);
  t.deepEqual(await helpers(), []);
  await assertNodeEmpty(t, node);
});
