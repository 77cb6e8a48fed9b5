import * as fs from 'node:fs';
import { createTemp, replaceWithTemp, TargetChangedError } from '../jsonl/atomic-write';
import { flushInBackground } from '../os/flush-in-background';
import type { BeadsStore } from '../store/beads-store';
import { recordSynced, statKey, unchangedByStat } from './jsonl-file-state';
import type { PreparsedRows } from './preparsed-rows';

/**
 * # `import -i FILE` into a fresh workspace: the file becomes the JSONL
 *
 * Into an empty DB in step with a JSONL that holds nothing, the export after the import would
 * write every imported row's line, in id byte order, then the stored other records (none):
 * for a source already in the export's shape and order (`StreamedRecords.inExportOrder`, no
 * other records) that is the source's own bytes. So the import writes those bytes as the
 * workspace JSONL, in its own transaction, and stores the rows as synced instead of dirty: at
 * 100k issues this saves the export's walk of the rows, its hash and the UPDATE of every row
 * that marks them exported (the DB written twice). Same atomic write as an export (temp,
 * fsync, rename, the file replaced checked to be the one synced), same bookkeeping.
 */

/**
 * What the JSONL to be replaced is when the workspace is new as far as an export can tell (no
 * rows, nothing pending, no other records, and a JSONL that is the one synced, empty, or none):
 * its stat key, or null for no file. Undefined when the workspace is not new. An empty JSONL
 * never synced (as `init` leaves it) is one the export would merge first to no effect.
 */
export function freshWorkspaceJsonl(store: BeadsStore, jsonlPath: string): string | null | undefined {
  if (store.count() !== 0 || store.pendingExportCount() !== 0 || store.otherRecords().length !== 0) return undefined;
  const key = statKey(jsonlPath);
  if (key === null || unchangedByStat(store, jsonlPath) || key.startsWith('0:')) return key;
  return undefined;
}

/**
 * Thrown inside the import's transaction when the source turned out not to be what the export
 * would write (a line was another record), or the workspace JSONL was replaced meanwhile: the
 * caller rolls back and imports the ordinary way (rows dirty, the export to follow).
 */
export class SourceNotCopiedError extends Error {
  constructor(readonly why: string) {
    super(`the source is not copied as the JSONL: ${why}; it is imported and exported the ordinary way`);
    this.name = 'SourceNotCopiedError';
  }
}

/**
 * The source written beside the JSONL before the rows go in (see {@link stageSourceAsJsonl}):
 * its temp file, open until it is installed or discarded.
 */
export interface StagedSource {
  tmp: string;
  fd: number;
  open: boolean;
  /** The bytes, and the bulk load's parse thread when it writes them (see {@link stageSourceAsJsonl}). */
  data: Buffer;
  writer?: PreparsedRows;
}

/**
 * Writes `data` (the imported source) to a temp file beside the JSONL, and starts its flush to
 * disk on libuv's thread pool: the rows are inserted meanwhile, and the fsync the install makes
 * finds little left to write. Written after the rows, as before, the fsync of 85 MB (~200 ms
 * of a 100k `import -i` on this machine's disk) came on top of the load instead of beside it.
 * Call under the import's write lock, once the workspace is judged fresh; every staged source
 * ends in `installSourceAsJsonl` or `discardStagedSource`.
 */
export function stageSourceAsJsonl(jsonlPath: string, data: Buffer, thread?: PreparsedRows): StagedSource {
  const { tmp, fd } = createTemp(jsonlPath);
  const staged: StagedSource = { tmp, fd, open: true, data };
  // The bulk load's parse thread writes and syncs it once it has parsed the file, off the
  // importing thread, which is the slower one (bulk-load.ts).
  if (thread?.stage(tmp)) {
    staged.writer = thread;
    return staged;
  }
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    flushInBackground(tmp);
  } catch (err) {
    discardStagedSource(staged);
    throw err;
  }
  return staged;
}

/** A staged source not installed (the import failed or fell back): its temp removed. */
export function discardStagedSource(staged: StagedSource): void {
  if (staged.open) {
    staged.open = false;
    try {
      fs.closeSync(staged.fd);
    } catch {
      // closed already
    }
  }
  fs.rmSync(staged.tmp, { force: true });
}

/**
 * Makes the staged source the workspace JSONL (fsync, then the atomic rename) and records it as
 * the file the DB is in step with (SHA-256 `hash`), in place of the file `replacing` names (see
 * `freshWorkspaceJsonl`). Call in the import's transaction, after the rows are in. On failure
 * the temp is removed.
 */
export function installSourceAsJsonl(store: BeadsStore, jsonlPath: string, replacing: string | null, staged: StagedSource, hash: string): void {
  // Only the JSONL `freshWorkspaceJsonl` judged (`replacing`, its stat key) may be renamed over.
  const expectReplaced = (held: string | null): boolean => (held === null ? replacing === null : replacing !== null && statKey(held) === replacing);
  try {
    // The thread failed: written here, over whatever it wrote (the same bytes at the same places).
    if (staged.writer && !staged.writer.staged()) {
      for (let off = 0; off < staged.data.length; ) off += fs.writeSync(staged.fd, staged.data, off, staged.data.length - off, off);
    }
    fs.fsyncSync(staged.fd);
  } catch (err) {
    discardStagedSource(staged);
    throw err;
  }
  staged.open = false;
  fs.closeSync(staged.fd);
  // The temp's identity is the file's once renamed (same inode, size, mtime).
  const key = statKey(staged.tmp) ?? '';
  try {
    replaceWithTemp(staged.tmp, jsonlPath, { expectReplaced });
  } catch (err) {
    if (err instanceof TargetChangedError) throw new SourceNotCopiedError('the workspace JSONL was replaced meanwhile');
    throw err;
  }
  recordSynced(store, jsonlPath, hash, 'export', key);
}
