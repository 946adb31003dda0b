// What a container's bundle holds besides config.json, and the container as the pod sees it: the
// id rule every path is built from, the shim's status file and how it is read, the pod's
// resolv.conf, and the last line the runtime wrote before failing.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import type { Watchable } from '../process/exit.js';
import type { OciRuntimeName } from './oci-runtimes.js';

/** What start() names a container: POD-NAME-8 alphanumerics (a path component, never "." or ".."). */
export const BUNDLE_ID = /^[a-z0-9][a-z0-9-]*-[A-Za-z0-9]{8}$/;
/** The shim's status file: written once the container has exited (rootfs/shim). */
export const EXIT_FILE = 'exit';
/** Which OCI runtime the bundle is for ("runc\n" / "crun\n"): gc sorts bundles by it. */
export const RUNTIME_FILE = 'runtime';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The container as the pod sees it: its PID 1's pid, and the exit the shim reports for it. */
export class OciContainer extends EventEmitter implements Watchable {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  exited = false;
  /** With pid, its identity (stopProcess checks a pid still there after SIGKILL against it). */
  startTime: string | undefined;
  /** Set before 'exit' when the kernel's OOM killer ended a process of the container. */
  oomKilled = false;

  /** A re-adopted container: the watcher's process, which `stop` signals and whose exit ends this one. */
  adopted?: Watchable;

  constructor(readonly runtime: OciRuntimeName, readonly id: string, public pid: number | undefined) {
    super();
  }

  /** Called once the container has exited and the bundle is gone. */
  ended(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
  }
}

/** How the container ended, as the shim wrote it ("code N" / "signal N"); undefined while it runs or if nothing was kept. */
export async function readExitStatus(file: string): Promise<ExitStatus | undefined> {
  const m = /^(code|signal) (\d+)\n$/.exec(await readFile(file, 'utf8').catch(() => ''));
  if (!m) return undefined;
  const n = Number(m[2]);
  return m[1] === 'signal' ? { code: null, signal: signalName(n) ?? 'SIGKILL' } : { code: n, signal: null };
}

/** The node's nameservers, as kubelet's dnsPolicy Default gives a pod. */
export async function nodeResolvConf(): Promise<string> {
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  return text.split('\n').filter((l) => /^(nameserver|search|options)\s/.test(l)).join('\n') + '\n';
}

export async function lastLine(file: string): Promise<string> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n');
  return text[text.length - 1] || 'no output';
}

function signalName(n: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as [NodeJS.Signals, number][]).find(([, v]) => v === n)?.[0];
}
