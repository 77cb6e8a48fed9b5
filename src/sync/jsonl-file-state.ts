import * as fs from 'node:fs';
import type { BeadsStore } from '../store/beads-store';
import { errnoCode } from '../os/errno-code';
import { keepBase } from './synced-base';

/** Cheap identity of the JSONL on disk: if it matches what we recorded, the bytes are ours. */
export function statKey(file: string): string | null {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

export const META_HASH = 'jsonl_hash';
export const META_STAT = 'jsonl_stat';
/** Whether the file was last written by our export or read by an import. */
export const META_SYNCED_BY = 'jsonl_synced_by';

/** Records the file the DB is now in step with (after an import or an export). */
export function recordSynced(store: BeadsStore, file: string, hash: string, by: 'import' | 'export'): void {
  store.setMeta(META_HASH, hash);
  store.setMeta(META_SYNCED_BY, by);
  store.setMeta(META_STAT, statKey(file) ?? '');
  store.setMeta('last_sync_at', new Date().toISOString());
  // The bytes the DB is now in step with, for the next import to compare against (changed-lines.ts).
  keepBase(file);
}

/** True when the file is, as far as a stat can tell, the one last imported or exported. */
export function unchangedByStat(store: BeadsStore, file: string): boolean {
  const key = statKey(file);
  return key !== null && key === store.getMeta(META_STAT);
}
