// spawn on the fake host (fake.ts): what finally runs once cgexec (its cgroup), nsenter (the
// target's namespaces) and unshare (new ones) are unwrapped, and rootfs/shim, whose child runs
// the rest. The process table, journal and exit listeners are the host's.
import { writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import type { FakeHost } from './fake.js';
import { FakeProc, type FakeProcess } from './fake-proc.js';
import type { NsKind, Proc, SpawnOptions } from './types.js';

export function fakeSpawn(host: FakeHost, argv: readonly string[], options: SpawnOptions): Proc {
  if (path.basename(argv[0]!) === 'shim') return spawnShim(host, argv, options);
  let rest = [...argv];
  let cgroup = '/';
  const ns: Partial<Record<NsKind, string>> = {};
  if (path.basename(rest[0]!) === 'cgexec') [cgroup, rest] = [rest[1] === '-' ? cgroup : rest[1]!.split(':')[0]!, rest.slice(2)]; // the unified one first; "-": none
  if (path.basename(rest[0]!) === 'nsenter') {
    const target = host.procs.get(Number(rest.find((a) => a.startsWith('--target='))?.slice(9)));
    const flags = rest.slice(1, rest.indexOf('--'));
    rest = rest.slice(rest.indexOf('--') + 1);
    if (!target || target.state === 'Z') return failedSpawn(host, argv, options);
    for (const [flag, kind] of [['--net', 'net'], ['--uts', 'uts'], ['--ipc', 'ipc'], ['--mount', 'mnt']] as const) if (flags.includes(flag)) ns[kind] = target.ns[kind];
  }
  if (path.basename(rest[0]!) === 'unshare') {
    const flags = rest.slice(1, rest.indexOf('--'));
    rest = rest.slice(rest.indexOf('--') + 1);
    if (flags.includes('--net')) ns.net = host.newNs('net');
    if (flags.includes('--mount')) ns.mnt = host.newNs('mnt');
  }
  const name = path.basename(rest[0]!);
  host.journal.push(`spawn ${[name, ...rest.slice(1)].join(' ')}`);
  const p = host.add({ argv: rest, ns, cgroup });
  host.spawned.push({ argv, env: options.env, cwd: options.cwd, pid: p.pid });
  const handle = new FakeProc(p.pid, host, options.stdio);
  p.handle = handle;
  host.programs.get(name)?.(p, handle, host);
  return handle;
}

/**
 * rootfs/shim: its child runs the rest (-p: the child's pid told on the shim's stdout first;
 * -s: the child leads a group of its own; -r PID_FILE is skipped; -l changes nothing: no fake
 * writes log records); the child's end is written to STATUS_FILE (if it can
 * be) and becomes the shim's (128+N for signal N). SIGTERM does not end the shim; its death
 * leaves the child running.
 */
function spawnShim(host: FakeHost, argv: readonly string[], options: SpawnOptions): Proc {
  const args = argv.slice(1);
  const flags = new Set<string>();
  while (args[0]?.startsWith('-')) {
    const flag = args.shift()!;
    flags.add(flag);
    if (flag === '-r') args.shift(); // its PID_FILE: no fake runtime detaches
  }
  const newSession = flags.has('-s');
  const [statusFile, ...program] = args;
  host.journal.push('spawn shim');
  const shim = host.add({ argv: [...argv] });
  shim.ignoresTerm = true;
  host.spawned.push({ argv, env: options.env, cwd: options.cwd, pid: shim.pid });
  const handle = new FakeProc(shim.pid, host, options.stdio);
  shim.handle = handle;
  const child = host.procs.get(host.spawn(program, options).pid!)!;
  Object.assign(child, { ppid: shim.pid, pgid: newSession ? child.pid : shim.pid });
  if (flags.has('-p')) setImmediate(() => handle.stdout?.write(`${child.pid}\n`));
  const listener = (q: FakeProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (q === shim) {
      child.ppid = 1; // orphaned: the init's now
      return void host.exitListeners.delete(listener);
    }
    if (q !== child) return;
    host.exitListeners.delete(listener);
    try {
      writeFileSync(statusFile!, signal ? `signal ${constants.signals[signal]}\n` : `code ${code}\n`);
    } catch {
      // its directory could not be made: the exit code alone tells
    }
    setImmediate(() => host.exit(shim, signal ? 128 + constants.signals[signal] : code, null));
  };
  host.exitListeners.add(listener);
  return handle;
}

/** nsenter into a process that is gone: it exits 1 at once. */
function failedSpawn(host: FakeHost, argv: readonly string[], options: SpawnOptions): Proc {
  host.journal.push(`spawn-failed ${argv.map((a) => path.basename(a)).join(' ')}`);
  const p = host.add({ argv: [...argv] });
  host.spawned.push({ argv, env: options.env, cwd: options.cwd, pid: p.pid });
  const handle = new FakeProc(p.pid, host, options.stdio);
  p.handle = handle;
  setImmediate(() => host.exit(p, 1, null));
  return handle;
}
