// A record that fails its check is moved aside (FILE.corrupt) with why (FILE.corrupt.why), never
// run; `gc` lists it. Shared by the pod records and the Deployment records.
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { log } from '../log.js';

export const QUARANTINE_SUFFIX = '.corrupt';
/** STATE/pods: the pod records (NAME.json), which `node start` counts without loading the store. */
export const POD_RECORDS_DIR = 'pods';
/** STATE/deployments: lib/deploy's records, whose quarantined files `gc` lists with the pods'. */
export const DEPLOYMENT_RECORDS_DIR = 'deployments';
export const REASON_SUFFIX = '.why';

/** A record moved aside as NAME.json.corrupt, with why (also kept in NAME.json.corrupt.why). */
export interface Quarantined {
  name: string; // from the file name: NAME.json
  file: string; // the .corrupt file
  issues: string[];
}

/** Moved aside first: a crash before the reason is written leaves a record gc lists without why, never one loaded. */
export async function quarantine(file: string, issues: string[], what: string): Promise<Quarantined> {
  const moved = `${file}${QUARANTINE_SUFFIX}`;
  log.error({ file, issues }, `${what} record quarantined: it fails validation and is not run`);
  await rename(file, moved);
  await writeFile(`${moved}${REASON_SUFFIX}`, `${issues.join('\n')}\n`, { mode: 0o600 });
  return { name: path.basename(file, '.json'), file: moved, issues };
}
