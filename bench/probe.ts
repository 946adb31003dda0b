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
    s.setTimeout(20, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

for await (const _line of createInterface({ input: process.stdin })) {
  let failed = false;
  for (;;) {
    const ok = await attempt();
    if (ok && failed) break;
    if (!ok) failed = true;
    else await new Promise((r) => setTimeout(r, 0.5));
  }
  process.stdout.write(`${now()}\n`);
}
