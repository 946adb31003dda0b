// What a container's bundle holds besides config.json and the shim's files (shim.ts): the pod's
// resolv.conf, and the last line runc wrote before failing; and the container as the pod sees it.
import { readFile } from 'node:fs/promises';
import { ShimmedContainer } from './shim.js';

/** A container under runc (the router stops it through runc.ts). */
export class RuncContainer extends ShimmedContainer {}

/** The node's nameservers, as kubelet's dnsPolicy Default gives a pod. */
export async function nodeResolvConf(): Promise<string> {
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  return text.split('\n').filter((l) => /^(nameserver|search|options)\s/.test(l)).join('\n') + '\n';
}

export async function lastLine(file: string): Promise<string> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n');
  return text[text.length - 1] || 'no output';
}
