// IP leases: one file per address, taken exclusively, released idempotently.
import { open, readFile, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test, { type ExecutionContext } from 'ava';
import { LeaseStore } from '../../../lib/store/leases.js';
import { UID } from '../../helpers/record.js';
import { tempDir } from '../../helpers/temp.js';

/** A fresh, initialised lease store in its own temp dir, removed after the test. */
async function tempLeases(t: ExecutionContext): Promise<LeaseStore> {
  const dir = await tempDir(t, 'minipod-leases-');
  const leases = new LeaseStore(dir);
  await leases.init();
  return leases;
}

type WriteFile = FileHandle['writeFile'];

/**
 * Replace FileHandle.writeFile in this process (as acquire writes a lease's owner) until the test
 * ends. Only for serial tests: the prototype is shared.
 */
async function patchWriteFile(t: ExecutionContext, dir: string, replace: (original: WriteFile) => WriteFile): Promise<void> {
  const probe = await open(dir);
  const proto = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  const original = proto.writeFile;
  proto.writeFile = replace(original);
  t.teardown(() => void (proto.writeFile = original));
}

/** Hold every owner write until the returned function is called: a lease's write still under way. */
async function holdWrites(t: ExecutionContext, dir: string): Promise<() => void> {
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  t.teardown(() => finish());
  await patchWriteFile(t, dir, (original) =>
    async function (this: FileHandle, ...args: Parameters<WriteFile>) {
      await held;
      return original.apply(this, args);
    },
  );
  return finish;
}

test('acquiring a free address succeeds', async (t) => {
  const leases = await tempLeases(t);
  t.true(await leases.acquire('10.88.0.2', 'pod-a'));
});

test('a held address cannot be acquired again', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.2', 'pod-a');
  t.false(await leases.acquire('10.88.0.2', 'pod-b'));
  t.true(await leases.acquire('10.88.0.3', 'pod-b'));
});

test('the lease file names its owner and is private (0600)', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.2', 'pod-a');
  await leases.durable('10.88.0.2');
  const file = path.join(leases.dir, '10.88.0.2');
  t.is(await readFile(file, 'utf8'), 'pod-a\n');
  t.is((await stat(file)).mode & 0o777, 0o600);
});

test('a losing acquire does not overwrite the owner', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.2', 'pod-a');
  await leases.acquire('10.88.0.2', 'pod-b');
  await leases.durable('10.88.0.2');
  t.is(await readFile(path.join(leases.dir, '10.88.0.2'), 'utf8'), 'pod-a\n');
});

test('a released address can be acquired again', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.2', 'pod-a');
  await leases.release('10.88.0.2');
  t.true(await leases.acquire('10.88.0.2', 'pod-b'));
});

test('release is idempotent', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.2', 'pod-a');
  await leases.release('10.88.0.2');
  await t.notThrowsAsync(leases.release('10.88.0.2'));
  await t.notThrowsAsync(leases.release('10.88.0.99'));
});

test('list shows the held addresses and ignores dotfiles', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.2', 'pod-a');
  await leases.acquire('10.88.0.3', 'pod-b');
  await leases.acquire('10.88.0.4', 'pod-c');
  await leases.release('10.88.0.3');
  await writeFile(path.join(leases.dir, '.lock'), '');
  t.deepEqual((await leases.list()).sort(), ['10.88.0.2', '10.88.0.4']);
});

test('of 20 concurrent acquires of one address exactly one wins', async (t) => {
  const leases = await tempLeases(t);
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => leases.acquire('10.88.0.2', `pod-${i}`)));
  t.is(results.filter(Boolean).length, 1);
  const winner = results.indexOf(true);
  await leases.durable('10.88.0.2');
  t.is(await readFile(path.join(leases.dir, '10.88.0.2'), 'utf8'), `pod-${winner}\n`);
});

test('list shows only files named by an IPv4 address', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.2', UID);
  await writeFile(path.join(leases.dir, 'not-an-ip'), `${UID}\n`);
  await writeFile(path.join(leases.dir, '010.88.0.3'), `${UID}\n`);
  t.deepEqual(await leases.list(), ['10.88.0.2']);
});

test('scan trusts only "UID\\n" in a file named by an address, and says what is wrong with the rest', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.2', UID);
  await writeFile(path.join(leases.dir, '10.88.0.3'), '');
  await writeFile(path.join(leases.dir, '10.88.0.4'), '../../etc\n');
  await writeFile(path.join(leases.dir, '10.88.0.5'), UID); // no newline: not what acquire writes
  await writeFile(path.join(leases.dir, 'x'), `${UID}\n`);
  const byIp = (a: { ip: string }, b: { ip: string }) => a.ip.localeCompare(b.ip);
  t.deepEqual((await leases.scan()).sort(byIp), [
    { ip: '10.88.0.2', owner: UID },
    { ip: '10.88.0.3', problem: 'a lease whose write was cut short' },
    { ip: '10.88.0.4', problem: 'a malformed lease ("../../etc\\n" is not a pod uid and a newline)' },
    { ip: '10.88.0.5', problem: `a malformed lease ("${UID}" is not a pod uid and a newline)` },
    { ip: 'x', problem: 'not a lease: its name is not an IPv4 address' },
  ]);
});

test('a release naming its owner frees only that owner\'s lease (a retried teardown spares the pod the address went to)', async (t) => {
  const leases = await tempLeases(t);
  await leases.acquire('10.88.0.2', 'pod-b');
  await leases.durable('10.88.0.2');
  t.false(await leases.release('10.88.0.2', 'pod-a'));
  t.is(await readFile(path.join(leases.dir, '10.88.0.2'), 'utf8'), 'pod-b\n');
  t.true(await leases.release('10.88.0.2', 'pod-b'));
  t.deepEqual(await leases.list(), []);
  t.true(await leases.release('10.88.0.2', 'pod-b'), 'none there: released already');
});

test('once durable, the lease file holds "UID\\n"', async (t) => {
  const leases = await tempLeases(t);
  t.true(await leases.acquire('10.88.0.2', UID));
  await leases.durable('10.88.0.2');
  t.is(await readFile(path.join(leases.dir, '10.88.0.2'), 'utf8'), `${UID}\n`);
});

test.serial('a release by the owner right after acquire waits for the owner\'s write, and frees the lease', async (t) => {
  const leases = await tempLeases(t);
  const finishWrites = await holdWrites(t, leases.dir);
  t.true(await leases.acquire('10.88.0.2', UID));
  const releasing = leases.release('10.88.0.2', UID);
  // Proving a wait takes a bound: a release that compared at once would have read the empty file by now.
  t.is(await Promise.race([releasing, sleep(100).then(() => 'still waiting')]), 'still waiting');
  finishWrites();
  t.true(await releasing, 'compared with the owner written, not an empty file');
  t.deepEqual(await leases.list(), []);
  await t.notThrowsAsync(leases.durable('10.88.0.2'));
});

test('a release by another uid right after acquire keeps the lease', async (t) => {
  const leases = await tempLeases(t);
  t.true(await leases.acquire('10.88.0.2', UID));
  t.false(await leases.release('10.88.0.2', 'another-uid'));
  await leases.durable('10.88.0.2');
  t.is(await readFile(path.join(leases.dir, '10.88.0.2'), 'utf8'), `${UID}\n`);
});

test('durable of an address never acquired resolves', async (t) => {
  const leases = await tempLeases(t);
  await t.notThrowsAsync(leases.durable('10.88.0.9'));
});

test('an address released right after acquire and taken again names its new owner once durable', async (t) => {
  const leases = await tempLeases(t);
  t.true(await leases.acquire('10.88.0.2', 'pod-a'));
  t.true(await leases.release('10.88.0.2'));
  t.true(await leases.acquire('10.88.0.2', UID));
  await leases.durable('10.88.0.2');
  t.is(await readFile(path.join(leases.dir, '10.88.0.2'), 'utf8'), `${UID}\n`);
});

test.serial('durable rejects with the owner write\'s error, said as a full disk; the taker can still release the empty lease', async (t) => {
  const leases = await tempLeases(t);
  await patchWriteFile(t, leases.dir, () => async () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  });
  t.true(await leases.acquire('10.88.0.2', UID), 'the exclusive create is the claim');
  await t.throwsAsync(leases.durable('10.88.0.2'), { message: `no space left on device writing ${path.join(leases.dir, '10.88.0.2')}: free space under ${path.dirname(leases.dir)}` });
  t.false(await leases.release('10.88.0.2', 'another-uid'), 'nobody else\'s to free');
  t.true(await leases.release('10.88.0.2', UID), 'the create\'s rollback frees it: no owner was written to compare');
  t.deepEqual(await leases.list(), []);
});
