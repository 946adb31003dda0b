// Run inside the node's network namespace by the recovery benchmark: on each "go" line, report
// (epoch ms) the first TCP connect to HOST:PORT that succeeds once the old app is known gone: a
// connect has failed since, or the connection held open to the old app (opened before "go") has
// been closed by its death. Either way the answer comes from the new sandbox's app. (A recovery
// can be quicker than this probe gets the CPU, so that no connect of it ever fails.)
import net from 'node:net';
import { createInterface } from 'node:readline';

const [host, port] = [process.argv[2]!, Number(process.argv[3])];
const now = () => performance.timeOrigin + performance.now();

function attempt(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    // Short: a SYN sent while the pod has no veth is lost, and its retransmission waits 1 s.
    s.setTimeout(5, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * A connection held open to the app now answering; `gone` once the app's end closes it. An app
 * that closes idle connections would look gone early: busybox httpd waits far longer for a
 * request than the 200 ms between two kills.
 */
function hold(): Promise<{ gone: () => boolean; drop: () => void }> {
  return new Promise((resolve) => {
    let closed = false;
    const s = net.connect({ host, port });
    s.on('error', () => {});
    s.once('close', () => (closed = true));
    s.once('end', () => (closed = true));
    s.once('connect', () => resolve({ gone: () => closed, drop: () => s.destroy() }));
    s.once('close', () => resolve({ gone: () => false, drop: () => {} })); // never connected: a failed connect must tell
  });
}

let held = await hold();
for await (const _line of createInterface({ input: process.stdin })) {
  let failed = false;
  for (;;) {
    const ok = await attempt();
    if (ok && (failed || held.gone())) break;
    if (!ok) failed = true;
    // old app still answering, or none yet: keep the CPU for the daemon
    await new Promise((r) => setTimeout(r, 1));
  }
  process.stdout.write(`${now()}\n`);
  held.drop();
  held = await hold();
}
