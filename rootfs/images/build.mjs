#!/usr/bin/env node
// `npm run images` (and scripts/setup): build the busybox, httpd and bootcamp:v1 image archives
// from the static busybox Debian's busybox-static installs. Skips the work when nothing they are
// made of changed since the last build (the inputs' digest is kept beside the archives).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ociArchive } from './oci.mjs';
import { recipes } from './recipes.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const ARCH = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

function fail(message) {
  console.error(`images: ${message}`);
  process.exit(1);
}

/** A static binary has no PT_INTERP program header: it runs in an image with no /lib at all. */
function isStatic(elf) {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return false; // 64-bit little-endian ELF only
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const size = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  for (let i = 0; i < count; i++) if (elf.readUInt32LE(phoff + i * size) === 3) return false;
  return true;
}

function readInputs(busyboxPath) {
  if (!existsSync(busyboxPath)) fail(`${busyboxPath} is missing: install Debian's busybox-static (scripts/setup does)`);
  const busybox = readFileSync(busyboxPath);
  if (!isStatic(busybox)) fail(`${busyboxPath} is not a static 64-bit ELF binary (it loads libraries an image does not have): install Debian's busybox-static instead of busybox (scripts/setup does)`);
  const applets = execFileSync(busyboxPath, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const banner = execFileSync(busyboxPath, ['--help'], { encoding: 'utf8' }).split('\n')[0].replace(/ multi-call binary\.$/, '');
  // The images' date: SOURCE_DATE_EPOCH as reproducible builds define it, else the binary's own
  // (dpkg keeps the package's mtime), never the time of the build.
  const epoch = process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) : Math.floor(statSync(busyboxPath).mtimeMs / 1000);
  if (!Number.isInteger(epoch) || epoch < 0) fail(`SOURCE_DATE_EPOCH=${process.env.SOURCE_DATE_EPOCH}: expected seconds since 1970 (an integer)`);
  const architecture = ARCH[process.arch] ?? fail(`no OCI architecture name for node's ${process.arch}`);
  return { busybox, applets, banner, bootcamp: readFileSync(path.join(HERE, 'files/bootcamp')), created: new Date(epoch * 1000), architecture };
}

/** Everything the archives' bytes depend on: the inputs, this code, tar's encoder, zlib's deflate. */
function inputsDigest(inputs) {
  const h = createHash('sha256');
  for (const f of ['build.mjs', 'oci.mjs', 'recipes.mjs', 'files/bootcamp']) h.update(readFileSync(path.join(HERE, f)));
  h.update(inputs.busybox).update(JSON.stringify([inputs.applets, inputs.banner, inputs.created, inputs.architecture]));
  h.update(readFileSync(path.join(ROOT, 'node_modules/tar/package.json'))).update(process.versions.zlib);
  return h.digest('hex');
}

const { values } = (() => {
  try {
    return parseArgs({ options: { out: { type: 'string' }, busybox: { type: 'string' }, force: { type: 'boolean' } } });
  } catch (err) {
    return fail(`${err.message} (usage: build.mjs [--out DIR] [--busybox PATH] [--force])`);
  }
})();
const out = path.resolve(values.out ?? path.join(HERE, 'out'));
const inputs = readInputs(values.busybox ?? '/bin/busybox');
const images = recipes(inputs);
const digest = inputsDigest(inputs);
const stamp = path.join(out, 'inputs.sha256');
const archives = images.map((image) => path.join(out, `${image.name}.tar`));
if (!values.force && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest && archives.every((a) => existsSync(a))) {
  console.log(`images: up to date in ${path.relative(process.cwd(), out) || '.'}`);
  process.exit(0);
}
mkdirSync(out, { recursive: true });
for (const [i, image] of images.entries()) {
  const built = ociArchive(image);
  // Written whole, then renamed: a reader (or an interrupted build) never sees half an archive.
  writeFileSync(`${archives[i]}.part`, built.archive);
  renameSync(`${archives[i]}.part`, archives[i]);
  const mb = (built.archive.length / 1e6).toFixed(2);
  console.log(`images: ${image.ref} → ${path.relative(process.cwd(), archives[i])} (${mb} MB, id ${built.configDigest.slice(7, 19)}, manifest ${built.manifestDigest})`);
}
writeFileSync(stamp, `${digest}\n`);
