import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** bd's `RecentActivitySummary` (`stats --json`'s `recent_activity`), field for field. */
export interface RecentActivity {
  hours_tracked: number;
  commit_count: number;
  issues_created: number;
  issues_closed: number;
  issues_updated: number;
  issues_reopened: number;
  total_changes: number;
}

const COMMIT_MARK = '\u0001commit ';

/**
 * What the JSONL's git history says about the last `hours`, counted as bd counts it: commits
 * touching the file, and every added line that parses as an issue: created in the window, else
 * closed in the window, else (not closed) updated; `issues_reopened` stays 0, as in bd, which
 * cannot tell a reopen from the added line alone. Null when git cannot answer (no repository,
 * no git, no commits): bd then leaves `recent_activity` out.
 */
export function recentActivity(root: string, jsonlPath: string, hours = 24, now = new Date()): RecentActivity | null {
  const r = spawnSync(
    'git',
    ['log', `--since=${hours} hours ago`, `--format=${COMMIT_MARK.replace('\u0001', '%x01')}%H`, '-p', '--no-color', '--no-ext-diff', '--', path.relative(root, jsonlPath)],
    { cwd: root, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  if (r.status !== 0 || typeof r.stdout !== 'string') return null;
  const out: RecentActivity = {
    hours_tracked: hours,
    commit_count: 0,
    issues_created: 0,
    issues_closed: 0,
    issues_updated: 0,
    issues_reopened: 0,
    total_changes: 0,
  };
  const windowMs = hours * 3600_000;
  const within = (t: unknown) => typeof t === 'string' && now.getTime() - Date.parse(t) < windowMs;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith(COMMIT_MARK)) {
      out.commit_count++;
      continue;
    }
    if (!line.startsWith('+') || line.startsWith('+++')) continue;
    let issue: Record<string, unknown>;
    try {
      issue = JSON.parse(line.slice(1)) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (issue === null || typeof issue !== 'object' || typeof issue.id !== 'string') continue;
    out.total_changes++;
    if (within(issue.created_at)) out.issues_created++;
    else if (issue.status === 'closed' && issue.closed_at) {
      if (within(issue.closed_at)) out.issues_closed++;
      else out.issues_updated++;
    } else if (issue.status !== 'closed') out.issues_updated++;
  }
  return out;
}
