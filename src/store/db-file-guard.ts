import * as fs from 'node:fs';
import { safetyStop } from '../pipeline/daemon-input';

/** Identity and size of a file or directory, or null when it is gone. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export type StatFn = (path: string) => FileIdentity | null;

export function statIdentity(path: string): FileIdentity | null {
  try {
    const s = fs.statSync(path);
    return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * The one rule for "the DB file is no longer the one the daemon opened": gone, another inode,
 * or smaller than last seen (SQLite never shrinks its file without a VACUUM, and bd-rx runs
 * none, so a smaller file is another one, e.g. a backup copied over it in place).
 */
export function dbFileFinding(seen: FileIdentity | null, now: FileIdentity | null): 'db-deleted' | 'db-replaced' | undefined {
  if (!now) return 'db-deleted';
  if (seen && (!sameFile(now, seen) || now.size < seen.size)) return 'db-replaced';
  return undefined;
}

/** The DB file was deleted or replaced under the daemon: `code` EDBDELETED / EDBREPLACED; the daemon stops. */
export class DbFileGoneError extends Error {
  readonly code: string;

  constructor(kind: 'db-deleted' | 'db-replaced', path: string, rescued?: number) {
    const stop = safetyStop({ kind, path })!;
    super(
      rescued === undefined
        ? stop.message
        : `${stop.message}. Its last ${rescued} issues were written to the JSONL from the daemon's open copy first, so the next start imports them`,
    );
    this.name = 'DbFileGoneError';
    this.code = stop.code;
  }
}

/**
 * The check the daemon makes before each export and import (the periodic safety tick makes the
 * same one): is `dbPath` still the file it opened? One stat. Returns what was found, if anything.
 */
export function dbFileGuard(dbPath: string, stat: StatFn = statIdentity): () => 'db-deleted' | 'db-replaced' | undefined {
  let seen = stat(dbPath);
  return () => {
    const now = stat(dbPath);
    const finding = dbFileFinding(seen, now);
    if (!finding) seen = now;
    return finding;
  };
}
