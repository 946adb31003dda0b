// The programs of the fake host (fake.ts), speaking the line protocols of the real ones:
// the pause holder (rootfs/pause/pause.c), `ip -force -batch -` (os/ip-batch.ts) and pidwatch
// (rootfs/pidwatch/pidwatch.c). Any other program sleeps until it is signalled.
import { createInterface } from 'node:readline';
import { constants } from 'node:os';
import type { FakeHost } from './fake.js';
import { fakeMount, fakeTopMount, fakeUmount } from './fake-mounts.js';
import { ipLinkLine } from './fake-links.js';
import type { FakeProc, FakeProcess } from './fake-proc.js';

/** Runs when `p` is spawned; `io` is its handle (stdin/stdout as the spawner asked). */
export type Program = (p: FakeProcess, io: FakeProc, host: FakeHost) => void;

const lines = (io: FakeProc, onLine: (line: string) => void) => io.stdin && createInterface({ input: io.stdin }).on('line', onLine);

/**
 * `pause -n`: new net, uts and ipc namespaces, "ns"; then "unbind PATH" lines (every nsfs mount at
 * PATH goes, "unbound"), a config line, "ready"; then "bind PATH" lines, each a bind mount of its
 * network namespace (fake-mounts.ts), "bound", undone when a SIGTERM ends it (a line that
 * host.pauseHolds holds is answered once it lets go). `pause -i`
 * (hostNetwork): a new ipc namespace, "ns", no config. Plain `pause` (joined by nsenter) only waits.
 */
const pause: Program = (p, io, host) => {
  if (p.argv.includes('-i')) {
    p.ns = { ...p.ns, ipc: host.newNs('ipc') };
    setImmediate(() => p.state !== 'Z' && io.stdout?.write('ns\n'));
    return;
  }
  if (!p.argv.includes('-n')) return;
  p.ns = { ...p.ns, net: host.newNs('net'), uts: host.newNs('uts'), ipc: host.newNs('ipc') };
  setImmediate(() => p.state !== 'Z' && io.stdout?.write('ns\n'));
  const bound: string[] = [];
  let configured = false;
  // On SIGTERM/SIGINT it unmounts each path it bound that still holds its namespace, then exits.
  const onExit = (q: FakeProcess, _code: number | null, signal: NodeJS.Signals | null) => {
    if (q !== p) return;
    host.exitListeners.delete(onExit);
    if (signal !== 'SIGTERM' && signal !== 'SIGINT') return;
    for (const target of bound) if (fakeTopMount(host, target)?.includes(` ${p.ns.net} `)) {
      host.journal.push(`pause ${p.pid} unmounts ${target}`);
      fakeUmount(host, ['umount', '--lazy', target]);
    }
  };
  host.exitListeners.add(onExit);
  const answer = (line: string) => {
    if (p.state === 'Z') return;
    if (line.startsWith('unbind ') && !configured) {
      host.journal.push(`pause ${p.pid} ${line}`);
      const target = line.slice(7);
      while (fakeTopMount(host, target)?.includes(' - nsfs ')) fakeUmount(host, ['umount', '--lazy', target]);
      return void io.stdout?.write('unbound\n');
    }
    if (!line.startsWith('bind ')) {
      if (configured) return void io.stdout?.write(`error request: ${line}\n`); // the real one exits 1 too
      configured = true;
      host.journal.push(`pause ${p.pid} configure ${line}`);
      return void io.stdout?.write('ready\n');
    }
    host.journal.push(`pause ${p.pid} ${line}`);
    try {
      bound.push(line.slice(5));
      fakeMount(host, ['mount', '--bind', `/proc/${p.pid}/ns/net`, line.slice(5)]);
      io.stdout?.write('bound\n');
    } catch (err) {
      io.stdout?.write(`error ${(err as Error).message}\n`);
    }
  };
  lines(io, (line) => {
    const hold = host.pauseHolds(line);
    if (hold) void hold.then(() => answer(line));
    else answer(line);
  });
};

/**
 * `ip -force -batch -`: each line is journaled as "ip LINE"; a failing one (host.ipFails) and the
 * marker report "Command failed -:N"; a held one (host.ipHolds) holds up the lines after it. Host
 * links made and deleted are kept in host.links (fake-links.ts).
 */
const ip: Program = (p, io, host) => {
  if (!p.argv.includes('-batch')) return;
  let n = 0;
  let held: Promise<void> | undefined; // while a line is held, later ones queue behind it
  const answer = (line: string) => {
    n++;
    if (line === 'link show dev minipod-batch-marker') return void io.stderr?.write(`Device does not exist.\nCommand failed -:${n}\n`);
    host.journal.push(`ip ${line}`);
    const failure = host.ipFails(line);
    if (failure) return void io.stderr?.write(`${failure}\nCommand failed -:${n}\n`);
    ipLinkLine(host, line);
  };
  lines(io, (line) => {
    const hold = host.ipHolds(line);
    if (!hold && !held) return answer(line);
    const mine: Promise<void> = (held ?? Promise.resolve()).then(() => hold).then(() => answer(line)).finally(() => held === mine && (held = undefined));
    held = mine;
  });
};

/** pidwatch: "watch PID STARTTIME" (journaled as "pidwatch watch …") → "exit PID …" when it ends, or "gone PID"; "ping T" → "pong T". */
const pidwatch: Program = (p, io, host) => {
  const watched = new Set<number>();
  const listener = (q: FakeProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (q === p) return void host.exitListeners.delete(listener);
    if (!watched.delete(q.pid)) return;
    io.stdout?.write(signal ? `exit ${q.pid} signal ${constants.signals[signal]}\n` : `exit ${q.pid} code ${code}\n`);
  };
  host.exitListeners.add(listener);
  lines(io, (line) => {
    if (p.state === 'T' || p.state === 'Z') return; // a stopped pidwatch answers nothing
    const [verb, a, b] = line.split(' ');
    if (verb === 'ping') return void io.stdout?.write(`pong ${a}\n`);
    if (verb !== 'watch') return;
    host.journal.push(`pidwatch ${line}`);
    const q = host.procs.get(Number(a));
    if (!q || q.state === 'Z' || q.startTime !== b) return void io.stdout?.write(`gone ${a}\n`);
    watched.add(q.pid);
  });
};

export const PROGRAMS: Record<string, Program> = { pause, ip, pidwatch };
