// A manifest file as kubectl reads one: any number of YAML documents separated by `---` (or one
// JSON object), each a Pod or a Deployment. All of them are checked before anything is made, and
// every error names its document, so a file is applied whole or not at all.
import { parseAllDocuments } from 'yaml';
import { MinipodError } from '../errors.js';
import { objectName } from './kinds.js';
import { DEFAULT_NAMESPACE } from './names.js';
import { validateAny, type AnyManifest } from './parse.js';

/**
 * One object of the file; index counts the file's documents from 1, empty ones included. source and
 * base, set by the CLI: its file when a directory was read, and the directory its relative paths
 * are taken from.
 */
export type ManifestDocument = AnyManifest & { index: number; source?: string; base?: string };

export { objectName };

/**
 * Every document of the file, validated; or one error listing what is wrong in each document
 * (naming it, "document 2: …", when the file has more than one). Empty documents are skipped,
 * as kubectl skips them; the same object twice is an error. namespace: -n's, as kubectl has it:
 * where a document names none; one that names another (`default` included) is refused.
 */
export function parseDocuments(text: string, source = 'manifest', namespace?: string): ManifestDocument[] {
  const { objects, errors } = objectsOf(text, source);
  const out: ManifestDocument[] = [];
  const seen = new Map<string, number>();
  objects.forEach(({ value, at, index }, i) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return void errors.push(`${source}: ${at}expected a Pod or Deployment object (apiVersion, kind, metadata, spec)`);
    try {
      const m = validateAny(value);
      if (namespace !== undefined) {
        // Validation filled in `default` where the file names none: what the file said decides.
        const own = (value as { metadata?: { namespace?: unknown } }).metadata?.namespace;
        if (typeof own === 'string' && own !== namespace) throw new MinipodError('INVALID_ARGUMENT', `the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`);
        m.manifest.metadata.namespace = namespace;
      }
      const name = objectName(m);
      // One name in two namespaces is two objects, as kubectl has it.
      const ns = m.manifest.metadata.namespace;
      const first = seen.get(`${ns}/${name}`);
      if (first !== undefined) return void errors.push(`${source}: ${at}metadata.name: ${name} is also ${objects[first]!.at.replace(/: $/, '') || `document ${objects[first]!.index}`}${ns === DEFAULT_NAMESPACE ? '' : ` in namespace ${ns}`}: give each object its own name`);
      seen.set(`${ns}/${name}`, i);
      out.push({ ...m, index });
    } catch (err) {
      if (!(err instanceof MinipodError)) throw err;
      errors.push(at ? `${source}: ${at}${err.message}` : err.message);
    }
  });
  if (errors.length) throw new MinipodError('INVALID_ARGUMENT', errors.join('; '), { details: errors });
  if (!out.length) throw new MinipodError('INVALID_ARGUMENT', `${source}: no object in it: expected a Pod or Deployment (apiVersion, kind, metadata, spec)`);
  return out;
}

/** The file's objects, a v1 List (what `get pods -o yaml` prints for several) standing for its items, each with where it is ("document 2: item 1: "); and what could not be read. */
function objectsOf(text: string, source: string): { objects: { value: unknown; at: string; index: number }[]; errors: string[] } {
  const docs = [parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true })].flat();
  // An empty document (a `---` at the end, a comment alone) is a null, or no content at all.
  const empty = (d: (typeof docs)[number]) => !d.errors.length && d.toJS() == null;
  const many = docs.filter((d) => !empty(d)).length > 1;
  const errors: string[] = [];
  const objects: { value: unknown; at: string; index: number }[] = [];
  docs.forEach((doc, i) => {
    const at = many ? `document ${i + 1}: ` : '';
    if (doc.errors.length) return void errors.push(`${source}: ${at}not valid YAML or JSON: ${doc.errors[0]!.message.split('\n')[0]}`);
    if (empty(doc)) return;
    const value: unknown = doc.toJS();
    const list = value as { kind?: unknown; items?: unknown };
    if (list?.kind === 'List' && Array.isArray(list.items)) list.items.forEach((item: unknown, j) => objects.push({ value: item, at: `${at || 'List: '}item ${j + 1}: `, index: i + 1 }));
    else objects.push({ value, at, index: i + 1 });
  });
  return { objects, errors };
}

/**
 * What `delete -f` needs of each object: its kind, name and namespace (-n's where it names none), the
 * rest unchecked, as kubectl deletes what a file names however its specs would validate. An object
 * without a name, or unreadable YAML, is an error naming it.
 */
export function namedObjects(text: string, source = 'manifest', namespace?: string): { kind: string; name: string; namespace: string }[] {
  const { objects, errors } = objectsOf(text, source);
  const out = objects.flatMap(({ value, at }) => {
    const o = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
    const name = o?.metadata?.name;
    if (typeof name !== 'string' || !name) return void errors.push(`${source}: ${at}metadata.name: give the name of the object to delete`), [];
    const own = o?.metadata?.namespace;
    if (typeof own === 'string' && namespace !== undefined && own !== namespace) return void errors.push(`${source}: ${at}the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`), [];
    return [{ kind: typeof o?.kind === 'string' ? o.kind : 'Pod', name, namespace: typeof own === 'string' ? own : (namespace ?? DEFAULT_NAMESPACE) }];
  });
  if (errors.length) throw new MinipodError('INVALID_ARGUMENT', errors.join('; '), { details: errors });
  return out;
}
