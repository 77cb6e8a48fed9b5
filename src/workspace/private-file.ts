import * as fs from 'node:fs';

/**
 * Creates `file` empty with mode 0600 unless it exists. For the SQLite DB: SQLite would create
 * it 0644, and it gives the `-wal` and `-shm` files the DB's own mode, so creating it 0600 first
 * (as bd keeps it) keeps all three private. An existing file is left as it is.
 */
export function createPrivateFile(file: string): void {
  if (file === ':memory:' || file === '') return;
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (err) {
    // A missing directory is left to SQLite, whose error the callers already report.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOENT') throw err;
  }
}
