// What every `-f FILE` takes (run, apply, delete): a manifest file, a directory of them, or `-`
// for stdin, of one or more documents, all checked before anything is sent; working directories
// anchored.
import { readdir, readFile, stat } from 'node:fs/promises';
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

/** What -f names: stdin, a file, or a directory's .json, .yaml and .yml files in name order (kubectl's, not recursing); each with its name and directory. */
async function manifestTexts(file: string): Promise<{ text: string; source: string; base: string }[]> {
  if (isStdin(file)) return [{ text: await manifestText(file), source: 'stdin', base: process.cwd() }];
  if (!(await stat(file).catch(() => undefined))?.isDirectory()) return [{ text: await manifestText(file), source: file, base: path.dirname(path.resolve(file)) }];
  const names = (await readdir(file)).filter((n) => /\.(json|ya?ml)$/.test(n)).sort();
  if (!names.length) throw new MinipodError('INVALID_ARGUMENT', `${file}: no manifest in this directory: -f reads a directory's .json, .yaml and .yml files, as kubectl does`);
  return Promise.all(names.map(async (n) => ({ text: await manifestText(path.join(file, n)), source: path.join(file, n), base: path.resolve(file) })));
}

/** Each file's parse, or one error with every file's problems (all are checked before any is used), each naming its file when there are several. */
function perFile<T>(files: { source: string }[], parse: (i: number) => T[]): T[] {
  const out: T[] = [];
  const errors: string[] = [];
  files.forEach(({ source }, i) => {
    try {
      out.push(...parse(i));
    } catch (err) {
      if (!(err instanceof MinipodError) || err.code !== 'INVALID_ARGUMENT' || files.length === 1) throw err;
      for (const e of err.details.length ? (err.details as string[]) : [err.message]) errors.push(e.startsWith(`${source}: `) ? e : `${source}: ${e}`);
    }
  });
  if (errors.length) throw new MinipodError('INVALID_ARGUMENT', errors.join('; '), { details: errors });
  return out;
}

/** What `delete -f` deletes: each object's kind, name and namespace, its spec unchecked. */
export async function readObjectNames(file: string, namespace?: string): Promise<{ kind: string; name: string; namespace: string }[]> {
  const files = await manifestTexts(file);
  const { namedObjects } = await import('../lib/manifest/documents.js');
  return perFile(files, (i) => namedObjects(files[i]!.text, files[i]!.source, namespace));
}

/** Every Pod and Deployment of the file (or stdin), validated, or one error naming each bad document; in -n's namespace if given. */
export async function readManifests(file: string, namespace?: string): Promise<ManifestDocument[]> {
  const files = await manifestTexts(file);
  // Loaded here, not at start-up: yaml and zod cost ~150 ms that other verbs need not pay.
  const { objectName, parseDocuments } = await import('../lib/manifest/documents.js');
  const dir = !isStdin(file) && files[0]!.source !== file; // each document then names its own file
  const docs = perFile(files, (i) => parseDocuments(files[i]!.text, files[i]!.source, namespace).map((d) => ({ ...d, base: files[i]!.base, ...(dir ? { source: files[i]!.source } : {}) })));
  // One object in two files of a directory, as in two documents of one file.
  const seen = new Map<string, string>();
  const twice = docs.flatMap((d) => {
    const key = `${d.manifest.metadata.namespace}/${objectName(d)}`;
    const first = seen.get(key);
    seen.set(key, first ?? d.source ?? file);
    return first === undefined ? [] : [`${d.source}: ${objectName(d)} is also in ${first}: give each object its own name`];
  });
  if (twice.length) throw new MinipodError('INVALID_ARGUMENT', twice.join('; '), { details: twice });
  // As kubectl shows the API server's warnings: on stderr, the object named when there are several.
  for (const d of docs) for (const w of d.warnings ?? []) process.stderr.write(`Warning: ${docs.length > 1 ? `${d.kind.toLowerCase()}/${d.manifest.metadata.name}: ` : ''}${w}\n`);
  for (const d of docs) anchorWorkingDirs(d.kind === 'Pod' ? d.manifest.spec : d.manifest.spec.template.spec, d.base);
  return docs;
}
