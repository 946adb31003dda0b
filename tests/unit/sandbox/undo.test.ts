// Rollback: undos run newest-first, and the first error survives failing cleanups.
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { UndoStack } from '../../../lib/sandbox/undo.js';

/** An undo stack with one recording undo per name, pushed in order. */
function stackOf(...names: string[]): { undo: UndoStack; ran: string[] } {
  const undo = new UndoStack();
  const ran: string[] = [];
  for (const name of names) undo.push(name, async () => void ran.push(name));
  return { undo, ran };
}

test('rollback runs the undos newest first', async (t) => {
  const { undo, ran } = stackOf('netns', 'veth', 'address');
  await undo.rollback(new Error('route add failed'));
  t.deepEqual(ran, ['address', 'veth', 'netns']);
});

test('rollback returns the very MinipodError it was given', async (t) => {
  const { undo } = stackOf('netns');
  const cause = new MinipodError('COMMAND_FAILED', 'ip link add: File exists');
  const err = await undo.rollback(cause);
  t.is(err, cause);
  t.is(err.code, 'COMMAND_FAILED');
});

test('rollback turns a plain Error into a MinipodError with the same message', async (t) => {
  const { undo } = stackOf('netns');
  const cause = new Error('spawn ENOENT');
  const err = await undo.rollback(cause);
  t.true(err instanceof MinipodError);
  t.is(err.message, 'spawn ENOENT');
  t.is(err.code, 'INTERNAL');
  t.is(err.cause, cause);
});

test('a failing undo is attached to the original error, not put in its place', async (t) => {
  const undo = new UndoStack();
  const ran: string[] = [];
  undo.push('netns', async () => void ran.push('netns'));
  undo.push('veth', async () => {
    throw new Error('Cannot find device "mp123"');
  });
  undo.push('address', async () => void ran.push('address'));

  const err = await undo.rollback(new MinipodError('COMMAND_FAILED', 'route add failed'));

  t.is(err.message, 'route add failed');
  t.is(err.code, 'COMMAND_FAILED');
  t.deepEqual(err.cleanupErrors.map((e) => e.message), ['undo veth: Cannot find device "mp123"']);
  t.deepEqual(ran, ['address', 'netns'], 'the undos after the failing one still run');
});

test('every failing undo is attached, newest first', async (t) => {
  const undo = new UndoStack();
  undo.push('first', async () => {
    throw new Error('one');
  });
  undo.push('second', async () => {
    throw new Error('two');
  });
  const err = await undo.rollback(new Error('boom'));
  t.is(err.message, 'boom');
  t.deepEqual(err.cleanupErrors.map((e) => e.message), ['undo second: two', 'undo first: one']);
});

test('a clean rollback attaches no cleanup errors', async (t) => {
  const { undo } = stackOf('netns', 'veth');
  const err = await undo.rollback(new Error('boom'));
  t.deepEqual(err.cleanupErrors, []);
});

test('after disarm, rollback runs nothing', async (t) => {
  const { undo, ran } = stackOf('netns', 'veth');
  undo.disarm();
  const err = await undo.rollback(new Error('later failure'));
  t.deepEqual(ran, []);
  t.is(err.message, 'later failure');
});

test('each undo runs at most once', async (t) => {
  const { undo, ran } = stackOf('netns', 'veth');
  await undo.rollback(new Error('first'));
  await undo.rollback(new Error('second'));
  t.deepEqual(ran, ['veth', 'netns']);
});

test('rollback first waits for a tracked step, so the undo it pushes late runs too, newest first', async (t) => {
  const { undo, ran } = stackOf('A');
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  undo.track(
    gate.then(() => {
      undo.push('B', async () => void ran.push('B'));
      throw new Error('B failed after registering its undo');
    }),
  );
  const cause = new MinipodError('COMMAND_FAILED', 'ip link add: File exists');
  const rolledBack = undo.rollback(cause);
  open(); // the side step pushes B only now, after the rollback began
  const err = await rolledBack;
  t.deepEqual(ran, ['B', 'A']);
  t.is(err, cause);
  t.deepEqual(err.cleanupErrors, [], 'the tracked step\'s own failure is no cleanup error');
});

test('after disarm, rollback no longer waits for a tracked step', async (t) => {
  t.timeout(5000);
  const { undo, ran } = stackOf('A');
  undo.track(new Promise(() => {})); // never settles
  undo.disarm();
  const err = await undo.rollback(new Error('later failure'));
  t.deepEqual(ran, []);
  t.is(err.message, 'later failure');
});
