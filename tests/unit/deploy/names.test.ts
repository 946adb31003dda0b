// Deployment pod names: Kubernetes' alphabet and shape, and a template hash that depends on the
// template only (not on key order), and changes with it.
import test from 'ava';
import { ALPHABET, fnv32a, podNameFor, randomSuffix, templateHash, templateText } from '../../../lib/deploy/names.js';
import { DNS_LABEL } from '../../../lib/manifest/pod-spec.js';

const template = { metadata: { labels: { app: 'web_server' } }, spec: { containers: [{ name: 'httpd', image: 'httpd' }] } };

test('FNV-1a 32 matches the reference values', (t) => {
  t.is(fnv32a(''), 0x811c9dc5);
  t.is(fnv32a('a'), 0xe40c292c);
  t.is(fnv32a('foobar'), 0xbf9cf968);
});

test('the template hash is 10 characters of the alphabet, stable, and blind to key order', (t) => {
  const h = templateHash(template);
  t.regex(h, new RegExp(`^[${ALPHABET}]{10}$`));
  t.is(templateHash(template), h);
  t.is(templateHash({ spec: { containers: [{ image: 'httpd', name: 'httpd' }] }, metadata: { labels: { app: 'web_server' } } }), h);
  t.is(templateText({ b: 1, a: [2, { d: 3, c: undefined }], e: {} }), '{"a":[2,{"d":3}],"b":1,"e":{}}', 'empty objects kept: the hashes of running templates depend on it');
});

test('a changed template changes the hash', (t) => {
  const changed = { ...template, spec: { containers: [{ name: 'httpd', image: 'httpd:2' }] } };
  t.not(templateHash(changed), templateHash(template));
});

test('pod names are NAME-<hash>-<5 of the alphabet>, DNS labels even for the longest Deployment name', (t) => {
  const suffixes = new Set(Array.from({ length: 50 }, () => randomSuffix()));
  for (const s of suffixes) t.regex(s, new RegExp(`^[${ALPHABET}]{5}$`));
  t.true(suffixes.size > 40, 'suffixes are random');
  const name = podNameFor('w'.repeat(46), templateHash(template));
  t.is(name.length, 63);
  t.regex(name, DNS_LABEL);
  t.is(podNameFor('web', 'abcdfghjkl', 'xyz22'), 'web-abcdfghjkl-xyz22');
});
