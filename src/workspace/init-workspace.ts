import * as fs from 'node:fs';
import * as path from 'node:path';
import { BeadsStore } from '../store/beads-store';
import { ValidationError } from '../store/store-errors';
import { exportJsonl } from '../sync/export-jsonl';
import { importJsonl, type ImportReport } from '../sync/import-jsonl';
import { workspacePaths, type WorkspacePaths } from './workspace-paths';

export const BEADS_GITIGNORE = `# bd-rx: the SQLite working copy and daemon runtime files stay out of git.
# issues.jsonl is the shared, committed record.
*.db
*.db-journal
*.db-wal
*.db-shm
bd.sock
daemon.lock
daemon.pid
daemon.log
.*.tmp-*
`;

export interface InitResult {
  paths: WorkspacePaths;
  prefix: string;
  created: boolean;
  imported?: ImportReport;
}

/** A prefix must make ids like `PREFIX-a1b2`. */
export function sanitizePrefix(raw: string): string {
  const p = raw.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return p || 'bd';
}

/**
 * Creates `.beads/` with an empty DB, JSONL and .gitignore; a JSONL that is already there (a
 * fresh clone) is imported. Running it again on an initialised workspace changes nothing.
 */
export function initWorkspace(root: string, opts: { prefix?: string } = {}): InitResult {
  if (opts.prefix !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(opts.prefix)) {
    throw new ValidationError(`prefix "${opts.prefix}" is not usable in ids: use letters, digits, - or _`);
  }
  const beadsDir = path.join(root, '.beads');
  const created = !fs.existsSync(beadsDir);
  // 0700 as bd's own: the DB, log and socket inside are this user's alone.
  fs.mkdirSync(beadsDir, { recursive: true, mode: 0o700 });
  const gitignore = path.join(beadsDir, '.gitignore');
  if (!fs.existsSync(gitignore)) fs.writeFileSync(gitignore, BEADS_GITIGNORE);
  const paths = workspacePaths(root);
  const store = new BeadsStore(paths.dbPath);
  try {
    const existing = store.getMeta('issue_prefix');
    const prefix = opts.prefix ?? existing ?? sanitizePrefix(path.basename(path.resolve(root)));
    store.setMeta('issue_prefix', prefix);
    let imported: ImportReport | undefined;
    if (fs.existsSync(paths.jsonlPath)) imported = importJsonl(store, { jsonlPath: paths.jsonlPath });
    // An empty file over a DB that has issues would read, at the next sync, as "all deleted".
    else if (store.count() > 0) exportJsonl(store, { jsonlPath: paths.jsonlPath });
    else fs.writeFileSync(paths.jsonlPath, '');
    return { paths, prefix, created, ...(imported && !imported.skipped ? { imported } : {}) };
  } finally {
    store.dispose();
  }
}
