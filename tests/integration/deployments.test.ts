// The seed's apps/v1 Deployment, verbatim (examples/deployment.yaml): `apply -f` makes two pods
// named web-<hash>-<suffix>, each answering on :80 and :8080 from its images; a pod removed by
// hand is replaced under a new name; scale adds and removes pods; a daemon restart keeps the same
// pods; `rm deployment/web` removes it with its pods and leaves the node empty.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { DeploymentStatus } from '../../lib/deploy/status.js';
import type { PodRecord } from '../../lib/pod/types.js';
import { assertNodeEmpty, curl, restartTestNode, ROOT, startTestNode, type TestNode } from '../helpers/node.js';
import { importSeedImages } from '../helpers/seed.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const EXAMPLE = path.join(ROOT, 'examples/deployment.yaml');
const NAME = /^web-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
let node: TestNode;

async function cli(args: string[]): Promise<string> {
  const r = await node.cli(args);
  if (r.exitCode !== 0) throw new Error(`minipod ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

const deployment = () => node.api.request<DeploymentStatus>('GET', '/deployments/web');
const pods = async () => (await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods;

/** Once n pods of web are ready, none other left: their names, sorted. */
async function settled(n: number): Promise<string[]> {
  const d = await waitFor(async () => {
    const s = await deployment();
    const all = await pods();
    return s.status.readyReplicas === n && s.status.replicas === n && all.length === n && all.every((p) => p.phase === 'Running') ? s : undefined;
  }, `deployment web with ${n} ready pods`, 90_000, 100);
  return [...d.status.pods].sort();
}

test.before(async () => {
  node = await startTestNode();
  await importSeedImages(node);
});
test.after.always(async () => {
  for (const ref of ['httpd', 'bootcamp:v1']) await node?.cli(['image', 'rm', ref]);
  await node?.dispose();
});

let names: string[] = [];

test.serial('apply -f examples/deployment.yaml: two pods web-<hash>-<suffix>, labelled and owned, answering on :80 and :8080', async (t) => {
  t.is(await cli(['apply', '-f', EXAMPLE]), 'deployment.apps/web created\n');
  names = await settled(2);
  const d = await deployment();
  for (const name of names) {
    t.regex(name, NAME);
    t.true(name.startsWith(`web-${d.templateHash}-`));
    const pod = JSON.parse(await cli(['inspect', name])) as PodRecord;
    t.deepEqual(pod.manifest.metadata.labels, { app: 'web_server', 'pod-template-hash': d.templateHash });
    t.like(pod.manifest.metadata.ownerReferences?.[0], { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.uid, controller: true });
    t.is((await curl(node, `http://${pod.ip}:80/`)).stdout, '<html><body><h1>It works!</h1></body></html>\n');
    t.is((await curl(node, `http://${pod.ip}:8080/`)).stdout, `Hello Kubernetes bootcamp! | Running on: ${name} | v=1\n`);
  }
  t.regex(await cli(['get', 'deployments']), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2\/2\s+2\s+2\s+\d+s\n$/);
  t.regex(await cli(['get', 'deploy', 'web']), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2\/2\s+2\s+2\s+\d+s\n$/, 'one by name, as kubectl');
  t.is(await cli(['get', 'deployment/web', '-o', 'name']), 'deployment.apps/web\n');
  const object = JSON.parse(await cli(['get', 'deploy', 'web', '-o', 'json'])) as { apiVersion: string; kind: string; metadata: { name: string; uid: string }; spec: { replicas: number }; status: Record<string, number> };
  t.like(object, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', uid: d.uid }, spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 } });
  t.is(await cli(['get', 'deployments', '-o', 'jsonpath={.items[*].metadata.name}']), 'web');
  t.is(await cli(['apply', '-f', EXAMPLE]), 'deployment.apps/web unchanged\n');
});

test.serial("kubectl's habits: exec and logs of deploy/NAME (one of its pods, said on stderr), pod/NAME, describe deployment, --no-headers", async (t) => {
  const exec = await node.cli(['exec', 'deploy/web', '-c', 'bootcamp', '--', 'hostname']);
  t.is(exec.exitCode, 0, exec.stderr);
  t.true(names.includes(exec.stdout.trim()), 'a pod of web');
  t.is(exec.stderr, '', 'kubectl names the pod it picked for logs only');
  const logs = await node.cli(['logs', 'deployment.apps/web', '-c', 'httpd']);
  t.is(logs.exitCode, 0, logs.stderr);
  t.regex(logs.stderr, /^Found 2 pods, using pod\/web-/);
  t.is((await node.cli(['logs', `pod/${names[0]}`, '-c', 'httpd'])).stdout, (await node.cli(['logs', names[0]!, '-c', 'httpd'])).stdout);
  t.is((await node.cli(['exec', `po/${names[1]}`, '-c', 'bootcamp', '--', 'hostname'])).stdout, `${names[1]}\n`);
  const described = await cli(['describe', 'deployment', 'web']);
  t.regex(described, /^Name: +web\nNamespace: +default\n/);
  t.regex(described, /\nReplicas: +2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable\n/);
  t.regex(described, /\n {3}httpd:\n {4}Image: +httpd\n {4}Port: +80\/TCP\n/);
  t.regex(described, /\n {2}Available +True +MinimumReplicasAvailable\n/);
  t.regex(described, new RegExp(`\\nPods: +(${names[0]}\\n +${names[1]}|${names[1]}\\n +${names[0]})\\n`));
  t.is(described.match(/ SuccessfulCreate /g)?.length, 2);
  const noAge = (text: string) => text.replace(/\d+[smh](\d+[sm])?(?= +minipod)/g, 'AGE');
  t.is(noAge(await cli(['describe', 'deploy/web'])), noAge(described), 'TYPE/NAME: the same');
  t.regex(await cli(['get', 'deploy', '--no-headers']), /^web +2\/2 +2 +2 +\d+s\n$/);
  t.regex(await cli(['get', 'deploy', '--no-headers=true']), /^web +2\/2 /, "kubectl's spelling too");
  t.regex(await cli(['get', 'deploy', '--no-headers=false']), /^NAME +READY /);
  t.is(await cli(['wait', '--for=delete', 'pod/nope']), '', 'nothing to delete: nothing said, exit 0, as kubectl');
  const rows = (await cli(['ps', '--no-headers'])).trimEnd().split('\n');
  t.deepEqual(rows.map((r) => r.split(/ +/)[0]).sort(), names);
  t.regex((await cli(['get', 'pods', '-o', 'wide', '--no-headers'])), new RegExp(`^${names[0]} +2/2 +Running `, 'm'));
  for (const [args, code, said] of [
    [['exec', 'svc/web', '--', 'true'], 2, /^minipod: exec svc\/web: give a pod \(NAME or pod\/NAME\) or a Deployment \(deployment\/NAME\)/],
    [['logs', 'deploy/'], 2, /^minipod: logs deploy\/: give a pod/],
    [['logs', 'deploy/nope'], 1, /^minipod: deployment nope not found/],
    [['port-forward', 'job/web', '8080:80'], 2, /^minipod: port-forward job\/web: give a pod/],
    [['describe', 'svc', 'web'], 2, /^minipod: describe svc web: minipod describes pods and deployments/],
    [['rollout', 'history', 'deploy/web'], 2, /^minipod: rollout history: minipod's rollout has status and restart/],
    [['rollout', 'status', 'deploy/web', '--timeout', 'soon'], 2, /^minipod: --timeout soon: give a duration/],
    [['rollout', 'restart', 'pod/web'], 2, /^minipod: rollout restart pod\/web: give deployment\/NAME/],
  ] as const) {
    const r = await node.cli([...args]);
    t.is(r.exitCode, code, args.join(' '));
    t.regex(r.stderr, said, args.join(' '));
  }
  // kubectl wait, as scripts use it between steps.
  t.is(await cli(['wait', '--for=condition=Available', 'deployment/web', '--timeout=60s']), 'deployment.apps/web condition met\n');
  t.is((await cli(['wait', '--for=condition=Ready', 'pods', '-l', 'app=web_server'])).split('\n').sort().join('\n'), `\n${names.map((n) => `pod/${n} condition met`).join('\n')}`);
  t.is(await cli(['wait', '--for=jsonpath={.status.phase}=Running', `pod/${names[0]}`]), `pod/${names[0]} condition met\n`);
  for (const [args, code, said] of [
    [['wait', '--for=condition=Ready', 'pod/nope'], 1, /^minipod: pods "nope" not found\n$/],
    [['wait', '--for=condition=Bogus', `pod/${names[0]}`, '--timeout=0'], 1, new RegExp(`^minipod: timed out waiting for the condition on pods/${names[0]}\n$`)],
    [['wait', '--for=condition=Ready', 'pods'], 2, /^minipod: wait pods: give names, -l SELECTOR or --all/],
    [['wait', '--for=ready', 'pod/web'], 2, /^minipod: --for=ready: give --for=delete, --for=condition=NAME/],
    [['wait', 'pod/web'], 2, /^minipod: wait needs one --for/],
    [['wait', '--for=delete', 'web'], 2, /^minipod: wait web: say what it is: `minipod wait pod web`/],
    [['wait', '--for=delete', 'pods', '-l', 'app=nothing'], 1, /^minipod: no matching resources found/],
  ] as const) {
    const r = await node.cli([...args]);
    t.is(r.exitCode, code, args.join(' '));
    t.regex(r.stderr, said, args.join(' '));
  }
  t.deepEqual((await pods()).map((p) => p.name).sort(), names, 'nothing changed');
});

test.serial('a pod removed by hand with rm -f, and one stopped, are each replaced by a pod with a new name', async (t) => {
  await Promise.all([cli(['rm', '-f', names[0]!]), cli(['stop', names[1]!])]);
  const after = await waitFor(async () => {
    const now = await settled(2);
    return now.some((n) => names.includes(n)) ? undefined : now;
  }, 'two replacement pods', 120_000, 100);
  for (const fresh of after) t.regex(fresh, NAME);
  const events = await cli(['events', 'deployment/web']);
  t.regex(events, new RegExp(`SuccessfulDelete .*deleted pod ${names[1]}`), 'the stopped pod was removed');
  t.is(events.match(/SuccessfulCreate/g)?.length, 4, 'two first pods, two replacements');
  const d = JSON.parse(await cli(['inspect', 'deployment/web'])) as DeploymentStatus;
  t.deepEqual([...d.status.pods].sort(), after);
  names = after;
});

test.serial('scale to 3 adds one pod, scale to 1 keeps one of them', async (t) => {
  t.is(await cli(['scale', 'deployment/web', '--replicas=3']), 'deployment.apps/web scaled\n');
  const three = await settled(3);
  t.true(names.every((n) => three.includes(n)), 'the two pods stay');
  await cli(['scale', 'deployment/web', '--replicas=1']);
  const one = await settled(1);
  t.true(three.includes(one[0]!));
  names = one;
});

test.serial('rollout restart makes every pod again (a new template hash); rollout status follows it to the end', async (t) => {
  const before = await deployment();
  t.is(await cli(['rollout', 'restart', 'deployment', 'web']), 'deployment.apps/web restarted\n');
  // Gone already (a Recreate is quick) it is nothing to say, as kubectl; else said once it goes.
  t.true(['', `pod/${names[0]} condition met\n`].includes(await cli(['wait', '--for=delete', `pod/${names[0]}`, '--timeout=60s'])), 'the old pod goes');
  const status = await cli(['rollout', 'status', 'deployment/web', '--timeout', '90s']);
  t.regex(status, /(^|\n)deployment "web" successfully rolled out\n$/);
  for (const line of status.trimEnd().split('\n').slice(0, -1)) t.regex(line, /^Waiting for deployment "web" rollout to finish: /);
  const after = await deployment();
  t.not(after.templateHash, before.templateHash);
  t.regex(after.manifest.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? '', /^\d{4}-\d\d-\d\dT/);
  t.is(after.manifest.spec.replicas, 1, 'the scale kept');
  const now = await settled(1);
  t.false(now.includes(names[0]!), 'a new pod');
  t.true(now[0]!.startsWith(`web-${after.templateHash}-`));
  t.is(await cli(['rollout', 'status', 'deploy/web', '-w=false']), 'deployment "web" successfully rolled out\n');
  names = now;
});

test.serial('a daemon restart keeps the same pods: the controller adopts them and makes none', async (t) => {
  const before = (await pods()).map((p) => `${p.name} ${p.uid} ${p.sandbox!.pid}`);
  node = await restartTestNode(node);
  t.deepEqual(await settled(1), names);
  // Past a resync or two: still the same pod, nothing made or removed.
  await new Promise((r) => setTimeout(r, 2500));
  t.deepEqual((await pods()).map((p) => `${p.name} ${p.uid} ${p.sandbox!.pid}`), before);
  t.false((await cli(['events'])).includes('SuccessfulCreate'), 'the new daemon created no pod');
});

test.serial('rm deployment/web removes it with its pods and leaves the node empty', async (t) => {
  t.is(await cli(['rm', 'deployment/web']), 'deployment/web\n');
  t.deepEqual(await pods(), []);
  t.like(await node.cli(['get', 'deployments']), { exitCode: 0, stdout: '', stderr: 'No resources found in default namespace.\n' }, 'as kubectl says it');
  const gone = await node.cli(['scale', 'deployment/web', '--replicas=2']);
  t.is(gone.exitCode, 1);
  t.regex(gone.stderr, /deployment web not found/);
  await assertNodeEmpty(t, node);
});

test.serial('a Deployment with a field minipod does not do is refused naming it and what to write, and nothing is made', async (t) => {
  const file = path.join(await tempDir(t, 'minipod-deploy-'), 'rolling.yaml');
  const text = await readFile(EXAMPLE, 'utf8');
  await writeFile(file, text.replace('  replicas: 2\n', '  replicas: 2\n  strategy:\n    type: RollingUpdate\n'));
  const r = await node.cli(['apply', '-f', file]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /spec\.strategy\.type: minipod replaces pods by Recreate only .*write `type: Recreate` or leave strategy out/);
  await assertNodeEmpty(t, node);
});
