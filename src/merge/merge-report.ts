/** What a merge decided, for `bd-rx merge --json` and the daemon's `git/pulled` event. */
export interface MergeReport {
  /** Lines in the merged file. */
  issues: number;
  /** Ids whose record is a field-by-field merge of both sides (not one side's line). */
  merged: string[];
  /** Ids deleted (line gone) on one side and edited on the other: the edit was kept. */
  kept_over_delete: string[];
  /** Ids gone from the result: deleted on one side, unchanged on the other. */
  deleted: string[];
  /** Fields, field groups and set elements changed on both sides, decided by `updated_at`. */
  resolved_by_time: number;
  /** Comments added on both sides under the same id: the later one got a new id. */
  renumbered_comments: number;
  /** Records of other kinds (bd's memories, …) in the merged file, after the issues. */
  other_records: number;
  /** Such records (`memory:KEY`) changed differently on both sides: the greater line was kept. */
  other_conflicts: string[];
  /** The same id on more than one line of one input: the newest `updated_at` was used. */
  duplicates: Array<{ input: 'base' | 'ours' | 'theirs'; id: string; lines: number[] }>;
}

export function emptyMergeReport(): MergeReport {
  return { issues: 0, merged: [], kept_over_delete: [], deleted: [], resolved_by_time: 0, renumbered_comments: 0, other_records: 0, other_conflicts: [], duplicates: [] };
}

/** What the field merge counts while it decides (a part of the report). */
export interface MergeTally {
  resolvedByTime: number;
  renumberedComments: number;
}
