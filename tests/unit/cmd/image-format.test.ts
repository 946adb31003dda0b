// `minipod image ls`: one row per tag, podman's REPOSITORY and TAG, 12-hex IDs, decimal sizes.
import test from 'ava';
import { humanSize, imageRows } from '../../../cmd/commands/image.js';
import type { ImageRecord } from '../../../lib/image/records.js';

test('sizes in decimal units, as podman and crictl show them', (t) => {
  t.is(humanSize(0), '0 B');
  t.is(humanSize(999), '999 B');
  t.is(humanSize(1986560), '2.0 MB');
  t.is(humanSize(15_300_000), '15 MB');
  t.is(humanSize(5 * 1000 ** 3), '5.0 GB');
});

const record = (repoTags: string[]): ImageRecord => ({
  id: `5d60bac69434${'0'.repeat(52)}`, repoTags, repoDigests: [], manifestDigest: null, layers: [], size: 1986560, created: '2024-06-01T11:00:00.000Z', importedAt: '2024-06-01T11:00:00.000Z', architecture: 'amd64', os: 'linux', config: {},
});

test('one row per tag; an untagged image is <none> <none>', (t) => {
  const now = Date.parse('2024-06-01T12:00:00.000Z');
  t.deepEqual(imageRows([record(['docker.io/library/httpd:latest', 'localhost/t:1']), record([])], now), [
    ['docker.io/library/httpd', 'latest', '5d60bac69434', '2.0 MB', '60m'],
    ['localhost/t', '1', '5d60bac69434', '2.0 MB', '60m'],
    ['<none>', '<none>', '5d60bac69434', '2.0 MB', '60m'],
  ]);
});
