// What a container's bundle holds besides config.json and the shim's files (shim.ts): which
// runtime it is for, the pod's resolv.conf, and the last line the runtime wrote before failing;
// and the container as the pod sees it.
import { readFile } from 'node:fs/promises';
import { parseRecord } from '../logs/cri.js';
import type { OciRuntimeName } from './oci-runtimes.js';
import { ShimmedContainer } from './shim.js';

/** Which OCI runtime the bundle is for ("runc\n" / "crun\n"): gc sorts bundles by it. */
export const RUNTIME_FILE = 'runtime';

/** A container under runc or crun (the router stops it through its runtime, oci.ts). */
export class OciContainer extends ShimmedContainer {
  constructor(readonly runtime: OciRuntimeName, id: string, pid: number | undefined) {
    super(id, pid);
  }
}

/** The node's nameservers, as kubelet's dnsPolicy Default gives a pod. */
export async function nodeResolvConf(): Promise<string> {
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  return text.split('\n').filter((l) => /^(nameserver|search|options)\s/.test(l)).join('\n') + '\n';
}

export async function lastLine(file: string): Promise<string> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n');
  const line = text[text.length - 1] ?? '';
  return (parseRecord(Buffer.from(line))?.content.toString() ?? line) || 'no output';
}
