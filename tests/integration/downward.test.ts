// Environment from the pod itself (issue 12, point 4): fieldRef gives a container the pod's name,
// namespace, uid, IP, node and labels, and $(NAME) in a value or an argument is expanded, for a
// container with an image and one without, as the processes see them (their own output).
import test from 'ava';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { assertNodeEmpty, type TestNode } from '../helpers/node.js';
import { disposeImageNode, startImageNode } from '../helpers/seed.js';

let node: TestNode;
test.before(async () => {
  node = await startImageNode(['busybox.tar']);
});
test.after.always(() => disposeImageNode(node, ['busybox']));

const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
const env = [field('POD_NAME', 'metadata.name'), field('POD_NAMESPACE', 'metadata.namespace'), field('POD_UID', 'metadata.uid'), field('POD_IP', 'status.podIP'), field('NODE', 'spec.nodeName'), field('APP', "metadata.labels['app']"), { name: 'URL', value: 'http://$(POD_IP):8080/' }];
const script = 'echo "$POD_NAME|$POD_NAMESPACE|$POD_UID|$POD_IP|$NODE|$APP|$URL|$1"; sleep 600';

test.serial('a container with an image and one without see the pod\'s fields, and $(NAME) expanded in values and args', async (t) => {
  const created = await node.api.request<PodRecord>('POST', '/pods', {
    metadata: { name: 'dw', labels: { app: 'web_server' } },
    spec: { terminationGracePeriodSeconds: 1, containers: [
      { name: 'img', image: 'busybox', command: ['sh', '-c', script, 'sh', '--bind=$(POD_IP)'], env },
      { name: 'host', command: ['sh', '-c', script, 'sh', '--bind=$(POD_IP)'], env },
    ] },
  });
  const nodeName = (await node.sh(['hostname'])).stdout.trim();
  const want = `dw|default|${created.uid}|${created.ip}|${nodeName}|web_server|http://${created.ip}:8080/|--bind=${created.ip}`;
  for (const c of ['img', 'host']) {
    const out = await waitUntil(async () => (await node.cli(['logs', 'dw', '-c', c])).stdout.trim() || undefined, { timeoutMs: 10_000, everyMs: 50 });
    t.is(out, want, c);
  }
  for (const c of ['img', 'host']) {
    const seen = await node.cli(['exec', 'dw', '-c', c, '--', 'sh', '-c', 'echo "$POD_IP $URL"']);
    t.is(seen.stdout.trim(), `${created.ip} http://${created.ip}:8080/`, `exec into ${c} sees the same env`);
  }
  t.is((await node.cli(['rm', '-f', 'dw'])).exitCode, 0);
  await assertNodeEmpty(t, node);
});

test.serial('an env source minipod does not have is refused before anything is made, saying what to write instead', async (t) => {
  const r = await node.cli(['run', 'x', '-c', 'a=sleep 1']);
  t.is(r.exitCode, 0, r.stderr);
  t.is((await node.cli(['rm', '-f', 'x'])).exitCode, 0);
  const bad = await node.api.request('POST', '/pods', { metadata: { name: 'bad' }, spec: { containers: [{ name: 'c', command: ['true'], env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] } }).catch((e: Error) => e);
  t.regex(String((bad as Error).message), /spec\.containers\[0\]\.env\[0\]\.valueFrom\.secretKeyRef: is not supported: minipod has no ConfigMaps or Secrets/);
  await assertNodeEmpty(t, node);
});
