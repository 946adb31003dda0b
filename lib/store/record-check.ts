// Is this pod record one minipod could have written? The shape (record-schema.ts), then what a
// forger would abuse: every field the daemon acts on as root must be what creation derives from
// the manifest — argv (it is run), logPath (it is opened for writing), the addresses (they are
// configured), the name (it names the files). A record that fails is never run.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { executableCandidates } from '../os/tools.js';
import { contains, isPrivate, macFor, sameNetwork, type Subnet } from '../network/ipam.js';
import type { ContainerStatus, PodRecord } from '../pod/types.js';
import { DEFAULT_NAMESPACE, type ContainerSpec } from '../manifest/pod-spec.js';
import { commandArgs, commandLookup } from '../manifest/command.js';
import { formatIssue } from '../manifest/parse.js';
import { keyOf } from '../manifest/pod-key.js';
import { podRecordSchema } from './record-schema.js';

export interface RecordContext {
  stateDir: string;
  /** The record's file name (NAME.json). */
  file: string;
  /** The node's pod subnet: an address in it is accepted even outside the private ranges. */
  subnet?: Subnet;
  /** The daemon this one replaces vouched for this very text (store/handoff.ts): its shape is not checked again, the rest is. */
  shapeTrusted?: boolean;
}

export type RecordCheck = { ok: true; record: PodRecord } | { ok: false; issues: string[] };

/** The record, or every reason it is not one, field by field (`containers[0].argv[0]: …`). */
export async function checkRecord(value: unknown, ctx: RecordContext): Promise<RecordCheck> {
  let r = value as PodRecord;
  if (!ctx.shapeTrusted) {
    const parsed = podRecordSchema.safeParse(value);
    if (!parsed.success) return { ok: false, issues: parsed.error.issues.map(formatIssue) };
    r = parsed.data;
  }
  const issues = [...checkIdentity(r, ctx), ...checkStopped(r), ...checkNetwork(r, ctx.subnet), ...(await checkContainers(r, ctx.stateDir))];
  return issues.length ? { ok: false, issues } : { ok: true, record: r };
}

function checkIdentity(r: PodRecord, ctx: RecordContext): string[] {
  const issues: string[] = [];
  if (`${keyOf(r)}.json` !== ctx.file) issues.push(`name: "${r.name}"${r.namespace === DEFAULT_NAMESPACE ? "" : ` (namespace ${r.namespace})`} does not match the file name ${ctx.file}`);
  if (r.manifest.metadata.name !== r.name) issues.push(`manifest.metadata.name: "${r.manifest.metadata.name}" is not the record's name "${r.name}"`);
  if (r.manifest.metadata.namespace !== r.namespace) issues.push(`manifest.metadata.namespace: "${r.manifest.metadata.namespace}" is not the record's namespace "${r.namespace}"`);
  return issues;
}

/**
 * A Stopped pod has nothing left to run or to hold: its stop (pod/stop.ts) clears the sandbox, the
 * address and every container's process in the one write that says Stopped. A record that says
 * Stopped and names any of them would leave them running with nothing to own them.
 */
function checkStopped(r: PodRecord): string[] {
  if (r.phase !== 'Stopped') return [];
  const issues: string[] = [];
  const left = 'a Stopped pod has none left (its stop clears it)';
  if (r.sandbox) issues.push(`sandbox: pause ${r.sandbox.pid}: ${left}`);
  if (r.building) issues.push(`building: pause ${r.building.pid}: ${left}`);
  if (r.ip) issues.push(`ip: ${r.ip}: a Stopped pod holds no address (its stop releases it)`);
  for (const [field, list] of [['initContainers', r.initContainers ?? []], ['containers', r.containers]] as const) {
    list.forEach((c, i) => {
      if (c.pid !== null || c.state === 'Running') issues.push(`${field}[${i}]: ${c.state}${c.pid === null ? '' : ` with pid ${c.pid}`}: ${left}`);
    });
  }
  return issues;
}

function checkNetwork(r: PodRecord, subnet: Subnet | undefined): string[] {
  const issues: string[] = [];
  const allowed = (ip: string) => isPrivate(ip) || (!!subnet && (contains(subnet, ip) || ip === subnet.gateway));
  const where = `a private range (10/8, 172.16/12, 192.168/16)${subnet ? ` or the node's subnet ${subnet.cidr}` : ''}`;
  if (!allowed(r.gateway)) issues.push(`gateway: ${r.gateway} is outside ${where}`);
  // A hostNetwork pod has no veth and no lease; any other sandbox has both.
  const host = r.manifest.spec.hostNetwork === true;
  for (const [field, veth] of [['sandbox', r.sandbox?.hostVeth], ['building', r.building?.hostVeth]] as const) {
    if (veth !== undefined && !veth !== host) issues.push(`${field}.hostVeth: ${host ? `${JSON.stringify(veth)} must be "" for a hostNetwork pod (it has no veth)` : 'must name the pod\'s veth ("" is only for a hostNetwork pod)'}`);
  }
  if (host && r.ip) issues.push(`ip: ${r.ip} must be "" for a hostNetwork pod (its IP is the node's, hostIP)`);
  if (!r.ip) return issues;
  if (!allowed(r.ip)) issues.push(`ip: ${r.ip} is outside ${where}`);
  else if (!sameNetwork(r.ip, r.gateway, r.prefix)) issues.push(`ip: ${r.ip} is not in the gateway's network ${r.gateway}/${r.prefix}`);
  if (r.mac !== macFor(r.ip)) issues.push(`mac: ${r.mac || '""'} is not ${macFor(r.ip)}, the one derived from ip ${r.ip}`);
  return issues;
}

/**
 * Names as in the manifest; argv as resolved from it; logs where creation puts them. Values a
 * forger chose are quoted with JSON.stringify: no control character reaches a terminal via gc.
 */
async function checkContainers(r: PodRecord, stateDir: string): Promise<string[]> {
  const inits = r.manifest.spec.initContainers ?? [];
  // An older record has no initContainers: its manifest has none either.
  if ((r.initContainers ?? []).length !== inits.length) return [`initContainers: ${(r.initContainers ?? []).length} entries, the manifest has ${inits.length}`];
  return [...(await checkList(r, stateDir, 'initContainers', r.initContainers ?? [], inits)), ...(await checkList(r, stateDir, 'containers', r.containers, r.manifest.spec.containers))];
}

async function checkList(r: PodRecord, stateDir: string, field: string, statuses: ContainerStatus[], specs: ContainerSpec[]): Promise<string[]> {
  const issues: string[] = [];
  if (statuses.length !== specs.length) return [`${field}: ${statuses.length} entries, the manifest has ${specs.length}`];
  for (const [i, c] of statuses.entries()) {
    const spec = specs[i]!;
    const at = `${field}[${i}]`;
    if (c.name !== spec.name) issues.push(`${at}.name: "${c.name}" is not the manifest's "${spec.name}"`);
    const logPath = path.join(stateDir, 'logs', keyOf(r), `${spec.name}.log`);
    if (c.logPath !== logPath) issues.push(`${at}.logPath: ${JSON.stringify(c.logPath)} is not ${logPath}`);
    // The runtime removes a container's bundle or shim files by its ID: it must be this pod's and
    // this container's, under a runtime that runs it (runc or crun with an image, nsenter without;
    // the schema has checked it is one of the three).
    const [scheme, id] = c.containerID?.split('://') ?? [];
    if (c.containerID && ((scheme === 'nsenter') !== !spec.image || !id?.startsWith(`${r.name}-${spec.name}-`))) {
      issues.push(`${at}.containerID: ${JSON.stringify(c.containerID)} is not a container of ${r.name}/${spec.name}${spec.image ? '' : ' (it has no image: nsenter runs it)'}`);
    }
    if (spec.image || c.image) {
      // It runs inside its image's root filesystem, never on the node's: its argv is worked out again
      // from the manifest and the image at every start, never taken from the record.
      if (c.image !== undefined && c.image !== spec.image) issues.push(`${at}.image: ${JSON.stringify(c.image)} is not the manifest's ${JSON.stringify(spec.image)}`);
      continue;
    }
    const { name, pathEnv, cwd } = commandLookup(spec);
    const [program, ...rest] = c.argv;
    if (!executableCandidates(name, pathEnv, cwd).includes(program!)) {
      issues.push(`${at}.argv[0]: ${JSON.stringify(program)} is not where the manifest's command ${JSON.stringify(name)} resolves (PATH=${pathEnv}, workingDir=${cwd})`);
    } else if (!isExecutableFile(program!)) {
      issues.push(`${at}.argv[0]: ${JSON.stringify(program)} is not an executable file`);
    }
    const expected = commandArgs(spec);
    if (JSON.stringify(rest) !== JSON.stringify(expected)) {
      issues.push(`${at}.argv: arguments ${JSON.stringify(rest)} are not the manifest's ${JSON.stringify(expected)} (command[1:] + args)`);
    }
  }
  return issues;
}

/** Synchronous: two local system calls of microseconds, where the thread pool costs ten times that (a restart checks every record). */
function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
