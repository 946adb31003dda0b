// kubectl's apply and delete (issue 12): apply -f is idempotent (unchanged: the same pod, uid and
// app process; changed: replaced), a file of several documents is applied whole or not at all
// (checked first, rolled back if a create fails midway), `-f -` reads stdin, delete speaks
// kubectl's words; and `run` of a container that fails at once (restartPolicy Never, `false`)
// fails every time, even when the daemon has not yet heard of the exit.
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import { MinipodError } from '../../lib/errors.js';
import { parentOf, startTimeOf, statFields } from '../../lib/process/identity.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, snapshot, startTestNode, type TestNode } from '../helpers/node.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

let node: TestNode;
test.before(async () => {
  node = await startTestNode();
});
test.after.always(async () => {
  await node?.dispose();
});

const pod = (name: string, command: string[], extra = '') => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n${extra}  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n    command: ${JSON.stringify(command)}\n`;
const deployment = (name: string, replicas: number) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec:\n      terminationGracePeriodSeconds: 1\n      containers: [{name: app, command: ["sleep", "1000"]}]\n`;
const inspect = (name: string) => node.api.request<PodRecord>('GET', `/pods/${name}`);
const pods = async () => (await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods.map((p) => p.name).sort();

async function file(t: import('ava').ExecutionContext, text: string): Promise<string> {
  const f = path.join(await tempDir(t, 'minipod-apply-'), 'manifest.yaml');
  await writeFile(f, text);
  return f;
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await node.cli(args, input);
  if (r.exitCode !== 0) throw new Error(`minipod ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

test.serial('apply: created, then unchanged (same uid, same app process), then configured from stdin (replaced: new uid, the old app gone); delete pod', async (t) => {
  const f = await file(t, pod('web', ['sleep', '1000']));
  t.is(await ok(['apply', '-f', f]), 'pod/web created\n');
  const first = await inspect('web');
  const app = first.containers[0]!;
  t.is(await ok(['apply', '-f', f]), 'pod/web unchanged\n');
  const again = await inspect('web');
  t.is(again.uid, first.uid);
  t.is(again.containers[0]!.pid, app.pid, 'the app was not restarted');
  t.is(await startTimeOf(app.pid!), app.startTime ?? undefined, 'the very same process runs');
  t.is(again.containers[0]!.restartCount, 0);

  t.is(await ok(['apply', '-f', '-'], pod('web', ['sleep', '2000'])), 'pod/web configured\n');
  const replaced = await inspect('web');
  t.not(replaced.uid, first.uid, 'a new pod');
  t.deepEqual(replaced.containers[0]!.argv.slice(1), ['2000']);
  t.is(await startTimeOf(app.pid!).then((s) => s === app.startTime), false, 'the old app is gone');

  t.is(await ok(['delete', 'pod', 'web']), 'pod "web" deleted\n');
  await assertNodeEmpty(t, node);
});

test.serial('a file of several documents: each applied with its own line, unchanged the second time; delete -f removes every object it names', async (t) => {
  const f = await file(t, `${pod('a', ['sleep', '1000'])}---\n${deployment('d', 1)}---\n${pod('b', ['sleep', '1000'])}`);
  t.is(await ok(['apply', '-f', f, '--wait', '--timeout', '60']), 'pod/a created\ndeployment.apps/d created\npod/b created\n');
  t.is((await pods()).length, 3, 'a, b and the Deployment\'s pod');
  t.is(await ok(['apply', '-f', f]), 'pod/a unchanged\ndeployment.apps/d unchanged\npod/b unchanged\n');
  t.is(await ok(['delete', '-f', f]), 'pod "a" deleted\ndeployment.apps "d" deleted\npod "b" deleted\n');
  await waitFor(async () => (await pods()).length === 0, 'every pod gone');
  await assertNodeEmpty(t, node);
});

test.serial('-f DIR: its manifests in name order, as kubectl; unchanged the second time; delete -f DIR removes them', async (t) => {
  const dir = await tempDir(t, 'minipod-apply-dir-');
  await writeFile(path.join(dir, '2-d.yaml'), deployment('d', 1));
  await writeFile(path.join(dir, '1-pods.yml'), `${pod('a', ['sleep', '1000'])}---\n${pod('b', ['sleep', '1000'])}`);
  await writeFile(path.join(dir, 'notes.txt'), 'not a manifest');
  t.is(await ok(['apply', '-f', dir, '--wait', '--timeout', '60']), 'pod/a created\npod/b created\ndeployment.apps/d created\n');
  t.is(await ok(['apply', '-f', dir]), 'pod/a unchanged\npod/b unchanged\ndeployment.apps/d unchanged\n');
  await writeFile(path.join(dir, '3-bad.yaml'), pod('a', ['sleep', '1']));
  const twice = await node.cli(['apply', '-f', dir]);
  t.is(twice.exitCode, 1);
  t.regex(twice.stderr, /3-bad\.yaml: pod\/a is also in .*1-pods\.yml: give each object its own name/);
  await unlink(path.join(dir, '3-bad.yaml'));
  t.is(await ok(['delete', '-f', dir]), 'pod "a" deleted\npod "b" deleted\ndeployment.apps "d" deleted\n');
  await waitFor(async () => (await pods()).length === 0, 'every pod gone');
  await assertNodeEmpty(t, node);
});

test.serial('a file with a bad document is refused whole, naming each bad document and field, and nothing is made', async (t) => {
  const f = await file(t, `${pod('good', ['sleep', '1000'])}---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n---\n${pod('Bad_Name', ['sleep', '1'])}`);
  const before = await snapshot(node);
  const r = await node.cli(['apply', '-f', f]);
  t.is(r.exitCode, 1);
  t.is(r.stdout, '');
  t.regex(r.stderr, /document 2: kind: Service is not supported by minipod: pods are reached by their IP or a hostPort .*remove this document/);
  t.regex(r.stderr, /document 3: invalid pod manifest: metadata\.name: must be a DNS-1123 label/);
  t.is(r.stderr.trim().split('\n').length, 1, 'one line');
  t.deepEqual(await snapshot(node), before, 'nothing changed');
});

test.serial('a create that fails midway removes again what this apply created', async (t) => {
  const f = await file(t, `${pod('r1', ['sleep', '1000'])}---\n${pod('r2', ['/nonexistent/program'])}`);
  const r = await node.cli(['apply', '-f', f]);
  t.is(r.exitCode, 1);
  t.is(r.stdout, 'pod/r1 created\n');
  t.regex(r.stderr, /document 2 \(pod\/r2\): spec\.containers\[0\]\.command: executable "\/nonexistent\/program" not found.*; removed again what this apply created: pod\/r1$/m);
  await assertNodeEmpty(t, node);
  const again = await node.cli(['apply', '-f', f]);
  t.is(again.stdout, 'pod/r1 created\n', 'r1 is created again, not "unchanged": the first apply left nothing');
  t.is(again.exitCode, 1);
  await assertNodeEmpty(t, node);
});

test.serial('delete: NotFound in kubectl\'s words, exit 1, the others still deleted; --ignore-not-found; TYPE/NAME; a bare name is a usage error', async (t) => {
  const missing = await node.cli(['delete', 'pod', 'nothere']);
  t.is(missing.exitCode, 1);
  t.is(missing.stderr, 'Error from server (NotFound): pods "nothere" not found\n');
  t.deepEqual(await node.cli(['delete', 'pod', 'nothere', '--ignore-not-found']), { exitCode: 0, stdout: '', stderr: '' });
  const dep = await node.cli(['delete', 'deployment/nothere']);
  t.is(dep.stderr, 'Error from server (NotFound): deployments.apps "nothere" not found\n');

  await ok(['run', '-f', '-', '--no-wait'], pod('x', ['sleep', '1000']));
  const both = await node.cli(['delete', 'pods', 'x', 'y']);
  t.is(both.exitCode, 1);
  t.is(both.stdout, 'pod "x" deleted\n');
  t.is(both.stderr, 'Error from server (NotFound): pods "y" not found\n');
  const bare = await node.cli(['delete', 'x']);
  t.is(bare.exitCode, 2);
  t.regex(bare.stderr, /say what it is: `minipod delete pod x` or `minipod delete deployment x`/);
  await assertNodeEmpty(t, node);
});

test.serial('a Deployment sent where only a Pod is taken (POST /pods) is refused saying where it goes', async (t) => {
  const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} };
  const err = await t.throwsAsync(node.api.request('POST', '/pods', d), { instanceOf: MinipodError });
  t.is(err?.message, 'kind: Deployment is not accepted here, only a Pod: apply a Deployment with `minipod apply -f FILE` (its controller makes the pods)');
  t.deepEqual(await node.api.request<{ deployments: DeploymentStatus[] }>('GET', '/deployments'), { deployments: [] });
});

test.serial('run of `false` under restartPolicy Never fails every time (10 runs): exit 1, its exit code named, nothing on stdout', async (t) => {
  for (let i = 0; i < 10; i++) {
    const r = await node.cli(['run', '-f', '-'], pod('t', ['false'], '  restartPolicy: Never\n'));
    t.is(r.exitCode, 1, `run ${i}: ${r.stdout}${r.stderr}`);
    t.is(r.stdout, '');
    t.regex(r.stderr, /^minipod: container app of pod t exited \(code 1\)/);
    await ok(['delete', 'pod', 't']);
  }
  await assertNodeEmpty(t, node);
});

test.serial('run waits while an app that exited is not yet recorded (its shim stopped) and then reports its real exit code', async (t) => {
  const go = path.join(await tempDir(t, 'minipod-race-'), 'go');
  const script = `while [ ! -e ${go} ]; do sleep 0.05; done; exit 3`;
  let done = false;
  const run = node.cli(['run', '-f', '-', '--timeout', '60'], pod('race', ['sh', '-c', script], '  restartPolicy: Never\n')).finally(() => (done = true));
  const app = await waitFor(async () => (await inspect('race').catch(() => undefined))?.containers[0]?.pid ?? undefined, 'the app\'s pid');
  const shim = (await parentOf(app))!;
  process.kill(shim, 'SIGSTOP'); // the app's exit stays unreaped and unreported
  t.teardown(() => {
    try {
      process.kill(shim, 'SIGCONT'); // should the test fail while it is stopped
    } catch {
      // it has exited, as it should
    }
  });
  await node.sh(['touch', go]);
  await waitFor(async () => (await statFields(app))?.[0] === 'Z', 'the app to exit (a zombie)');
  // Well past run's 0.5 s settle window: before issue 12's fix it printed `pod/race Running` here.
  await new Promise((r) => setTimeout(r, 1500));
  t.false(done, 'run is still waiting');
  t.is((await inspect('race')).containers[0]!.ready, false, 'the gone app is not shown ready');
  process.kill(shim, 'SIGCONT');
  const r = await run;
  t.is(r.exitCode, 1, r.stdout + r.stderr);
  t.is(r.stdout, '');
  t.regex(r.stderr, /container app of pod race exited \(code 3\)/);
  await ok(['delete', 'pod', 'race']);
  await assertNodeEmpty(t, node);
});
