import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import type { PidWatcher } from '../../../lib/process/watcher.js';
import { hybridControllers } from '../../../lib/runtime/crun-hybrid.js';
import { OciRuntime } from '../../../lib/runtime/oci.js';
import { checkOciRuntime, notInstalled, RUN_MODE } from '../../../lib/runtime/oci-runtimes.js';
import { runtimeOf } from '../../../lib/runtime/types.js';

test('runtimeOf: the runtime a containerID names; none is nsenter', (t) => {
  t.is(runtimeOf('runc://web-httpd-abcd1234'), 'runc');
  t.is(runtimeOf('crun://web-httpd-abcd1234'), 'crun');
  t.is(runtimeOf('nsenter://web-app-abcd1234'), 'nsenter');
  t.is(runtimeOf(null), 'nsenter');
  t.is(runtimeOf(undefined), 'nsenter');
  t.is(runtimeOf('kata://web-httpd-abcd1234'), 'nsenter');
});

test('checkOciRuntime takes runc and crun, and refuses anything else naming the flag or field and the choices', (t) => {
  t.is(checkOciRuntime('runc', '--oci-runtime'), 'runc');
  t.is(checkOciRuntime('crun', '--oci-runtime'), 'crun');
  for (const bad of ['kata', '', 'RUNC', 'crun ', 1, null]) {
    const err = t.throws(() => checkOciRuntime(bad, '--oci-runtime'), { instanceOf: MinipodError });
    t.is(err!.code, 'INVALID_ARGUMENT');
    t.regex(err!.message, /^--oci-runtime .*: give runc or crun \(the OCI runtime image containers run under; default runc\)$/);
  }
  t.regex(t.throws(() => checkOciRuntime('gvisor', 'DIR/node.json: ociRuntime'))!.message, /^DIR\/node\.json: ociRuntime "gvisor": give runc or crun/);
});

test('a runtime that is not installed: the flag, the package to install, the other choice', (t) => {
  const err = notInstalled('crun', '--oci-runtime');
  t.is(err.code, 'NOT_FOUND');
  t.is(err.message, '--oci-runtime crun: crun is not installed: install it (apt-get install crun), or use runc');
});

test('runc runs in the foreground and keeps its container; crun detaches (the shim then waits for the container)', (t) => {
  t.deepEqual(RUN_MODE.runc, { args: ['run', '--keep'], detached: false });
  t.deepEqual(RUN_MODE.crun, { args: ['run', '--detach'], detached: true });
});

test('hybridControllers: nothing to hide where cgroup2 is not the hybrid /sys/fs/cgroup/unified', async (t) => {
  t.deepEqual(await hybridControllers('/sys/fs/cgroup'), []);
});

test('each OCI runtime lists (for gc) only its own bundles and state, and none that is being started', async (t) => {
  const state = await mkdtemp(path.join(os.tmpdir(), 'minipod-oci-list-'));
  t.teardown(() => rm(state, { recursive: true, force: true }));
  const bundle = async (id: string, runtime?: string) => {
    await mkdir(path.join(state, 'containers', id), { recursive: true });
    if (runtime) await writeFile(path.join(state, 'containers', id, 'runtime'), `${runtime}\n`);
  };
  await bundle('a-c-runcrunc', 'runc');
  await bundle('b-c-crunCRUN', 'crun');
  await bundle('c-c-oldOLDol'); // made before the runtime file: runc's
  await bundle('d-c-busyBUSY', 'crun');
  await bundle('not a bundle', 'crun');
  await mkdir(path.join(state, 'crun', 'e-c-stateSTA'), { recursive: true }); // crun state, its bundle gone
  const active = new Set(['d-c-busyBUSY']);
  const runc = new OciRuntime('runc', {} as PidWatcher, state, { active });
  const crun = new OciRuntime('crun', {} as PidWatcher, state, { active });
  t.deepEqual((await runc.list()).sort(), ['runc://a-c-runcrunc', 'runc://c-c-oldOLDol']);
  t.deepEqual((await crun.list()).sort(), ['crun://b-c-crunCRUN', 'crun://e-c-stateSTA']);
});
