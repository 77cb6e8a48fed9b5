import * as fs from 'node:fs';
import * as path from 'node:path';
import { recentActivity } from '../../src/git/recent-activity';
import { runGit } from '../helpers/daemon-process';
import { initWorkspace, makeTempDir, removeDir, runCliOk } from '../helpers/run-cli';

const HOUR = 3600_000;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ title: 'T', status: 'open', priority: 2, issue_type: 'task', created_at: iso(0), updated_at: iso(0), ...fields });

describe('recentActivity (stats --json recent_activity, from the JSONL\'s git log)', () => {
  let root: string;
  let jsonl: string;
  beforeEach(() => {
    root = makeTempDir('activity');
    jsonl = path.join(root, '.beads', 'issues.jsonl');
    fs.mkdirSync(path.dirname(jsonl), { recursive: true });
  });
  afterEach(() => removeDir(root));

  const commit = (lines: string[], message: string) => {
    fs.writeFileSync(jsonl, lines.map((l) => `${l}\n`).join(''));
    runGit(root, ['add', '.beads/issues.jsonl']);
    runGit(root, ['commit', '-q', '-m', message]);
  };

  it('should count commits and added issue lines as bd does: created, closed, else updated', () => {
    runGit(root, ['init', '-q', '-b', 'main']);
    const old = iso(72 * HOUR);
    commit([line({ id: 'a-1' }), line({ id: 'a-2', created_at: old })], 'two issues');
    commit(
      [
        line({ id: 'a-1', status: 'closed', closed_at: iso(0) }),
        line({ id: 'a-2', created_at: old, status: 'closed', closed_at: iso(0) }),
        line({ id: 'a-3', created_at: old, status: 'closed', closed_at: iso(48 * HOUR) }),
        line({ id: 'a-4', created_at: old, status: 'in_progress' }),
      ],
      'closes and updates',
    );
    // A commit that leaves the JSONL alone does not count.
    fs.writeFileSync(path.join(root, 'README'), 'x');
    runGit(root, ['add', 'README']);
    runGit(root, ['commit', '-q', '-m', 'other file']);

    expect(recentActivity(root, jsonl)).toEqual({
      hours_tracked: 24,
      commit_count: 2,
      // 2 + 4 added lines: a-1 twice (created today, in both commits); a-2 open, then closed today;
      // a-3 closed two days ago and a-4 in progress are updates.
      issues_created: 2,
      issues_closed: 1,
      issues_updated: 3,
      issues_reopened: 0,
      total_changes: 6,
    });
  });

  it('should answer null outside a git repository and in one without commits, as bd leaves the field out', () => {
    fs.writeFileSync(jsonl, `${line({ id: 'a-1' })}\n`);
    expect(recentActivity(root, jsonl)).toBeNull();
    runGit(root, ['init', '-q', '-b', 'main']);
    expect(recentActivity(root, jsonl)).toBeNull();
  });

  it('should appear in `bd-rx stats --json` of a workspace in git, and not with --no-activity', () => {
    const ws = initWorkspace(makeTempDir('activity-cli'), 'ac');
    try {
      runGit(ws, ['init', '-q', '-b', 'main']);
      runCliOk(['create', 'One', '--json'], { cwd: ws });
      runGit(ws, ['add', '.beads/issues.jsonl']);
      runGit(ws, ['commit', '-q', '-m', 'one']);
      const stats = runCliOk(['stats', '--json'], { cwd: ws }).json;
      expect(stats.recent_activity).toEqual({
        hours_tracked: 24,
        commit_count: 1,
        issues_created: 1,
        issues_closed: 0,
        issues_updated: 0,
        issues_reopened: 0,
        total_changes: 1,
      });
      expect(stats.summary.total_issues).toBe(1);
      expect(runCliOk(['stats', '--no-activity', '--json'], { cwd: ws }).json).toEqual({ summary: stats.summary });
    } finally {
      removeDir(ws);
    }
  });
});
