import { isOtherRecordLine, splitOtherRecords } from '../jsonl/other-records';
import type { BeadsStore } from '../store/beads-store';

/**
 * Whether the readers that walk a synced file without parsing it (the lean export's scan, the
 * incremental import) can tell its other records from its issues by their first bytes: every
 * stored other record starts `{"_type":"…"` (as bd writes them), and they are the file's own
 * (none brought in by `import -i` and not yet exported). A record with `_type` further on would
 * otherwise be taken for an issue line, copied as one, or dropped: those readers then read in
 * full instead (slower, never wrong).
 */
export function otherRecordsByPrefix(store: BeadsStore): boolean {
  const tail = store.otherRecords();
  if (tail.length === 0) return true;
  if (store.otherRecordsDirty()) return false;
  return splitOtherRecords(tail).every((r) => isOtherRecordLine(r.bytes!, 0, r.bytes!.length));
}
