// The manifests under examples/ that the README points newcomers to, run as written (issue 12,
// "Newcomers"): each must start and do what its comment says. The seed pod and the Deployment have
// suites of their own (seed-pod, deployments).
import path from 'node:path';
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { assertNodeEmpty, curl, ROOT, type TestNode } from '../helpers/node.js';
import { disposeImageNode, startImageNode } from '../helpers/seed.js';

let node: TestNode;
test.before(async () => {
  node = await startImageNode(['busybox.tar', 'httpd.tar']);
});
test.after.always(() => disposeImageNode(node, ['busybox', 'httpd']));

const example = (name: string) => path.join(ROOT, 'examples', name);

async function runExample(t: import('ava').ExecutionContext, file: string, pod: string): Promise<PodRecord> {
  const r = await node.cli(['run', '-f', example(file)]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`^pod/${pod} Running `));
  return node.api.request<PodRecord>('GET', `/pods/${pod}`);
}

test.serial('init-volume.yaml: the init container writes the page into the emptyDir, httpd serves it', async (t) => {
  const p = await runExample(t, 'init-volume.yaml', 'init-volume');
  t.like(p.initContainers?.[0], { state: 'Terminated', reason: 'Completed', exitCode: 0 });
  const page = await curl(node, `http://${p.ip}/`);
  t.is(page.stdout, 'written by the init container of init-volume\n', page.stderr);
  t.is((await node.cli(['rm', '-f', 'init-volume'])).exitCode, 0);
});

test.serial('probes.yaml: ready once its readiness probe passes; the liveness probe keeps it running', async (t) => {
  const p = await runExample(t, 'probes.yaml', 'probed');
  t.true(p.containers[0]!.ready);
  await new Promise((resolve) => setTimeout(resolve, 3000)); // past the liveness probe's initial delay
  const after = await node.api.request<PodRecord>('GET', '/pods/probed');
  t.like(after.containers[0], { state: 'Running', ready: true, restartCount: 0 });
  t.is((await node.cli(['rm', '-f', 'probed'])).exitCode, 0);
});

// What `kubectl run sleeper --image=busybox --dry-run=client -o yaml -- sleep 600` prints, plus a nodeSelector.
const kubectlRun = `apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels:
    run: sleeper
  name: sleeper
spec:
  containers:
  - args:
    - sleep
    - "600"
    image: busybox
    name: sleeper
    resources: {}
  dnsPolicy: ClusterFirst
  restartPolicy: Always
  nodeSelector:
    disktype: ssd
status: {}
`;

test.serial('a manifest as kubectl run --dry-run -o yaml writes it runs; an ignored field is a warning on stderr', async (t) => {
  const r = await node.cli(['apply', '-f', '-'], kubectlRun);
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout, 'pod/sleeper created\n');
  t.is(r.stderr, 'Warning: spec.nodeSelector is ignored: a minipod node runs every pod it is given (there is no scheduler)\n');
  const again = await node.cli(['apply', '-f', '-'], kubectlRun);
  t.is(again.stdout, 'pod/sleeper unchanged\n', 'the dropped fields do not make it look changed');
  const yaml = (await node.cli(['get', 'pod', 'sleeper', '-o', 'yaml'])).stdout;
  const round = await node.cli(['apply', '-f', '-'], yaml);
  t.is(round.stdout, 'pod/sleeper unchanged\n', 'what get -o yaml prints applies again as it is');
  t.is(round.stderr, '');
  t.is((await node.cli(['rm', '-f', 'sleeper'])).exitCode, 0);
});

test.serial('shared-memory.yaml: the reader sees what the writer (user 1000, read-only root) appends to the tmpfs', async (t) => {
  await runExample(t, 'shared-memory.yaml', 'shared');
  const seen = await waitUntil(async () => {
    const out = (await node.cli(['logs', 'shared', '-c', 'reader'])).stdout;
    return /\d\d:\d\d:\d\d/.test(out) ? out : undefined;
  }, { timeoutMs: 10_000, everyMs: 200 });
  t.truthy(seen, 'a time line in the reader\'s log');
  const writer = await node.cli(['exec', 'shared', '-c', 'writer', '--', 'sh', '-c', 'id -u; touch /x 2>&1; df -kP /scratch | tail -n 1']);
  t.regex(writer.stdout, /^1000\n.*Read-only file system\n.*\s8192\s.*\/scratch/s, writer.stdout);
  t.is((await node.cli(['rm', '-f', 'shared'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});
