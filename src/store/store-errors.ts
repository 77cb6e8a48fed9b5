/** A request the store refuses; the message says what is wrong and what to do instead. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

export class IssueNotFoundError extends StoreError {
  constructor(readonly id: string) {
    super(`issue "${id}" not found: run \`bd-rx list\` to see existing ids`);
    this.name = 'IssueNotFoundError';
  }
}

export class ValidationError extends StoreError {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/**
 * SQLite could not write for lack of space (`SQLITE_FULL`): the write was rolled back whole,
 * nothing of it is in the DB.
 */
export class DiskFullError extends StoreError {
  readonly code = 'SQLITE_FULL';

  constructor(dbPath: string) {
    super(`not saved: the disk holding ${dbPath} is full (SQLITE_FULL), and nothing of this write was kept; free some space, then retry`);
    this.name = 'DiskFullError';
  }
}

/** `err` as the store reports it: SQLITE_FULL as a {@link DiskFullError}, anything else as it is. */
export function storeErrorOf(err: unknown, dbPath: string): unknown {
  return (err as { code?: unknown } | null)?.code === 'SQLITE_FULL' ? new DiskFullError(dbPath) : err;
}
