// What every `-f FILE` takes (run, apply, delete): a manifest file, or `-` for stdin, of one or
// more documents, all checked before anything is sent; working directories anchored.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestDocument } from '../lib/manifest/documents.js';
import { MinipodError } from '../lib/errors.js';
import { usage } from './common.js';

/**
 * Containers without an image run in their workingDir on the node; a relative one (or none) is
 * taken relative to the manifest's directory (the current directory for stdin or --container),
 * so examples run from anywhere. A container with an image keeps its own (else the image's).
 */
export function anchorWorkingDirs(spec: Record<string, any> | undefined, base: string): void {
  for (const c of spec?.containers ?? []) {
    if (c && typeof c === 'object' && !c.image) c.workingDir = path.resolve(base, typeof c.workingDir === 'string' ? c.workingDir : '.');
  }
}

/** `-f -`: yargs hands a lone "-" over as "" (as `image import -` found). */
export function isStdin(file: string): boolean {
  return file === '-' || (file === '' && process.argv.includes('-'));
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new MinipodError('INVALID_ARGUMENT', '-f - reads the manifest from stdin, which is a terminal: pipe one in (cat pod.yaml | minipod apply -f -)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The text of -f FILE (or stdin for -). */
async function manifestText(file: string): Promise<string> {
  if (file === '' && !isStdin(file)) usage('-f needs a file, or - for stdin: `-f pod.yaml` (a bare -f, as kubectl says: flag needs an argument)');
  return isStdin(file)
    ? readStdin()
    : readFile(file, 'utf8').catch((e: Error) => {
        throw new MinipodError('INVALID_ARGUMENT', `cannot read ${file}: ${e.message}`);
      });
}

/** What `delete -f` deletes: each object's kind, name and namespace, its spec unchecked. */
export async function readObjectNames(file: string, namespace?: string): Promise<{ kind: string; name: string; namespace: string }[]> {
  const text = await manifestText(file);
  const { namedObjects } = await import('../lib/manifest/documents.js');
  return namedObjects(text, isStdin(file) ? 'stdin' : file, namespace);
}

/** Every Pod and Deployment of the file (or stdin), validated, or one error naming each bad document; in -n's namespace if given. */
export async function readManifests(file: string, namespace?: string): Promise<ManifestDocument[]> {
  const text = await manifestText(file);
  // Loaded here, not at start-up: yaml and zod cost ~150 ms that other verbs need not pay.
  const { parseDocuments } = await import('../lib/manifest/documents.js');
  const stdin = isStdin(file);
  const docs = parseDocuments(text, stdin ? 'stdin' : file, namespace);
  // As kubectl shows the API server's warnings: on stderr, the object named when there are several.
  for (const d of docs) for (const w of d.warnings ?? []) process.stderr.write(`Warning: ${docs.length > 1 ? `${d.kind.toLowerCase()}/${d.manifest.metadata.name}: ` : ''}${w}\n`);
  const base = stdin ? process.cwd() : path.dirname(path.resolve(file));
  for (const d of docs) anchorWorkingDirs(d.kind === 'Pod' ? d.manifest.spec : d.manifest.spec.template.spec, base);
  return docs;
}
