// The state directory's pod records: one JSON file per pod, written atomically (write to a temp
// file, fsync, rename) so a crash leaves the old or the new record, never half of one.
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { log } from '../log.js';
import type { PodRecord } from '../pod/types.js';

export class PodStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'pods');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  private file(name: string): string {
    return path.join(this.dir, `${name}.json`);
  }

  async save(record: PodRecord): Promise<void> {
    await writeFileAtomic(this.file(record.name), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, fsync: true });
  }

  async delete(name: string): Promise<void> {
    await rm(this.file(name), { force: true });
  }

  /** Every readable record; an unreadable one is moved aside (name.json.corrupt) and reported. */
  async loadAll(): Promise<PodRecord[]> {
    const records: PodRecord[] = [];
    for (const entry of await readdir(this.dir)) {
      // A write cut short by a crash leaves its temp file (NAME.json.<random>); the record it
      // was replacing is intact, so the temp file is dropped.
      if (/\.json\.\d+$/.test(entry)) await rm(path.join(this.dir, entry), { force: true });
      if (!entry.endsWith('.json')) continue;
      const file = path.join(this.dir, entry);
      try {
        const record = JSON.parse(await readFile(file, 'utf8')) as PodRecord;
        if (!record || typeof record !== 'object' || typeof record.name !== 'string' || `${record.name}.json` !== entry) {
          throw new Error('not a pod record');
        }
        records.push(record);
      } catch (err) {
        log.error({ file, err: (err as Error).message }, 'corrupt pod record quarantined');
        await rename(file, `${file}.corrupt`);
      }
    }
    return records;
  }
}
