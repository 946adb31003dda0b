// The seed examples as suites run them: the seed pod (examples/seed-pod.yaml) names the images
// httpd and bootcamp:v1, so they must be in the node's store first, imported from the archives
// `npm run images` builds; the host example (examples/host-pod.yaml) runs node apps, no image.
import path from 'node:path';
import type { NodeOptions } from '../../lib/node/node-namespace.js';
import { ROOT, startTestNode, type TestNode } from './node.js';

export const IMAGES = path.join(ROOT, 'rootfs/images/out');
/** The archives of the images the seed pod names. */
export const SEED_ARCHIVES = ['httpd.tar', 'bootcamp-v1.tar'];

/** `minipod image import` each archive (names under rootfs/images/out) into the node; throws with its stderr. */
export async function importImages(node: TestNode, archives: string[]): Promise<void> {
  for (const archive of archives) {
    const r = await node.cli(['image', 'import', path.join(IMAGES, archive)]);
    if (r.exitCode !== 0) throw new Error(`image import ${archive}: ${r.stderr.trim()} (the archives come from \`npm run images\`)`);
  }
}

/** The images examples/seed-pod.yaml runs, imported into the node. */
export const importSeedImages = (node: TestNode) => importImages(node, SEED_ARCHIVES);

/** A suite's node with these archives imported (its test.before); one that fails to import is stopped. */
export async function startImageNode(archives: string[], opts: NodeOptions = {}): Promise<TestNode> {
  const node = await startTestNode(opts);
  try {
    await importImages(node, archives);
  } catch (err) {
    await node.dispose();
    throw err;
  }
  return node;
}

/** Its test.after.always: the images first (removing them must leave nothing either), then the node. */
export async function disposeImageNode(node: TestNode | undefined, refs: string[]): Promise<void> {
  for (const ref of refs) await node?.cli(['image', 'rm', ref]);
  await node?.dispose();
}
