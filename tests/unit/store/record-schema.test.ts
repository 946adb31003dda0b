// A pod record is trusted only if minipod could have written it: strict shapes (the API's own
// manifest schema inside) and every field the daemon acts on derived from the manifest.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { parseSubnet } from '../../../lib/network/ipam.js';
import type { PodRecord } from '../../../lib/pod/types.js';
import { podManifestSchema } from '../../../lib/manifest/pod-spec.js';
import { checkRecord } from '../../../lib/store/record-check.js';
import { podRecordSchema } from '../../../lib/store/record-schema.js';
import { SLEEP, validRecord } from '../../helpers/record.js';

const STATE = '/var/lib/minipod';
const ctx = { stateDir: STATE, file: 'web.json' };

/** The issues of a record changed by `forge`, or [] if it passes. */
async function issuesOf(forge: (r: PodRecord & Record<string, unknown>) => void, context: Parameters<typeof checkRecord>[1] = ctx): Promise<string[]> {
  const r = structuredClone(validRecord(STATE)) as PodRecord & Record<string, unknown>;
  forge(r);
  const check = await checkRecord(r, context);
  return check.ok ? [] : check.issues;
}

test('the manifest inside a record is checked by the API schema itself', (t) => {
  t.is(podRecordSchema.shape.manifest, podManifestSchema);
});

test('a record as the daemon writes it passes, unchanged', async (t) => {
  const check = await checkRecord(validRecord(STATE), ctx);
  t.deepEqual(check, { ok: true, record: validRecord(STATE) });
});

test('a stopped record (IP released, no sandbox, apps terminated) passes', async (t) => {
  t.deepEqual(
    await issuesOf((r) => {
      Object.assign(r, { phase: 'Stopped', ip: '', sandbox: null, message: 'stop requested' });
      Object.assign(r.containers[0]!, { state: 'Terminated', reason: 'Killed', pid: null, netns: null, ready: false });
    }),
    [],
  );
});

test('a record that says Stopped but names a sandbox, an address or a running container is rejected, naming each', async (t) => {
  t.deepEqual(await issuesOf((r) => void (r.phase = 'Stopped')), [
    `sandbox: pause ${validRecord(STATE).sandbox!.pid}: a Stopped pod has none left (its stop clears it)`,
    `ip: ${validRecord(STATE).ip}: a Stopped pod holds no address (its stop releases it)`,
    `containers[0]: Running with pid ${validRecord(STATE).containers[0]!.pid}: a Stopped pod has none left (its stop clears it)`,
  ]);
});

test('timings may carry the hostPort publish time; a record without it (a pod with no hostPort, or written before) passes too', async (t) => {
  t.deepEqual(await issuesOf((r) => void (r.timings = { sandboxMs: 12.5, appsMs: 40.1, hostPortsMs: 3.2 })), []);
  t.deepEqual(await issuesOf((r) => void (r.timings = { sandboxMs: 12.5, appsMs: 40.1 })), []);
  t.not((await issuesOf((r) => void (r.timings = { sandboxMs: 12.5, appsMs: 40.1, hostPortsMs: -1 }))).length, 0);
});

test('a forged argv (a shell for a manifest command "sleep") is rejected, naming the field', async (t) => {
  const issues = await issuesOf((r) => void (r.containers[0]!.argv = ['/bin/sh', '-c', 'touch /tmp/pwned']));
  t.true(issues.some((i) => i.startsWith('containers[0].argv[0]: "/bin/sh" is not where the manifest\'s command "sleep" resolves')), issues.join('\n'));
  t.true(issues.some((i) => i.startsWith('containers[0].argv: arguments ["-c","touch /tmp/pwned"] are not the manifest\'s ["infinity"]')), issues.join('\n'));
});

test('argv[0] must be where the command resolves in PATH, not any file of that name', async (t) => {
  const issues = await issuesOf((r) => void (r.containers[0]!.argv[0] = '/tmp/evil/sleep'));
  t.deepEqual(issues.map((i) => i.split(':')[0]), ['containers[0].argv[0]']);
});

test('arguments appended to a resolved argv are rejected', async (t) => {
  const issues = await issuesOf((r) => r.containers[0]!.argv.push('--and-more'));
  t.deepEqual(issues, ['containers[0].argv: arguments ["infinity","--and-more"] are not the manifest\'s ["infinity"] (command[1:] + args)']);
});

test('argv[0] must still be an executable file', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'minipod-record-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'sleep'), 'not a program');
  await chmod(path.join(dir, 'sleep'), 0o600);
  const issues = await issuesOf((r) => {
    r.manifest.spec.containers[0]!.env = [{ name: 'PATH', value: dir }];
    r.containers[0]!.argv[0] = path.join(dir, 'sleep');
  });
  t.deepEqual(issues, [`containers[0].argv[0]: "${path.join(dir, 'sleep')}" is not an executable file`]);
});

test('an absolute command must be argv[0] as written (resolved against workingDir)', async (t) => {
  t.deepEqual(
    await issuesOf((r) => {
      r.manifest.spec.containers[0]!.command = [SLEEP];
      r.manifest.spec.containers[0]!.workingDir = '/srv';
    }),
    [],
  );
});

test('an unknown field is rejected, at the top or inside a container', async (t) => {
  t.deepEqual(await issuesOf((r) => void (r.hostNetwork = true)), ['unknown field "hostNetwork"']);
  t.deepEqual(await issuesOf((r) => void ((r.containers[0] as unknown as Record<string, unknown>).privileged = true)), ['containers[0]: unknown field "privileged"']);
});

test('a name that is no DNS-1123 label, or not the file name, is rejected', async (t) => {
  t.true((await issuesOf((r) => void (r.name = '../etc'))).some((i) => i.startsWith('name: must be a DNS-1123 label')));
  t.deepEqual(await issuesOf((r) => void (r.name = r.manifest.metadata.name = 'db')), [
    'name: "db" does not match the file name web.json',
    `containers[0].logPath: "${STATE}/logs/web/app.log" is not ${STATE}/logs/db/app.log`,
  ]);
  t.deepEqual(await issuesOf((r) => void (r.manifest.metadata.name = 'db')), ['manifest.metadata.name: "db" is not the record\'s name "web"']);
});

test('a log path outside the state dir\'s logs/NAME/ is rejected', async (t) => {
  const escape = `${STATE}/logs/web/../../../../etc/cron.d/x`;
  t.deepEqual(await issuesOf((r) => void (r.containers[0]!.logPath = escape)), [`containers[0].logPath: "${escape}" is not ${STATE}/logs/web/app.log`]);
});

test('a field of the wrong type is rejected, naming it', async (t) => {
  t.deepEqual(await issuesOf((r) => void ((r.sandbox as unknown as Record<string, unknown>).pid = '1234')), ['sandbox.pid: Expected number, received string']);
  t.deepEqual(await issuesOf((r) => void (r.containers[0]!.pid = -1)), ['containers[0].pid: must be a positive pid']);
  t.deepEqual(await issuesOf((r) => void (r.containers[0]!.restartCount = 1.5)), ['containers[0].restartCount: Expected integer, received float']);
});

test('the manifest is validated as the API validates it', async (t) => {
  const issues = await issuesOf((r) => void ((r.manifest.spec.containers[0] as Record<string, unknown>).command = 'sleep infinity'));
  t.deepEqual(issues, ['manifest.spec.containers[0].command: must be a list such as ["node", "app.js"], not a single (shell) string']);
});

test('uid, netns, veth and times must have the shapes minipod writes', async (t) => {
  t.deepEqual(await issuesOf((r) => void (r.uid = 'uid-web')), ['uid: must be a pod uid (21 of A-Z a-z 0-9 _ -)']);
  t.deepEqual(await issuesOf((r) => void (r.sandbox!.netns = 'net:[1]; rm -rf /')), ['sandbox.netns: must be a network namespace such as net:[4026532636]']);
  t.deepEqual(await issuesOf((r) => void (r.sandbox!.hostVeth = 'eth0')), ['sandbox.hostVeth: must be a host veth name: "mp" and 10 of a-z 0-9 (or "" for a hostNetwork pod)']);
  t.deepEqual(await issuesOf((r) => void (r.createdAt = 'yesterday')), ['createdAt: must be an ISO time such as 2024-01-01T00:00:00.000Z']);
});

test('container names and count must be the manifest\'s', async (t) => {
  t.deepEqual(await issuesOf((r) => void (r.containers[0]!.name = 'other')), ['containers[0].name: "other" is not the manifest\'s "app"']);
  t.deepEqual(await issuesOf((r) => void r.containers.push(structuredClone(r.containers[0]!))), ['containers: 2 entries, the manifest has 1']);
});

test('addresses must be private (or in the node subnet), consistent, with the derived MAC', async (t) => {
  t.deepEqual(await issuesOf((r) => Object.assign(r, { ip: '8.8.8.8', mac: '0a:58:08:08:08:08' })), ['ip: 8.8.8.8 is outside a private range (10/8, 172.16/12, 192.168/16)']);
  t.deepEqual(await issuesOf((r) => void (r.ip = '10.99.0.2')), ['ip: 10.99.0.2 is not in the gateway\'s network 10.88.0.1/16', 'mac: 0a:58:0a:58:00:02 is not 0a:58:0a:63:00:02, the one derived from ip 10.99.0.2']);
  t.deepEqual(await issuesOf((r) => void (r.mac = '0a:58:0a:58:00:09')), ['mac: 0a:58:0a:58:00:09 is not 0a:58:0a:58:00:02, the one derived from ip 10.88.0.2']);
  t.deepEqual(await issuesOf((r) => void (r.ip = '010.88.0.2')), ['ip: must be an IPv4 address such as 10.88.0.2']);
  const cgnat = (r: PodRecord) => Object.assign(r, { ip: '100.64.0.2', gateway: '100.64.0.1', mac: '0a:58:64:40:00:02' });
  t.deepEqual(await issuesOf(cgnat, { ...ctx, subnet: parseSubnet('100.64.0.0/16') }), []);
  t.is((await issuesOf(cgnat)).length, 2, 'outside a private range and no node subnet given');
});

test('a value that is no object at all is rejected', async (t) => {
  t.deepEqual(await checkRecord(null, ctx), { ok: false, issues: ['Expected object, received null'] });
});

test('a containerID must be this pod\'s and container\'s, under the runtime that runs it (nsenter without an image)', async (t) => {
  t.deepEqual(await issuesOf((r) => void (r.containers[0]!.containerID = 'nsenter://web-app-AbCd1234')), []);
  t.deepEqual(await issuesOf((r) => void (r.containers[0]!.containerID = null)), [], 'an older daemon\'s record names none');
  const runc = await issuesOf((r) => void (r.containers[0]!.containerID = 'runc://web-app-AbCd1234'));
  t.deepEqual(runc, ['containers[0].containerID: "runc://web-app-AbCd1234" is not a container of web/app (it has no image: nsenter runs it)']);
  t.deepEqual(await issuesOf((r) => void (r.containers[0]!.containerID = 'crun://web-app-AbCd1234')), ['containers[0].containerID: "crun://web-app-AbCd1234" is not a container of web/app (it has no image: nsenter runs it)']);
  const other = await issuesOf((r) => void (r.containers[0]!.containerID = 'nsenter://db-app-AbCd1234'));
  t.deepEqual(other, ['containers[0].containerID: "nsenter://db-app-AbCd1234" is not a container of web/app (it has no image: nsenter runs it)']);
  const path = await issuesOf((r) => void (r.containers[0]!.containerID = 'nsenter://../../etc-AbCd1234'));
  t.true(path.some((i) => i.startsWith('containers.0.containerID') || i.includes('or nsenter://POD-CONTAINER-XXXXXXXX')), path.join('\n'));
});
