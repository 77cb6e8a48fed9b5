import type { IssueRecord } from '../jsonl/parse-jsonl';
import { serializeRecord } from '../jsonl/serialize-record';
import { stampAfter } from '../jsonl/rfc3339';
import type { ChangeFeed } from './change-feed';
import { patchRecord } from './issue-record';
import type { IssueQueries } from './issue-queries';
import type { IssueRows } from './issue-rows';
import type { SyncBookkeeping } from './sync-bookkeeping';
import type { Transactions } from './transactions';

/** The parts of one open store that the write commands work with. */
export interface StoreContext {
  rows: IssueRows;
  queries: IssueQueries;
  sync: SyncBookkeeping;
  tx: Transactions;
  feed: ChangeFeed;
  now(): Date;
  prefix(): string;
}

/** Stores a changed record as a local change, keeping whether the file had it. */
export function rewriteRecord(ctx: StoreContext, record: IssueRecord): void {
  const row = ctx.rows.get(record.id);
  ctx.rows.write(record, serializeRecord(record), { dirty: true, synced: row ? row.synced === 1 : false }, false);
}

/**
 * Read-modify-write of one record in a transaction; a no-op change writes nothing and reports
 * no mutation. `change` returns the fields to set (empty = nothing to do) and may throw.
 */
export function mutateRecord(
  ctx: StoreContext,
  id: string,
  op: string,
  change: (rec: IssueRecord, at: string) => Record<string, unknown>,
): IssueRecord {
  let changed = false;
  const result = ctx.tx.inTransaction((): IssueRecord => {
    const rec = ctx.queries.require(id);
    const at = stampAfter(ctx.now(), rec.updated_at);
    const changes = change(rec, at);
    if (Object.keys(changes).length === 0) return rec;
    const next = patchRecord(rec, { ...changes, updated_at: at });
    rewriteRecord(ctx, next);
    changed = true;
    return next;
  });
  if (changed) ctx.feed.emit(op, id);
  return result;
}
