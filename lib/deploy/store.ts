// The Deployment records: STATE/deployments/NAME.json (NS_NAME.json outside default), next to the pod records and written the
// same way (atomic: temp file, fsync, rename). A record is checked before it is trusted: one that
// fails (bad JSON, a manifest the API would refuse, a hash or name that disagrees) is quarantined.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomic } from '../store/atomic-write.js';
import { z } from 'zod';
import { formatIssue } from '../manifest/parse.js';
import { deploymentManifestSchema, type DeploymentManifest } from '../manifest/deployment-spec.js';
import { diskError, PersistQueue } from '../store/persist.js';
import { DEPLOYMENT_RECORDS_DIR, quarantine, type Quarantined } from '../store/quarantine.js';
import { podKey } from '../manifest/pod-key.js';
import { templateHash } from './names.js';
import { isoTime } from '../store/iso-time.js';

export interface DeploymentRecord {
  name: string;
  uid: string;
  createdAt: string;
  /** Bumped by every change of the spec (apply, scale), as metadata.generation. */
  generation: number;
  /** Set once `rm deployment/NAME` starts: its pods are being removed; the record goes last. */
  deletionTimestamp: string | null;
  /** The pod-template-hash of manifest.spec.template (checked on load). */
  templateHash: string;
  manifest: DeploymentManifest;
}

const recordSchema = z
  .strictObject({
    name: z.string(),
    uid: z.string().min(1),
    createdAt: isoTime(),
    generation: z.number().int().min(1),
    deletionTimestamp: isoTime().nullable(),
    templateHash: z.string(),
    manifest: deploymentManifestSchema,
  })
  .superRefine((r, ctx) => {
    if (r.name !== r.manifest.metadata.name) ctx.addIssue({ code: 'custom', path: ['name'], message: `is not manifest.metadata.name (${r.manifest.metadata.name})` });
    if (r.templateHash !== templateHash(r.manifest.spec.template)) ctx.addIssue({ code: 'custom', path: ['templateHash'], message: 'is not the hash of manifest.spec.template' });
  });

export class DeploymentStore {
  readonly dir: string;

  constructor(
    private readonly stateDir: string,
    private readonly queue = new PersistQueue(),
  ) {
    this.dir = path.join(stateDir, DEPLOYMENT_RECORDS_DIR);
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  private file(name: string): string {
    return path.join(this.dir, `${name}.json`);
  }

  /** Write now or throw (apply, scale: the caller is told). */
  async save(record: DeploymentRecord): Promise<void> {
    const key = podKey(record.manifest.metadata.namespace, record.name);
    const file = this.file(key);
    await this.queue.now(key, () =>
      writeAtomic(file, `${JSON.stringify(record, null, 2)}\n`).catch((err: unknown) => {
        throw diskError(err, file, this.stateDir);
      }),
    );
  }

  /** key: the name in default, NS_NAME elsewhere (as pods: pod/key.ts). */
  async delete(name: string): Promise<void> {
    await this.queue.now(name, () => rm(this.file(name), { force: true }));
  }

  /** Every valid record; one that is not is quarantined (NAME.json.corrupt) and returned. */
  async loadAll(): Promise<{ records: DeploymentRecord[]; quarantined: Quarantined[] }> {
    const records: DeploymentRecord[] = [];
    const quarantined: Quarantined[] = [];
    for (const entry of await readdir(this.dir)) {
      if (/\.json\.\d+$/.test(entry)) await rm(path.join(this.dir, entry), { force: true }); // a write cut short
      if (!entry.endsWith('.json')) continue;
      const file = path.join(this.dir, entry);
      const issues = await readFile(file, 'utf8').then(
        (text) => checkDeploymentRecord(JSON.parse(text), path.basename(entry, '.json')),
        (err: Error) => [`not readable: ${err.message}`],
      ).catch((err: Error) => [`not a JSON Deployment record: ${err.message}`]);
      if (Array.isArray(issues)) quarantined.push(await quarantine(file, issues, 'Deployment'));
      else records.push(issues);
    }
    return { records, quarantined };
  }
}

/** The record, or what is wrong with it. */
export function checkDeploymentRecord(value: unknown, fileName: string): DeploymentRecord | string[] {
  const result = recordSchema.safeParse(value);
  if (!result.success) return result.error.issues.map(formatIssue);
  const key = podKey(result.data.manifest.metadata.namespace, result.data.name);
  if (key !== fileName) return [`name: "${result.data.name}" (namespace ${result.data.manifest.metadata.namespace}) is not the file's name (${fileName}.json)`];
  return result.data;
}
