import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { IssueRecord } from '../../src/jsonl/parse-jsonl';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { BeadsStore } from '../../src/store/beads-store';
import { exportJsonl, type ExportOptions, type ExportReport } from '../../src/sync/export-jsonl';
import { importJsonl, type ImportOptions, type ImportReport } from '../../src/sync/import-jsonl';

export const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');
export const CONFLICT_FIXTURE = 'steveyegge__beads__issues__20251016-5bfecf8.jsonl';
export const RELAY_FIXTURE = 'AgentWorkforce__relay__beads.jsonl';

export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}

export function readFixture(name: string): string {
  return fs.readFileSync(fixturePath(name), 'utf8');
}

/** Every real export except the conflict-marker one. */
export function validFixtures(): string[] {
  return fs
    .readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.jsonl') && f !== CONFLICT_FIXTURE)
    .sort();
}

/** The non-blank lines of a JSONL text, without their terminators. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** bd's order: by id, comparing UTF-8 bytes (not JS's UTF-16 code units). */
export function byIdBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Every key path of a JSON value in order, so two values can be compared for key order too. */
export function keyOrder(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyOrder(v, `${at}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [`${at}.${k}`, ...keyOrder(v, `${at}.${k}`)]);
  }
  return [];
}

/** A bd-looking issue line for tests that write the JSONL "from outside" (a teammate, git). */
export function issueLine(fields: Partial<IssueRecord> & { id: string }): string {
  const { id, ...rest } = fields;
  return serializeRecord({
    id,
    title: `Issue ${id}`,
    status: 'open',
    priority: 2,
    issue_type: 'task',
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    ...rest,
  });
}

export type DbSnapshot = Record<string, string[]>;

const SNAPSHOT_TABLES = ['issues', 'labels', 'dependencies', 'deletions', 'metadata'];

/**
 * A real `.beads/` in a fresh temp dir with a real SQLite file. The store's clock is fixed
 * (set it with `setTime`) so local change times are known when merge rules compare them.
 */
export class TempWorkspace {
  readonly root: string;
  readonly beadsDir: string;
  readonly jsonlPath: string;
  readonly dbPath: string;
  store: BeadsStore;
  private now: Date;
  private readonly tempRoot: string;
  private outside: Database.Database | undefined;

  constructor(opts: { prefix?: string; now?: string; dirName?: string } = {}) {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-spec-'));
    this.root = opts.dirName ? path.join(parent, opts.dirName) : parent;
    this.beadsDir = path.join(this.root, '.beads');
    fs.mkdirSync(this.beadsDir, { recursive: true });
    this.jsonlPath = path.join(this.beadsDir, 'issues.jsonl');
    this.dbPath = path.join(this.beadsDir, 'beads.db');
    this.now = new Date(opts.now ?? '2025-06-01T12:00:00.000Z');
    this.store = this.openStore(opts.prefix ?? 'bd');
    this.tempRoot = parent;
  }

  private openStore(prefix: string): BeadsStore {
    return new BeadsStore(this.dbPath, { prefix, clock: () => new Date(this.now.getTime()) });
  }

  /** The time the store stamps on local changes from now on. */
  setTime(iso: string): void {
    this.now = new Date(iso);
  }

  import(opts: Partial<ImportOptions> = {}): ImportReport {
    return importJsonl(this.store, { jsonlPath: this.jsonlPath, ...opts });
  }

  export(opts: Partial<ExportOptions> = {}): ExportReport {
    return exportJsonl(this.store, { jsonlPath: this.jsonlPath, ...opts });
  }

  /**
   * Replaces the JSONL the way git or an editor does (a new file renamed over it), as an
   * outside writer the DB has not seen.
   */
  writeJsonl(content: string | string[]): void {
    const text = Array.isArray(content) ? content.map((l) => `${l}\n`).join('') : content;
    const tmp = path.join(this.root, `outside-${process.pid}.jsonl`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, this.jsonlPath);
  }

  copyFixture(name: string): void {
    this.writeJsonl(readFixture(name));
  }

  readJsonl(): string {
    return fs.readFileSync(this.jsonlPath, 'utf8');
  }

  jsonlRecords(): IssueRecord[] {
    return linesOf(this.readJsonl()).map((l) => JSON.parse(l) as IssueRecord);
  }

  jsonlIds(): string[] {
    return this.jsonlRecords().map((r) => r.id);
  }

  /**
   * A second connection to the DB file, as another tool (or a damaged disk) would have: what
   * tests use to look at rows directly or inject faults. Only the store holds its own.
   */
  sql(): Database.Database {
    this.outside ??= new Database(this.dbPath, { timeout: 10_000 });
    return this.outside;
  }

  /** Every row of every table, so "the DB is unchanged" can be asserted exactly. */
  snapshot(): DbSnapshot {
    const out: DbSnapshot = {};
    for (const table of SNAPSHOT_TABLES) {
      out[table] = this.sql()
        .prepare(`SELECT * FROM ${table}`)
        .all()
        .map((r) => JSON.stringify(r))
        .sort();
    }
    return out;
  }

  /** Empties the DB and forgets the last sync, keeping the open connection (for property runs). */
  clearDb(): void {
    const db = this.sql();
    db.transaction(() => {
      for (const table of ['issues', 'labels', 'dependencies', 'deletions']) db.prepare(`DELETE FROM ${table}`).run();
      db.prepare(`DELETE FROM metadata WHERE key NOT IN ('schema_version', 'issue_prefix')`).run();
    })();
  }

  beadsEntries(): string[] {
    return fs.readdirSync(this.beadsDir).sort();
  }

  /** Closes and reopens the DB file, as a new CLI process would. */
  reopen(): BeadsStore {
    const prefix = this.store.prefix;
    this.store.dispose();
    this.store = this.openStore(prefix);
    return this.store;
  }

  dispose(): void {
    this.outside?.close();
    this.store.dispose();
    fs.rmSync(this.tempRoot, { recursive: true, force: true });
  }
}

/** Call inside a `describe`: returns a factory whose workspaces are removed after each test. */
export function useTempWorkspaces(): (opts?: ConstructorParameters<typeof TempWorkspace>[0]) => TempWorkspace {
  const open: TempWorkspace[] = [];
  afterEach(() => {
    for (const ws of open.splice(0)) ws.dispose();
  });
  return (opts) => {
    const ws = new TempWorkspace(opts);
    open.push(ws);
    return ws;
  };
}

/** A bare temp directory (for workspace discovery tests), removed after each test. */
export function useTempDirs(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-spec-')));
    dirs.push(d);
    return d;
  };
}
