// kubectl's reading verbs against real pods (issue 12, CLI 1 and 2): get pods / get pod NAME in every
// -o form, inspect --format, describe pod; each fact they print is checked from outside (/proc,
// ip, curl). web has an image container (httpd, under runc) and a host process (sleeper) that was
// killed once, so it has a restart, a last state and events; db is a host process alone.
import { readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import test from 'ava';
import { parse as parseYaml } from 'yaml';
import type { PodRecord } from '../../lib/pod/types.js';
import { waitUntil } from '../../lib/util/wait.js';
import { assertNodeEmpty, CLI, curl, startTestNode, type TestNode } from '../helpers/node.js';
import { execa } from 'execa';
import { importImages } from '../helpers/seed.js';

let node: TestNode;
let web: PodRecord;

const manifest = (name: string, containers: unknown[]) => ({ metadata: { name, labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers } });
const sleeper = { name: 'sleeper', command: ['sleep', 'infinity'] };

async function settled(name: string, check: (p: PodRecord) => boolean): Promise<PodRecord> {
  const pod = await waitUntil(async () => {
    const p = await node.api.request<PodRecord>('GET', `/pods/${name}`);
    return p.phase === 'Running' && check(p) ? p : undefined;
  }, { timeoutMs: 20_000, everyMs: 50 });
  if (!pod) throw new Error(`pod ${name} never settled: ${JSON.stringify(await node.api.request('GET', `/pods/${name}`))}`);
  return pod;
}

/** stdout of a CLI run that must succeed. */
async function cli(...args: string[]): Promise<string> {
  const r = await node.cli(args);
  if (r.exitCode !== 0) throw new Error(`minipod ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

/** A table without its AGE column (it may tick between two runs). */
const withoutAge = (table: string) => table.split('\n').map((l) => l.split(/\s{3,}/).filter((_, i) => i !== 4).join(' '));

test.before(async () => {
  node = await startTestNode();
  await importImages(node, ['httpd.tar']);
  await node.api.request('POST', '/pods', manifest('web', [{ name: 'httpd', image: 'httpd', ports: [{ containerPort: 80 }] }, sleeper]));
  await node.api.request('POST', '/pods', manifest('db', [sleeper]));
  await settled('web', (p) => p.containers.every((c) => c.ready));
  // One restart of the host process: a last state, a restart count and ContainerDied to show.
  const killed = await node.cli(['kill', 'web', '-c', 'sleeper', '-s', 'KILL']);
  if (killed.exitCode !== 0) throw new Error(killed.stderr);
  web = await settled('web', (p) => p.containers.every((c) => c.ready && c.state === 'Running') && p.containers[1]!.restartCount === 1);
  await settled('db', (p) => p.containers[0]!.ready);
});
test.after.always(async () => {
  await node?.cli(['image', 'rm', 'httpd']);
  await node?.dispose();
});

test.serial('get pods, get pod, get po and ps print the same table', async (t) => {
  const ps = await cli('ps');
  t.regex(ps, /^NAME +READY +STATUS +RESTARTS +AGE +IP\n/);
  t.regex(ps, new RegExp(`\\nweb +2/2 +Running +1 +\\S+ +${web.ip.replaceAll('.', '\\.')}\\n`));
  for (const args of [['get', 'pods'], ['get', 'pod'], ['get', 'po'], ['ps', '-o', 'wide'], ['get', 'po', '-owide']]) {
    const out = await cli(...args);
    if (args.at(-1)!.endsWith('wide')) t.deepEqual(withoutAge(out).map((l) => l.split(' ').slice(0, 5).join(' ')), withoutAge(ps).map((l) => l.split(' ').slice(0, 5).join(' ')), 'wide starts with the same columns');
    else t.deepEqual(withoutAge(out), withoutAge(ps), args.join(' '));
  }
});

test.serial('-o wide: NODE, the pause pid, its net:[inode] and the host veth, as the kernel shows them', async (t) => {
  const lines = (await cli('get', 'pods', '-o', 'wide')).trimEnd().split('\n');
  t.deepEqual(lines[0]!.split(/\s+/), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'PAUSE', 'NETNS', 'VETH']);
  for (const line of lines.slice(1)) {
    const [name, , , , , ip, nodeName, pause, netns, veth] = line.split(/\s+/);
    t.is(nodeName, hostname());
    t.is(await readFile(`/proc/${pause}/comm`, 'utf8'), 'pause\n', `${name}: PAUSE is the pause holder`);
    t.is(await readlink(`/proc/${pause}/ns/net`), netns!, `${name}: NETNS is the holder's network namespace`);
    const link = await node.sh(['ip', '-o', 'link', 'show', 'dev', veth!]);
    t.regex(link.stdout, /master minipod0/, `${name}: VETH is on the node's bridge`);
    const eth0 = await node.sh(['nsenter', `--net=/proc/${pause}/ns/net`, 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    t.true(eth0.stdout.includes(` ${ip}/`), `${name}: IP is eth0's in that namespace`);
  }
});

test.serial('-o json: a Pod for get pod NAME, a List for get pods, with the fields kubectl users read', async (t) => {
  const pod = JSON.parse(await cli('get', 'pod', 'web', '-o', 'json')) as Record<string, any>;
  t.like(pod, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: web.uid, labels: { app: 'web' } }, spec: { nodeName: hostname() }, status: { phase: 'Running', podIP: web.ip, podIPs: [{ ip: web.ip }], hostIP: web.gateway } });
  t.is((await curl(node, `http://${pod.status.podIP}:80/`)).stdout, '<html><body><h1>It works!</h1></body></html>\n', 'podIP answers');
  const [httpd, slept] = pod.status.containerStatuses;
  t.like(httpd, { name: 'httpd', image: 'httpd', ready: true, restartCount: 0, started: true });
  t.is(httpd.imageID, `sha256:${web.containers[0]!.imageID}`);
  t.regex(httpd.imageID, /^sha256:[0-9a-f]{64}$/);
  t.regex(httpd.containerID, /^runc:\/\/web-/);
  t.truthy(httpd.state.running.startedAt);
  t.false('image' in slept, 'a host process has no image');
  t.like(slept, { name: 'sleeper', restartCount: 1, lastState: { terminated: { exitCode: 137, signal: 9 } } });
  t.deepEqual(pod.status.conditions.filter((c: any) => c.type === 'Ready'), [{ type: 'Ready', status: 'True' }]);
  const { sandbox, containers } = pod.status.minipod;
  t.is(await readlink(`/proc/${sandbox.pausePid}/ns/net`), sandbox.netns);
  for (const c of containers) t.is(await readlink(`/proc/${c.pid}/ns/net`), sandbox.netns, `${c.name} is in the sandbox`);
  const list = JSON.parse(await cli('get', 'pods', '-o', 'json')) as { kind: string; items: { metadata: { name: string } }[] };
  t.is(list.kind, 'List');
  t.deepEqual(list.items.map((i) => i.metadata.name).sort(), ['db', 'web']);
  const two = JSON.parse(await cli('get', 'pod', 'web', 'db', '-o', 'json')) as { kind: string; items: unknown[] };
  t.is(two.kind, 'List');
  t.is(two.items.length, 2);
});

test.serial('-o yaml is the same object as -o json; -o name prints pod/NAME', async (t) => {
  const yaml = parseYaml(await cli('get', 'pod', 'web', '-o', 'yaml')) as Record<string, any>;
  const json = JSON.parse(await cli('get', 'pod', 'web', '-o', 'json')) as Record<string, any>;
  t.deepEqual(yaml, json);
  t.is(yaml.kind, 'Pod');
  t.deepEqual((await cli('get', 'pods', '-o', 'name')).split('\n').sort(), ['', 'pod/db', 'pod/web']);
  t.is(await cli('get', 'pod', 'web', '-o', 'name'), 'pod/web\n');
  t.is(await cli('get', 'pod/web', '-o', 'name'), 'pod/web\n', "kubectl's pod/NAME");
  t.is(await cli('ps', '-o', 'name'), await cli('get', 'pods', '-o', 'name'));
});

test.serial('-o jsonpath: one field, every name, a range with newlines; -o=jsonpath= and -ojsonpath= too', async (t) => {
  t.is(await cli('get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}'), web.ip);
  t.is(await cli('get', 'pod', 'web', '-o=jsonpath={.status.podIP}'), web.ip);
  t.is(await cli('get', 'pod', 'web', '-ojsonpath={.status.podIP}'), web.ip, "kubectl's glued form");
  t.deepEqual((await cli('get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').sort(), ['db', 'web']);
  const rows = (await cli('get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.minipod.sandbox.netns}{"\\n"}{end}')).trimEnd().split('\n');
  t.is(rows.length, 2);
  for (const row of rows) {
    const [name, netns] = row.split('\t');
    const record = await node.api.request<PodRecord>('GET', `/pods/${name}`);
    t.is(netns, await readlink(`/proc/${record.sandbox!.pid}/ns/net`));
  }
  t.is(await cli('get', 'pod', 'web', '-o', 'jsonpath={.status.containerStatuses[?(@.name=="sleeper")].restartCount}'), '1');
});

test.serial('inspect --format and -o jsonpath print one field of the record', async (t) => {
  const pid = await cli('inspect', 'web', '--format', '{{.sandbox.pid}}');
  t.is(pid, `${web.sandbox!.pid}\n`);
  t.is(await readFile(`/proc/${pid.trim()}/comm`, 'utf8'), 'pause\n');
  t.is(await cli('inspect', 'web', '-f', '{{range .containers}}{{.name}} {{end}}'), 'httpd sleeper \n');
  const httpdPid = await cli('inspect', 'web', '-o', 'jsonpath={.containers[?(@.name=="httpd")].pid}');
  t.is(await readlink(`/proc/${httpdPid}/ns/net`), web.sandbox!.netns, "the httpd pid is in the pod's network namespace");
  t.not(await readlink(`/proc/${httpdPid}/ns/mnt`), await readlink(`/proc/${web.sandbox!.pid}/ns/mnt`), 'with a mount namespace of its own');
  t.deepEqual(JSON.parse(await cli('inspect', 'web', '--format', '{{json .sandbox}}')), JSON.parse(await cli('inspect', 'web')).sandbox);
});

test.serial('describe pod NAME: the header, each container, the sandbox, conditions and events, as kubectl describe', async (t) => {
  const text = await cli('describe', 'pod', 'web');
  const pause = web.sandbox!.pid;
  for (const line of ['Name:                  web', 'Namespace:             default', `Node:                  ${hostname()}/${web.gateway}`, 'Labels:                app=web', 'Status:                Running', `IP:                    ${web.ip}`, 'Restart Policy:        Always']) {
    t.true(text.includes(`${line}\n`), line);
  }
  t.regex(text, /\nStart Time: +\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\n/);
  t.true(text.includes(`Sandbox:\n  Pause PID:  ${pause}\n  Network:    ${await readlink(`/proc/${pause}/ns/net`)}\n  Host Veth:  ${web.sandbox!.hostVeth} (on minipod0)\n`), text);
  const httpd = web.containers[0]!;
  t.regex(text, new RegExp(`\\n  httpd:\\n    Container ID: +${httpd.containerID}\\n    Image: +httpd\\n    Image ID: +sha256:${httpd.imageID}\\n    Port: +80/TCP\\n`));
  t.true(text.includes(`    Namespaces:     ${await readlink(`/proc/${httpd.pid}/ns/net`)} ${await readlink(`/proc/${httpd.pid}/ns/mnt`)} ${await readlink(`/proc/${httpd.pid}/ns/pid`)}\n`), 'namespaces read from /proc');
  t.regex(text, /\n  sleeper:\n    Container ID: +nsenter:\/\/\S+\n    Image: +<none> \(a process on the node, started with nsenter\)\n/);
  t.regex(text, /    Last State: +Terminated\n      Reason: +\w+\n      Exit Code: +137\n/);
  t.regex(text, /    Restart Count: +1\n/);
  t.regex(text, /\nConditions:\n  Type +Status\n  PodReadyToStartContainers +True\n  Initialized +True\n  Ready +True\n/);
  t.regex(text, /\nEvents:\n  Type +Reason +Age +From +Message\n  ---- +------ +---- +---- +-------\n/);
  for (const reason of ['SandboxCreated', 'NetworkReady', 'ContainerStarted', 'ContainerDied']) t.regex(text, new RegExp(`\\n  \\w+ +${reason} +\\d+[smhd] +minipod +`), reason);
  t.regex(text, /\n  Warning +ContainerDied +\d+s +minipod +container sleeper: pid \d+ exited with SIGKILL\n/);
  const short = await cli('describe', 'web');
  t.deepEqual(short.split('\n').length, text.split('\n').length, 'describe NAME is describe pod NAME');
  const all = await cli('describe', 'pods');
  t.true(all.includes('Name:                  web\n') && all.includes('Name:                  db\n'), 'describe pods: every pod');
});

test.serial('bad input is refused with the flag named, a non-zero exit, and nothing changed', async (t) => {
  const before = (await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods.map((p) => [p.name, p.uid, p.sandbox?.pid]);
  for (const [args, code, message] of [
    [['get', 'pods', '-o', 'xml'], 2, /^minipod: -o "xml" is not an output format: use wide, json, yaml, name or jsonpath=TEMPLATE\n/],
    [['get', 'pod', 'web', '-o', 'jsonpath={.status'], 2, /^minipod: -o jsonpath: "\{" at offset 0 is never closed in template/],
    [['get', 'pod', 'web', '-o', 'jsonpath'], 2, /needs a template after "="/],
    [['ps', '-o', 'json', '--json'], 2, /--json and -o cannot be used together/],
    [['get', 'deploy', 'nosuch', '-o', 'yaml'], 1, /^minipod: deployment nosuch not found/],
    [['get', 'pod', 'nope'], 1, /nope/],
    [['get', 'svc'], 2, /^minipod: get svc: minipod has deployments and pods/],
    [['get', 'deployment/nosuch'], 1, /^minipod: deployment nosuch not found/],
    [['inspect', 'web', '--format', '{{.sandbox.pid'], 2, /^minipod: --format: "\{\{" at offset 0 is never closed/],
    [['inspect', 'web', '-o', 'yaml'], 2, /inspect prints json or jsonpath=TEMPLATE/],
    [['describe', 'deployment/web'], 1, /^minipod: deployment web not found/],
    [['describe', 'svc', 'web'], 2, /^minipod: describe svc web: minipod describes pods and deployments/],
    [['describe', 'deploy/web', 'web'], 2, /give TYPE\/NAME or TYPE NAME, not both/],
    [['describe', 'deploy/'], 2, /^minipod: describe deploy\/: minipod describes pods and deployments/],
    [['describe', 'pod', 'nope'], 1, /nope/],
  ] as const) {
    const r = await node.cli([...args]);
    t.is(r.exitCode, code, args.join(' '));
    t.regex(r.stderr, message, args.join(' '));
    t.is(r.stdout, '', `${args.join(' ')} prints nothing on stdout`);
  }
  t.deepEqual((await node.api.request<{ pods: PodRecord[] }>('GET', '/pods')).pods.map((p) => [p.name, p.uid, p.sandbox?.pid]), before);
});

test.serial('ps -w -o wide: the table, then a row each time a pod changes (kill --sandbox: a new pause), none for one that did not', async (t) => {
  const watch = execa(process.execPath, [CLI, 'ps', '-w', '-o', 'wide'], { env: { MINIPOD_SOCKET: node.socket }, reject: false });
  let out = '';
  watch.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  t.teardown(() => void watch.kill());
  const lines = () => out.split('\n').filter(Boolean);
  await waitUntil(async () => lines().length >= 3 || undefined, { timeoutMs: 10_000, everyMs: 20 });
  t.regex(lines()[0]!, /^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +PAUSE +NETNS +VETH$/);
  const before = await node.api.request<PodRecord>('GET', '/pods/db');
  t.is((await node.cli(['kill', 'db', '--sandbox'])).exitCode, 0);
  const after = await settled('db', (p) => p.sandbox!.pid !== before.sandbox!.pid && p.containers[0]!.ready);
  const row = await waitUntil(async () => lines().slice(3).find((l) => l.startsWith('db ') && l.includes(` ${after.sandbox!.pid} `) && / Running /.test(l)), { timeoutMs: 10_000, everyMs: 20 });
  t.truthy(row, `a row for db with its new pause ${after.sandbox!.pid}:\n${out}`);
  t.regex(row ?? '', new RegExp(`^db +1/1 +Running +1 +\\S+ +${after.ip.replace(/\./g, '\\.')} +\\S+ +${after.sandbox!.pid} +${after.sandbox!.netns.replace(/[[\]]/g, '\\$&')} +${after.sandbox!.hostVeth}$`));
  await new Promise((resolve) => setTimeout(resolve, 1500)); // a refresh or two more
  t.false(lines().slice(3).some((l) => l.startsWith('web ')), 'web did not change: no row for it');
  // A pod made and removed: a row as it comes, and a last one, Terminating, once it is gone (as kubectl's).
  await node.api.request('POST', '/pods', manifest('brief', [sleeper]));
  await settled('brief', (p) => p.containers[0]!.ready);
  t.truthy(await waitUntil(async () => lines().some((l) => /^brief +1\/1 +Running /.test(l)) || undefined, { timeoutMs: 10_000, everyMs: 20 }), out);
  t.is((await node.cli(['rm', '-f', 'brief'])).exitCode, 0);
  t.truthy(await waitUntil(async () => lines().some((l) => /^brief +\d\/1 +Terminating /.test(l)) || undefined, { timeoutMs: 10_000, everyMs: 20 }), out);
  watch.kill('SIGINT');
  t.is((await watch).signal, 'SIGINT', 'Ctrl-C ends it');
  const bad = await node.cli(['get', 'pods', '-w', '-o', 'json']);
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /^minipod: -w prints the table/);
  t.is((await node.cli(['get', 'deploy', '-w'])).exitCode, 2);
  web = await node.api.request<PodRecord>('GET', '/pods/web');
});

test.serial('the pods removed, nothing is left on the node', async (t) => {
  t.is((await node.cli(['rm', '-f', 'web', 'db'])).exitCode, 0);
  // As kubectl: an empty listing prints nothing on stdout (no header) and says so on stderr, exit 0.
  const none = { exitCode: 0, stdout: '', stderr: 'No resources found in default namespace.\n' };
  for (const args of [['ps'], ['get', 'pods'], ['get', 'pods', '-o', 'wide'], ['get', 'pods', '-o', 'name'], ['describe', 'pods']]) t.like(await node.cli(args), none, args.join(' '));
  t.like(await node.cli(['ps', '-n', 'kube-system']), { exitCode: 0, stdout: '', stderr: 'No resources found in kube-system namespace.\n' });
  t.like(await node.cli(['ps', '-A']), { exitCode: 0, stdout: '', stderr: 'No resources found\n' });
  t.like(await node.cli(['ps', '--json']), { exitCode: 0, stdout: '[]\n', stderr: '' });
  t.deepEqual(JSON.parse(await cli('get', 'pods', '-o', 'json')), { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [] });
  await assertNodeEmpty(t, node);
});
