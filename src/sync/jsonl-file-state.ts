import * as fs from 'node:fs';
import type { BeadsStore } from '../store/beads-store';
import { errnoCode } from '../os/errno-code';
import { statKey } from './stat-key';
import { keepBase } from './synced-base';

export { statKey };

export const META_HASH = 'jsonl_hash';
export const META_STAT = 'jsonl_stat';
/** Whether the file was last written by our export or read by an import. */
export const META_SYNCED_BY = 'jsonl_synced_by';
/**
 * The stat key of a file that appeared while an export's swap had the path empty, merged
 * without deletions (see `untilTargetStill`): not the file the DB is in step with, but one
 * whose content is in the DB, which the next export must replace and no import may read as a
 * replacement of the synced file (its absences are not deletions). Cleared at each sync.
 */
export const META_LANDED = 'jsonl_landed_stat';

/**
 * Records the file the DB is now in step with (after an import or an export). `key` is the stat
 * key of the bytes synced, taken when they were read or before they were renamed into place,
 * never by a stat of the path afterwards: a file another process renamed there in between
 * would be recorded as synced, so never imported, and overwritten by the next export.
 */
export function recordSynced(
  store: BeadsStore,
  file: string,
  hash: string,
  by: 'import' | 'export',
  key: string,
  /** See `keepBase`: for a long-lived process only. */
  opts: { releaseOldInBackground?: boolean } = {},
): void {
  store.setMeta(META_HASH, hash);
  store.setMeta(META_SYNCED_BY, by);
  store.setMeta(META_STAT, key);
  store.setMeta('last_sync_at', new Date().toISOString());
  store.setMeta(META_LANDED, '');
  // The bytes the DB is now in step with, for the next import to compare against (changed-lines.ts).
  keepBase(file, key, opts);
}

/**
 * The bytes of `file` and the stat key of exactly those bytes: the same identity before and
 * after the read means no rename or write landed in between. Retried a few times while the file
 * keeps moving; null when there is no file.
 */
export function readWithKey(file: string): { data: Buffer; key: string } | null {
  let data: Buffer | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = statKey(file);
    if (before === null) return null;
    try {
      data = fs.readFileSync(file);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue;
      throw err;
    }
    if (statKey(file) === before) return { data, key: before };
  }
  // Still moving: the bytes are one of its versions, and a key matching none makes the next
  // check read it again.
  return data ? { data, key: '' } : null;
}

/** True when the file is, as far as a stat can tell, the one last imported or exported. */
export function unchangedByStat(store: BeadsStore, file: string): boolean {
  const key = statKey(file);
  return key !== null && key === store.getMeta(META_STAT);
}

/** True when `file` is the landed file already merged without deletions ({@link META_LANDED}). */
export function isLanded(store: BeadsStore, file: string): boolean {
  const landed = store.getMeta(META_LANDED);
  return !!landed && statKey(file) === landed;
}

/** Records `file`, just merged without deletions, as the landed file; false when it moved meanwhile. */
export function recordLanded(store: BeadsStore, file: string, key: string): boolean {
  if (statKey(file) !== key) return false;
  store.setMeta(META_LANDED, key);
  return true;
}

/**
 * What an export may rename over (`expectReplaced` of atomic-write): the file the DB is in step
 * with, i.e. the one recorded at the last sync, which the export has just merged if it had
 * changed, or the landed file merged without deletions ({@link META_LANDED}); or, when the
 * export found no file, still none.
 */
export function syncedFileExpected(store: BeadsStore, file: string): (held: string | null) => boolean {
  const existed = statKey(file) !== null;
  return (held) => {
    if (held === null) return !existed;
    const key = statKey(held);
    const landed = store.getMeta(META_LANDED);
    return existed && (key === store.getMeta(META_STAT) || (!!landed && key === landed));
  };
}
