// `minipod image import|ls|inspect|rm`: the node's images (lib/image/store.ts, in the daemon).
// Nothing is pulled: images come from archives made by `docker save`, `podman save` or skopeo.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Argv } from 'yargs';
import type { ImageList, ImageRemoved } from '../../lib/api/protocol.js';
import { MinipodError } from '../../lib/errors.js';
import type { ImageRecord } from '../../lib/image/records.js';
import { splitRepoTag } from '../../lib/image/reference.js';
import { client } from '../client.js';
import { age, fail, usage, verb, type GlobalArgs } from '../common.js';
import { printTable } from '../output/pods.js';

type Args = { action: 'import' | 'ls' | 'inspect' | 'rm'; target?: string; json?: boolean };

/** 1.2 kB, 5.3 MB, 2.1 GB: decimal units, as podman and crictl show sizes. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${n < 10 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

/** One row per tag (an untagged image: one <none> row), newest import first, as `podman images`. */
export function imageRows(images: ImageRecord[], now = Date.now()): string[][] {
  return images.flatMap((i) => {
    const tags = i.repoTags.length ? i.repoTags.map(splitRepoTag) : [{ repository: '<none>', tag: '<none>' }];
    return tags.map(({ repository, tag }) => [repository, tag, i.id.slice(0, 12), humanSize(i.size), i.created ? age(i.created, now) : '<unknown>']);
  });
}

async function importArchive(argv: GlobalArgs, target: string): Promise<ImageRecord[]> {
  if (target === '-') {
    if (process.stdin.isTTY) throw new MinipodError('INVALID_ARGUMENT', 'image import - reads the archive from stdin, which is a terminal: pipe one in (podman save IMAGE | minipod image import -)');
    return (await client(argv).upload<ImageList>('POST', '/images', process.stdin)).images;
  }
  const st = await stat(target).catch(() => undefined);
  if (!st?.isFile()) throw new MinipodError('INVALID_ARGUMENT', `image import: ${target} is not a file: give an archive made by \`docker save\` or \`podman save\` (or - for stdin)`);
  return (await client(argv).upload<ImageList>('POST', '/images', createReadStream(target), st.size)).images;
}

export const image = verb<Args>({
  command: 'image <action> [target]',
  describe: 'Images: import FILE|- | ls | inspect REF | rm REF (nothing is pulled: import archives from docker/podman save)',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['import', 'ls', 'inspect', 'rm'] as const, describe: 'What to do' })
      .positional('target', { type: 'string', describe: 'import: an archive file, or - for stdin; inspect, rm: a reference (httpd, bootcamp:v1) or an image ID' })
      .option('json', { type: 'boolean', default: false, describe: 'ls: print the image records as JSON' })
      .example('$0 image import httpd.tar', 'import a docker-archive or OCI archive')
      .example('podman save localhost/t:1 | $0 image import -', 'import from a pipe')
      .example('$0 image rm httpd', 'remove docker.io/library/httpd:latest'),
  handler: async (argv) => {
    const { action } = argv;
    // yargs reads a lone "-" (stdin, as for tar and docker load) as an empty string.
    const target = argv.target === '' && process.argv.includes('-') ? '-' : argv.target;
    if (action === 'ls' && target) usage('image ls takes no argument');
    if (action !== 'ls' && !target) usage(`image ${action} needs ${action === 'import' ? 'an archive file (or - for stdin)' : 'an image reference or ID'}`);
    try {
      const api = client(argv);
      if (action === 'import') {
        for (const i of await importArchive(argv, target!)) process.stdout.write(`${i.id}${i.repoTags.length ? ` ${i.repoTags.join(' ')}` : ''}\n`);
      } else if (action === 'ls') {
        const { images } = await api.request<ImageList>('GET', '/images');
        if (argv.json) return void process.stdout.write(`${JSON.stringify(images, null, 2)}\n`);
        await printTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE', 'CREATED'], imageRows(images));
      } else if (action === 'inspect') {
        const record = await api.request<ImageRecord>('GET', `/images/${encodeURIComponent(target!)}`);
        process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
      } else {
        const r = await api.request<ImageRemoved>('DELETE', `/images/${encodeURIComponent(target!)}`);
        for (const t of r.untagged) process.stdout.write(`Untagged: ${t}\n`);
        if (r.deleted) process.stdout.write(`Deleted: ${r.deleted}\n`);
      }
    } catch (err) {
      fail(err);
    }
  },
});
