// mount(8) and umount(8) on the fake host (fake.ts): what `mount --bind`, `mount --make-shared`
// and `umount --lazy` do to /proc/self/mountinfo, which is all the pod verbs read back. A bind of
// /proc/PID/ns/net is an nsfs mount of PID's namespace, as the kernel shows it; any other bind is
// a directory onto itself (`ip netns add`'s /run/netns).
import type { FakeHost } from './fake.js';

let nextId = 900;

/** `mount --bind SOURCE TARGET` or `mount --make-shared TARGET`; throws what mount(8) says. */
export function fakeMount(host: FakeHost, argv: readonly string[]): string {
  const [flag, a, b] = argv.slice(1);
  if (flag === '--make-shared') {
    const lines = host.mountinfo.split('\n');
    const i = lastAt(lines, a!);
    if (i < 0) throw new Error(`mount: ${a}: not mount point or bad option.`);
    lines[i] = lines[i]!.replace(' - ', ` shared:${nextId++} - `);
    host.mountinfo = lines.join('\n');
    return '';
  }
  if (flag !== '--bind' || !a || !b) throw new Error(`mount: fake: unexpected arguments ${argv.join(' ')}`);
  const ns = /^\/proc\/(\d+)\/ns\/net$/.exec(a);
  const line = ns ? nsfsLine(host, Number(ns[1]), b) : `${nextId++} 29 0:30 / ${b} rw,nosuid - tmpfs tmpfs rw`;
  host.mountinfo += `${line}\n`;
  return '';
}

function nsfsLine(host: FakeHost, pid: number, target: string): string {
  const p = host.procs.get(pid);
  if (!p || p.state === 'Z') throw new Error(`mount: ${target}: special device /proc/${pid}/ns/net does not exist.`);
  return `${nextId++} 29 0:4 ${p.ns.net} ${target} rw - nsfs nsfs rw`;
}

/** `umount [--lazy] TARGET`: the mount on top at TARGET goes. */
export function fakeUmount(host: FakeHost, argv: readonly string[]): string {
  const target = argv.at(-1)!;
  const lines = host.mountinfo.split('\n').filter(Boolean);
  const i = lastAt(lines, target);
  if (i < 0) throw new Error(`umount: ${target}: not mounted.`);
  lines.splice(i, 1);
  host.mountinfo = lines.map((l) => `${l}\n`).join('');
  return '';
}

/** The mountinfo line of the mount on top at target, if any. */
export function fakeTopMount(host: FakeHost, target: string): string | undefined {
  const lines = host.mountinfo.split('\n');
  return lines[lastAt(lines, target)];
}

/** The index of the last (topmost) mount at target; -1 if none. */
function lastAt(lines: string[], target: string): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.split(' ')[4] === target) return i;
  return -1;
}
