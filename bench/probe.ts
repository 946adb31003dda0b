// Run inside the node's network namespace by the recovery benchmark: on each "go" line, report
// (epoch ms) the first TCP connect to HOST:PORT that succeeds after at least one has failed —
// the pod answering again from its new sandbox, not its old one.
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

for await (const _line of createInterface({ input: process.stdin })) {
  let failed = false;
  for (;;) {
    const ok = await attempt();
    if (ok && failed) break;
    if (!ok) {
      failed = true;
      await new Promise((r) => setTimeout(r, 1));
    }
    else await new Promise((r) => setTimeout(r, 1)); // old apps still answering: keep the CPU for the daemon
  }
  process.stdout.write(`${now()}\n`);
}
