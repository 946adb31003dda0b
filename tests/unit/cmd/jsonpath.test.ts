// kubectl's jsonpath templates (-o jsonpath=…) and docker's --format subset, on plain objects.
import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { parseTemplate, renderTemplate } from '../../../cmd/output/jsonpath.js';

const list = {
  kind: 'List',
  items: [
    { metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } }, status: { phase: 'Running', podIP: '10.88.0.2', containerStatuses: [{ name: 'httpd', restartCount: 0 }, { name: 'bootcamp', restartCount: 2 }] } },
    { metadata: { name: 'db' }, status: { phase: 'Pending', containerStatuses: [{ name: 'pg', restartCount: 1 }] } },
  ],
};
const run = (template: string, obj: unknown = list) => renderTemplate(parseTemplate(template), obj);

test('a field path prints its value; strings raw, numbers as numbers', (t) => {
  t.is(run('{.items[0].status.podIP}'), '10.88.0.2');
  t.is(run('{.items[0].status.containerStatuses[1].restartCount}'), '2');
  t.is(run('{$.kind}'), 'List');
});

test('[*] gives every element, joined by a space, as kubectl prints them', (t) => {
  t.is(run('{.items[*].metadata.name}'), 'web db');
  t.is(run('{.items[*].status.containerStatuses[*].name}'), 'httpd bootcamp pg');
});

test('range … end repeats its body for each element, with literal text and {"\\n"}', (t) => {
  t.is(run('{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}'), 'web\tRunning\ndb\tPending\n');
  t.is(run('{range .items}[{.metadata.name}]{end}'), '[web][db]', 'a range over the list itself');
  t.is(run('{range .items[*]}{.metadata.name}:{range .status.containerStatuses[*]} {.name}{end};{end}'), 'web: httpd bootcamp;db: pg;');
});

test('text outside braces is printed, with \\n and \\t escapes', (t) => {
  t.is(run('ip={.items[0].status.podIP}\\n'), 'ip=10.88.0.2\n');
});

test('a missing key prints nothing (kubectl: --allow-missing-template-keys)', (t) => {
  t.is(run('{.items[1].status.podIP}'), '');
  t.is(run('{.items[7].metadata.name}'), '');
  t.is(run('<{.nope.deeper}>'), '<>');
});

test('negative indexes, slices, .* and quoted keys', (t) => {
  t.is(run('{.items[-1].metadata.name}'), 'db');
  t.is(run('{.items[0:1].metadata.name}'), 'web');
  t.is(run("{.items[0].metadata.labels['app.kubernetes.io/name']}"), 'web');
  t.is(run('{.items[0].metadata.labels.app\\.kubernetes\\.io/name}'), 'web', 'a dot escaped in a key');
  t.is(run('{.items[0].status.containerStatuses[0].*}'), 'httpd 0');
});

test('filters select elements by a field', (t) => {
  t.is(run('{.items[?(@.status.phase=="Running")].metadata.name}'), 'web');
  t.is(run('{.items[?(@.status.phase!="Running")].metadata.name}'), 'db');
  t.is(run('{.items[*].status.containerStatuses[?(@.restartCount>0)].name}'), 'bootcamp pg');
  t.is(run('{.items[?(@.status.podIP)].metadata.name}'), 'web', 'existence');
});

test('..name finds a field at any depth', (t) => {
  t.is(run('{..podIP}'), '10.88.0.2');
  t.is(run('{..restartCount}'), '0 2 1');
});

test('an object or list prints as JSON', (t) => {
  t.is(run('{.items[1].metadata}'), '{"name":"db"}');
  t.is(run('{@.items[1].status.containerStatuses}'), '[{"name":"pg","restartCount":1}]');
});

for (const [template, why] of [
  ['{.status.podIP', 'never closed'],
  ['{.a}}', 'closes nothing'],
  ['{range .items[*]}{.x}', 'without its "end"'],
  ['{.x}{end}', '"end" without a "range"'],
  ['{}', 'an empty'],
  ['{status.podIP}', 'fields start with "."'],
  ['{.items[abc]}', 'is not an index'],
  ['{.items[?(@.a==Running)]}', 'quote strings'],
  ['{.items[0}', 'never closed'],
  ['{.metadata.name | upper}', 'is not a field name'],
] as const) {
  test(`a bad template is refused: ${template}`, (t) => {
    const err = t.throws(() => parseTemplate(template), { instanceOf: MinipodError });
    t.is(err?.code, 'INVALID_ARGUMENT');
    t.true(err!.message.includes(why), err!.message);
    t.true(err!.message.startsWith('-o jsonpath: '), 'it names the flag');
    t.true(err!.message.includes(JSON.stringify(template)), 'and the template');
  });
}

test('Go template delimiters for inspect --format: fields, json, range', (t) => {
  const record = { name: 'web', sandbox: { pid: 42, netns: 'net:[4026532000]' }, containers: [{ name: 'a', pid: 1 }, { name: 'b', pid: 2 }] };
  const go = (s: string) => renderTemplate(parseTemplate(s, '--format', 'go'), record);
  t.is(go('{{.sandbox.pid}}'), '42');
  t.is(go('{{ .sandbox.netns }}'), 'net:[4026532000]');
  t.is(go('{{json .sandbox}}'), '{"pid":42,"netns":"net:[4026532000]"}');
  t.is(go('{{json .name}}'), '"web"');
  t.is(go('{{range .containers}}{{.name}}={{.pid}} {{end}}'), 'a=1 b=2 ');
  t.is(go('pid {.sandbox.pid}'), 'pid {.sandbox.pid}', 'single braces are text there');
  t.throws(() => parseTemplate('{{.sandbox.pid}', '--format', 'go'), { message: /^--format: "\{\{" at offset 0 is never closed/ });
  t.throws(() => parseTemplate('{{index .containers 0}}', '--format', 'go'), { message: /fields start with "\."/ });
});
