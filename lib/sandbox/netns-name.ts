// A pod's `ip netns` name: /run/netns/POD, a bind mount of its sandbox's network namespace onto an
// empty file, made as iproute2's `ip netns add` makes one (ip/ipnetns.c): the directory is bound
// onto itself and made shared, so that an unmount here also reaches every mount namespace copied
// from ours meanwhile (`ip netns exec`'s own, an app's `unshare -m`), where a copy of the mount
// would keep the namespace alive; then an empty file, then the bind. `ip netns list`, `exec` and
// `identify` then see the pod, as they see a CNI runtime's sandboxes.
//
// Which names are minipod's is kept in a registry under the state dir (netns/NAME: the pod's uid
// and namespace), written before the file is made and removed after it is gone. The name itself
// cannot say: an nsfs bind mount has no owner, no xattrs, and mountinfo shows only net:[inode];
// and a daemon killed between two steps may leave a name whose pod record is gone. A name that is
// not in the registry (a user's `ip netns add`) is never touched.
//
// A name keeps its namespace alive with no process in it: it is removed before a sandbox is
// torn down (stop, recreate), so the namespace and the veth peer in it go with their last process.
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readText } from '../util/read-if-any.js';
import { MinipodError } from '../errors.js';
import { diskError } from '../store/persist.js';
import { bindMount, procLink, unmount } from '../os/host.js';
import { namespaceMounts } from '../process/namespace.js';
import { shareDir } from './shared-dir.js';
import { UndoStack } from './undo.js';
import { removeFile } from '../util/remove-file.js';

/** Where `ip netns` looks (iproute2's NETNS_RUN_DIR). In a node it is the node's own /run. */
export const NETNS_DIR = '/run/netns';
/** The registry's directory under the state dir. */
export const NETNS_REGISTRY = 'netns';

/** Where the names go and where the registry is kept. */
export interface NetnsPlaces {
  stateDir: string;
  netnsDir: string;
}

/** The pod a name is made for, and the sandbox it points at (through its holder's pid). */
export interface NetnsOwner {
  uid: string;
  pid: number;
  netns: string;
}

const registryFile = (p: NetnsPlaces, name: string) => path.join(p.stateDir, NETNS_REGISTRY, name);
export const netnsFile = (p: NetnsPlaces, name: string) => path.join(p.netnsDir, name);

/** A pod name is a DNS label, always a valid file name; checked anyway, as a "/" or ".." would reach outside the directory. */
export function checkNetnsName(name: string): void {
  if (!name || name.length > 255 || name.includes('/') || name.includes('\0') || name === '.' || name === '..') {
    throw new MinipodError('INVALID_ARGUMENT', `metadata.name: "${name}" cannot be an \`ip netns\` name (a file name under ${NETNS_DIR})`);
  }
}

/** The namespace the name points at now (the mount on top), or undefined: no name, or an empty file. */
export async function netnsNamedBy(p: NetnsPlaces, name: string): Promise<string | undefined> {
  const file = netnsFile(p, name);
  let ns: string | undefined;
  for (const m of await namespaceMounts()) if (m.target === file) ns = m.ns; // the last listed is on top
  return ns;
}

const isRegistered = (p: NetnsPlaces, name: string) => stat(registryFile(p, name)).then(() => true, () => false);
/** The pod uid the registry gives for a name: null if the name is not registered, undefined if its entry gives none (or is unreadable). */
async function registeredUid(p: NetnsPlaces, name: string): Promise<unknown> {
  const text = await readText(registryFile(p, name)).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : ''));
  if (text === null) return null;
  try {
    return (JSON.parse(text) as { uid?: unknown } | null)?.uid;
  } catch {
    return undefined;
  }
}
const unregister = (p: NetnsPlaces, name: string) => removeFile(registryFile(p, name));

/**
 * Name the sandbox's network namespace (reserve, then bind); each part's undo is on `undo` before
 * the next is made. `holderBind`: as bindNetnsName's.
 */
export async function createNetnsName(p: NetnsPlaces, name: string, owner: NetnsOwner, undo: UndoStack, holderBind?: (file: string) => Promise<void>): Promise<void> {
  await reserveNetnsName(p, name, owner.uid, undo);
  await bindNetnsName(p, name, owner, holderBind);
}

/**
 * The name's registry entry and its empty file, for the pod `uid`, nothing mounted on it yet (a
 * create does this while its sandbox is built). A name of ours left by a daemon killed mid-way is
 * replaced; anybody else's is refused.
 */
export async function reserveNetnsName(p: NetnsPlaces, name: string, uid: string, undo: UndoStack): Promise<void> {
  checkNetnsName(name);
  const file = netnsFile(p, name);
  const registered = await registeredUid(p, name);
  if (registered === uid) {
    // The pod's own name, whose file its recreation removed (removeNetnsFile) and whose registry
    // entry it kept: nothing is written to the state dir, so a recovery on a full disk fails or
    // succeeds as it would without names.
    await removeNetnsFile(p, name);
  } else {
    if (registered !== null) await deleteNetnsName(p, name);
    undo.push(`netns name ${name} (registry)`, () => unregister(p, name));
    await mkdir(path.join(p.stateDir, NETNS_REGISTRY), { recursive: true, mode: 0o700 });
    await writeFile(registryFile(p, name), `${JSON.stringify({ uid })}\n`).catch((err: unknown) => {
      throw diskError(err, registryFile(p, name), p.stateDir);
    });
  }
  await shareDir(p.netnsDir);
  try {
    await (await open(file, 'wx', 0)).close(); // as ip does: O_CREAT|O_EXCL, mode 0
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    throw notOurs(file, name);
  }
  undo.push(`netns name ${file}`, () => removeNetnsFile(p, name)); // only once it is ours
}

/** A name of somebody else's where the pod's would go: refused. */
const notOurs = (file: string, name: string) => new MinipodError('ALREADY_EXISTS', `${file} exists and minipod did not make it (an \`ip netns add ${name}\`?): remove it with \`ip netns delete ${name}\` on the node, or give the pod another name`);

/**
 * Before a create makes anything: the name is free, or ours (in the registry: left by a daemon
 * killed mid-way, and replaced); somebody else's is refused here, so nothing is made and undone
 * for it. reserveNetnsName checks again as it creates the file.
 */
export async function checkNetnsNameFree(p: NetnsPlaces, name: string): Promise<void> {
  checkNetnsName(name);
  const file = netnsFile(p, name);
  if (!existsSync(file)) return; // /run is a tmpfs: answered at once, no thread pool
  if ((await registeredUid(p, name)) === null) throw notOurs(file, name);
}

/**
 * Mount the sandbox's network namespace on a reserved name. `holderBind`: the holder mounts its
 * own namespace on the file (rootfs/pause's "bind"), which needs no mount process and cannot name
 * another namespace; without it, `mount --bind` by pid.
 */
export async function bindNetnsName(p: NetnsPlaces, name: string, owner: NetnsOwner, holderBind?: (file: string) => Promise<void>): Promise<void> {
  const file = netnsFile(p, name);
  // A holder that died meanwhile (killed mid-recovery) is no failure of this step: its death is
  // already being handled, and the sandbox that replaces it is named then. This one gets none.
  const holderGone = async () => (await procLink(owner.pid, 'ns/net')) !== owner.netns;
  try {
    if (holderBind) return await holderBind(file);
    await bindMount(`/proc/${owner.pid}/ns/net`, file);
  } catch (err) {
    if (await holderGone()) return removeNetnsFile(p, name);
    throw err;
  }
  // By pid: checked after, so a holder that died (and a pid reused) never leaves a wrong name.
  const now = await netnsNamedBy(p, name);
  if (now === owner.netns) return;
  if (await holderGone()) return removeNetnsFile(p, name);
  throw new MinipodError('COMMAND_FAILED', `${file} points at ${now ?? 'nothing'}, not the sandbox's ${owner.netns}`);
}

/** Remove a name of ours (every mount stacked on it, the file, the registry entry); idempotent. */
export async function deleteNetnsName(p: NetnsPlaces, name: string): Promise<void> {
  await removeNetnsFile(p, name);
  await unregister(p, name);
}

/**
 * Remove a name's mounts and file (under /run, not the state dir), keeping its registry entry for
 * the pod's next sandbox (a recreation); idempotent. `holderUnbind`: the new sandbox's holder
 * unmounts them (rootfs/pause's "unbind"), no umount process.
 */
export async function removeNetnsFile(p: NetnsPlaces, name: string, holderUnbind?: (file: string) => Promise<void>): Promise<void> {
  const file = netnsFile(p, name);
  if (holderUnbind) await holderUnbind(file);
  else {
    const stacked = (await namespaceMounts()).filter((m) => m.target === file).length;
    for (let i = 0; i < stacked; i++) await unmount(file);
  }
  await removeFile(file);
}

/**
 * The name points at owner's namespace, or is made to (a daemon restart, a rejoin): what was
 * wrong, or undefined if nothing was. A file there that is not ours is left alone, and refused.
 */
export async function ensureNetnsName(p: NetnsPlaces, name: string, owner: NetnsOwner): Promise<string | undefined> {
  const [now, ours] = [await netnsNamedBy(p, name), await isRegistered(p, name)];
  if (now === owner.netns && ours) return undefined;
  const present = await stat(netnsFile(p, name)).then(() => true, () => false);
  const was = now ? `pointed at ${now}` : present ? 'was an empty file' : 'was missing';
  if (ours || !present) await deleteNetnsName(p, name);
  const undo = new UndoStack();
  try {
    await createNetnsName(p, name, owner, undo);
  } catch (err) {
    throw await undo.rollback(err);
  }
  return was;
}

/** A name in the registry, and what is at its path now. */
export interface NetnsNameEntry {
  name: string;
  file: string;
  /** The pod it was made for, as the registry says (undefined: an unreadable entry). */
  uid: string | undefined;
  /** The namespace it points at now; undefined: no mount there. */
  points: string | undefined;
}

/** Every name minipod made and has not removed (what gc compares with the pods). */
export async function listNetnsNames(p: NetnsPlaces): Promise<NetnsNameEntry[]> {
  const names = await readdir(path.join(p.stateDir, NETNS_REGISTRY)).catch(() => [] as string[]);
  const mounts = await namespaceMounts();
  return Promise.all(
    names.map(async (name) => {
      const uid = await registeredUid(p, name);
      const file = netnsFile(p, name);
      return { name, file, uid: typeof uid === 'string' ? uid : undefined, points: mounts.filter((m) => m.target === file).at(-1)?.ns };
    }),
  );
}
