import test from 'ava';
import { MinipodError } from '../../../lib/errors.js';
import { findImage } from '../../../lib/image/lookup.js';
import type { ImageRecord } from '../../../lib/image/records.js';
import { formatReference, idPrefix, normalizeTag, parseReference, splitRepoTag } from '../../../lib/image/reference.js';

const norm = (raw: string) => formatReference(parseReference(raw));
const D = `sha256:${'a'.repeat(64)}`;

test('short names normalize by Docker and Kubernetes rules', (t) => {
  t.is(norm('httpd'), 'docker.io/library/httpd:latest');
  t.is(norm('bootcamp:v1'), 'docker.io/library/bootcamp:v1');
  t.is(norm('docker.io/httpd'), 'docker.io/library/httpd:latest');
  t.is(norm('index.docker.io/library/httpd:2'), 'docker.io/library/httpd:2');
  t.is(norm('jocatalin/kubernetes-bootcamp:v1'), 'docker.io/jocatalin/kubernetes-bootcamp:v1');
  t.is(norm('localhost/foo:1'), 'localhost/foo:1');
  t.is(norm('localhost:5000/foo'), 'localhost:5000/foo:latest');
  t.is(norm('quay.io/a/b'), 'quay.io/a/b:latest');
  t.is(norm(`httpd@${D}`), `docker.io/library/httpd@${D}`);
  t.is(norm(`httpd:2@${D}`), `docker.io/library/httpd:2@${D}`);
});

test('bad references are refused naming what is wrong', (t) => {
  const bad = (raw: string, what: RegExp) => {
    const err = t.throws(() => parseReference(raw), { instanceOf: MinipodError });
    t.is(err.code, 'INVALID_ARGUMENT');
    t.regex(err.message, what, raw);
  };
  bad('', /empty/);
  bad('HTTPD', /lowercase/);
  bad('httpd:', /tag ""/);
  bad('httpd:-x', /tag "-x"/);
  bad('httpd@sha256:abc', /digest/);
  bad('a//b', /component/);
  bad('a b', /white space/);
  bad('foo_:1', /component/);
  bad('my-registry:port/x', /port/);
  bad('a'.repeat(64), /image ID/);
  t.throws(() => normalizeTag(`httpd@${D}`), { message: /not a digest/ });
});

test('ID prefixes: 12 to 64 hex, sha256: allowed', (t) => {
  t.is(idPrefix('0123456789ab'), '0123456789ab');
  t.is(idPrefix(`sha256:${'b'.repeat(64)}`), 'b'.repeat(64));
  t.is(idPrefix('0123456789a'), undefined);
  t.is(idPrefix('httpd'), undefined);
});

test('image ls shows REPOSITORY and TAG as podman does', (t) => {
  t.deepEqual(splitRepoTag('docker.io/library/httpd:latest'), { repository: 'docker.io/library/httpd', tag: 'latest' });
  t.deepEqual(splitRepoTag('localhost:5000/foo:1'), { repository: 'localhost:5000/foo', tag: '1' });
});

const record = (id: string, repoTags: string[], repoDigests: string[] = []): ImageRecord => ({
  id, repoTags, repoDigests, manifestDigest: null, layers: [], size: 0, created: null, importedAt: new Date().toISOString(), architecture: null, os: null, config: {},
});

test('lookup by tag, by digest, by ID and unique prefix', (t) => {
  const a = record(`abcdef012345${'0'.repeat(52)}`, ['docker.io/library/httpd:latest'], [`docker.io/library/httpd@${D}`]);
  const b = record(`abcdef012399${'0'.repeat(52)}`, ['docker.io/library/bootcamp:v1']);
  const images = [a, b];
  t.is(findImage(images, 'httpd').record, a);
  t.is(findImage(images, 'httpd').tag, 'docker.io/library/httpd:latest');
  t.is(findImage(images, 'bootcamp:v1').record, b);
  t.is(findImage(images, `httpd@${D}`).record, a);
  t.is(findImage(images, a.id).record, a);
  t.is(findImage(images, 'abcdef012345').record, a);
  t.is(findImage(images, `sha256:${b.id}`).record, b);
  t.throws(() => findImage(images, 'abcdef0123'), { message: /not found.*minipod image import/ }); // 10 hex: a name, not a prefix
  const err = t.throws(() => findImage([a, record(`abcdef012345${'1'.repeat(52)}`, [])], 'abcdef012345'));
  t.regex(err.message, /matches 2 images/);
  t.throws(() => findImage(images, 'bootcamp'), { message: /image bootcamp \(docker.io\/library\/bootcamp:latest\) not found: nothing is pulled, import it with `minipod image import FILE`/ });
});
