// The image archives scripts/setup builds (rootfs/images): reproducible byte for byte, loaded by
// podman as the images they name, and working on their own: each rootfs, unpacked by GNU tar and
// run in fresh namespaces (no runtime, no network but a loopback), serves what the real image does.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { requireRoot, ROOT } from '../helpers/node.js';
import { hostTool, httpGet, runImage, unpackArchive, zombieChildren } from '../helpers/image-run.js';
import { isolatedPodman } from '../helpers/podman.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const BUILD = path.join(ROOT, 'rootfs/images/build.mjs');
const IMAGES = { busybox: 'docker.io/library/busybox:latest', httpd: 'docker.io/library/httpd:latest', 'bootcamp-v1': 'docker.io/library/bootcamp:v1' };
const IT_WORKS = '<html><body><h1>It works!</h1></body></html>\n';

let out: string;
const hostname = os.hostname();

test.before(async () => {
  requireRoot();
  out = await mkdtemp(path.join(os.tmpdir(), 'minipod-images-'));
  await execa(process.execPath, [BUILD, '--out', out, '--force'], { timeout: 60_000 });
});
test.after.always(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

test.serial('a second build gives the same bytes, and an unchanged input is not rebuilt', async (t) => {
  const again = await tempDir(t, 'minipod-images-');
  await execa(process.execPath, [BUILD, '--out', again], { timeout: 60_000 });
  for (const name of Object.keys(IMAGES)) t.is(await sha256(path.join(again, `${name}.tar`)), await sha256(path.join(out, `${name}.tar`)), name);
  const before = (await stat(path.join(again, 'busybox.tar'))).mtimeMs;
  const r = await execa(process.execPath, [BUILD, '--out', again]);
  t.regex(r.stdout, /up to date/);
  t.is((await stat(path.join(again, 'busybox.tar'))).mtimeMs, before);
  // A changed input (here the date) is a rebuild with other digests, never a stale skip.
  const dated = await execa(process.execPath, [BUILD, '--out', again], { env: { SOURCE_DATE_EPOCH: '86400' } });
  t.notRegex(dated.stdout, /up to date/);
  t.not(await sha256(path.join(again, 'busybox.tar')), await sha256(path.join(out, 'busybox.tar')));
});

test.serial('a dynamic busybox or an unknown flag is refused with what to do, and nothing is written', async (t) => {
  const dir = await tempDir(t, 'minipod-images-');
  const dynamic = await execa(process.execPath, [BUILD, '--out', dir, '--busybox', await hostTool('ls')], { reject: false });
  t.is(dynamic.exitCode, 1);
  t.regex(dynamic.stderr, /is not a static 64-bit ELF binary .*install Debian's busybox-static/);
  const flag = await execa(process.execPath, [BUILD, '--out', dir, '--outdir', dir], { reject: false });
  t.is(flag.exitCode, 1);
  t.regex(flag.stderr, /Unknown option '--outdir'.*usage: build\.mjs/);
  t.deepEqual(await readdir(dir), []);
});

test.serial('podman loads each archive as the image it names, with its Cmd and ports', async (t) => {
  const cache = '/var/lib/containers/cache';
  const before = existsSync(cache) ? (await readdir(cache)).map(String) : undefined;
  const podman = await isolatedPodman(t);
  for (const [name, ref] of Object.entries(IMAGES)) {
    const r = await podman(['load', '-i', path.join(out, `${name}.tar`)]);
    t.regex(r.stdout, new RegExp(`Loaded image: ${ref.replace(/[.]/g, '\\.')}$`, 'm'));
  }
  const inspect = async (ref: string) => JSON.parse((await podman(['image', 'inspect', ref])).stdout)[0];
  const busybox = await inspect('docker.io/library/busybox:latest');
  t.deepEqual(busybox.RepoTags, ['docker.io/library/busybox:latest']);
  t.deepEqual(busybox.Config.Cmd, ['sh']);
  const httpd = await inspect('docker.io/library/httpd:latest');
  t.deepEqual(httpd.Config.Cmd, ['httpd', '-f', '-v', '-p', '80', '-h', '/usr/local/apache2/htdocs']);
  t.deepEqual(httpd.Config.ExposedPorts, { '80/tcp': {} });
  const bootcamp = await inspect('docker.io/library/bootcamp:v1');
  t.deepEqual(bootcamp.RepoTags, ['docker.io/library/bootcamp:v1']);
  t.deepEqual(bootcamp.Config.ExposedPorts, { '8080/tcp': {} });
  // podman keeps our manifest's digest: it stored the manifest we wrote, not one of its own making.
  const unpacked = await unpackArchive(t, path.join(out, 'bootcamp-v1.tar'));
  t.is(bootcamp.Digest, unpacked.index.manifests[0]!.digest);
  t.is((await podman(['images', '-q'])).stdout.split('\n').length, 3);
  // podman did write its cache, into the tmpfs: the machine's /var/lib is as it was.
  t.regex((await podman.inMounts(['ls', cache])).stdout, /blob-info-cache/);
  t.deepEqual(existsSync(cache) ? (await readdir(cache)).map(String) : undefined, before);
});

test.serial('busybox: a static shell with its applets as hard links, root and nobody, a sticky /tmp', async (t) => {
  const image = await unpackArchive(t, path.join(out, 'busybox.tar'));
  t.is(image.index.manifests[0]!.annotations?.['org.opencontainers.image.ref.name'], IMAGES.busybox);
  t.is(image.config.os, 'linux');
  const bin = await stat(path.join(image.rootfs, 'bin/busybox'));
  t.is((await stat(path.join(image.rootfs, 'bin/sh'))).ino, bin.ino, '/bin/sh is a hard link to busybox');
  t.true(bin.nlink > 100);
  t.is((await stat(path.join(image.rootfs, 'tmp'))).mode & 0o7777, 0o1777);
  t.is(bin.uid, 0);
  t.true((await readdir(path.join(image.rootfs, 'var/www'))).length === 0);
  // Its Cmd, `sh`, runs a script from stdin in the chroot: no library, no NSS, names from /etc.
  const r = await execa(await hostTool('chroot'), [image.rootfs, ...image.config.config.Cmd!], { input: 'id -un; id nobody; ls /lib 2>&1; echo $((6 * 7))\n', reject: false, env: { PATH: '/bin' }, extendEnv: false, timeout: 10_000 });
  t.is(r.stdout, 'root\nuid=65534(nobody) gid=65534(nobody) groups=65534(nobody)\nls: /lib: No such file or directory\n42');
});

test.serial('httpd serves the It works! page on :80 in a network namespace of its own', async (t) => {
  const image = await unpackArchive(t, path.join(out, 'httpd.tar'));
  t.deepEqual(image.config.config.ExposedPorts, { '80/tcp': {} });
  const running = await runImage(t, image, 'web');
  t.is(await httpGet(running, 'http://127.0.0.1:80/'), IT_WORKS);
  t.is(await httpGet(running, 'http://127.0.0.1:80/index.html'), IT_WORKS);
  // It runs, so its /proc is mounted (unshare, outside the chroot, sees it): in its own mount
  // namespace, never in the machine's table.
  t.false((await readFile('/proc/self/mountinfo', 'utf8')).includes(image.rootfs));
  t.true((await readFile(`/proc/${running.proc.pid}/mountinfo`, 'utf8')).includes(`${image.rootfs}/proc`));
});

test.serial('bootcamp:v1 answers every GET on :8080 with the hostname, and reaps what it forks', async (t) => {
  const image = await unpackArchive(t, path.join(out, 'bootcamp-v1.tar'));
  const running = await runImage(t, image, 'web-5c69669756-l6b5b');
  const line = 'Hello Kubernetes bootcamp! | Running on: web-5c69669756-l6b5b | v=1\n';
  t.is(await httpGet(running, 'http://127.0.0.1:8080/'), line);
  t.is(await httpGet(running, 'http://127.0.0.1:8080/any/path?x=1'), line);
  const head = await running.inNet(['curl', '-sS', '-i', '--max-time', '5', 'http://127.0.0.1:8080/']);
  t.true(head.stdout.startsWith('HTTP/1.1 200 OK\r\n'));
  t.true(head.stdout.includes(`\r\nContent-Length: ${line.length}\r\n`));
  // nc is PID 1 here, as in a container: every connection's handler is reaped.
  await waitFor(async () => (await zombieChildren(running.pid)).length === 0, 'no zombie under PID 1', 5_000);
  t.is(os.hostname(), hostname, 'the machine kept its own name');
});
