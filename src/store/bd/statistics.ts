import type { BeadsStore } from '../beads-store';
import { epicStatuses } from './epic-status';
import { checkKnownArgs } from './issue-filter';
import { countIssues } from './list-issues';
import { readyIssues } from './ready-issues';

/** bd's `types.Statistics`: every field, always present. */
export interface Statistics {
  total_issues: number;
  open_issues: number;
  in_progress_issues: number;
  closed_issues: number;
  blocked_issues: number;
  deferred_issues: number;
  ready_issues: number;
  tombstone_issues: number;
  pinned_issues: number;
  epics_eligible_for_closure: number;
  average_lead_time_hours: number;
}

export function statistics(store: BeadsStore): Statistics {
  const base = store.stats();
  const one = <T>(sql: string) => store.compatSql.prepare(sql).get() as T;
  const pinned = one<{ n: number }>(
    `SELECT count(*) AS n FROM issues WHERE status = 'pinned' OR (status != 'tombstone' AND json_extract(line, '$.pinned') = 1)`,
  ).n;
  // Lead time: created → closed, over the closed issues that have both.
  const lead = one<{ h: number | null }>(
    `SELECT avg((julianday(json_extract(line, '$.closed_at')) - julianday(created_at)) * 24) AS h
     FROM issues WHERE status = 'closed' AND json_extract(line, '$.closed_at') IS NOT NULL`,
  ).h;
  return {
    total_issues: base.total_issues,
    open_issues: base.open_issues,
    in_progress_issues: base.in_progress_issues,
    closed_issues: base.closed_issues,
    blocked_issues: base.blocked_issues,
    deferred_issues: base.deferred_issues,
    ready_issues: base.ready_issues,
    tombstone_issues: base.tombstone_issues,
    pinned_issues: pinned,
    epics_eligible_for_closure: epicStatuses(store, { eligibleOnly: true }).length,
    average_lead_time_hours: lead === null ? 0 : Math.round(lead * 100) / 100,
  };
}

/**
 * `stats --assigned`: bd's counts over the issues assigned to one person: the total, one count
 * per status field (`blocked_issues` is the `blocked` status, not dependency blocking, as in
 * bd) and their ready work; the fields bd leaves unset are 0. bd computes this only in direct
 * mode (through its daemon it fails); here it is the same store query either way.
 */
export function assignedStatistics(store: BeadsStore, assignee: string): Statistics {
  const counted = countIssues(store, { assignee, group_by: 'status' });
  const groups = 'groups' in counted ? counted.groups : [];
  const by = (status: string) => groups.find((g) => g.group === status)?.count ?? 0;
  return {
    total_issues: 'total' in counted ? counted.total : counted.count,
    open_issues: by('open'),
    in_progress_issues: by('in_progress'),
    closed_issues: by('closed'),
    blocked_issues: by('blocked'),
    deferred_issues: by('deferred'),
    ready_issues: readyIssues(store, { assignee, status: '' }).length,
    tombstone_issues: 0,
    pinned_issues: 0,
    epics_eligible_for_closure: 0,
    average_lead_time_hours: 0,
  };
}

/**
 * The daemon's `stats` answer: Statistics as bd's daemon sends it, plus a `summary` copy, so a
 * client written against the CLI's `{summary}` shape reads it too.
 */
export function statsAnswer(store: BeadsStore, args: Record<string, unknown> = {}): Statistics & { summary: Statistics } {
  checkKnownArgs('stats', args, ['assignee']);
  const s = typeof args.assignee === 'string' && args.assignee !== '' ? assignedStatistics(store, args.assignee) : statistics(store);
  return { ...s, summary: { ...s } };
}
