import Database from 'better-sqlite3';
import type { IssueRecord } from '../jsonl/parse-jsonl';
import { serializeRecord } from '../jsonl/serialize-record';
import { nowRfc3339 } from '../jsonl/rfc3339';
import { applySchema } from './schema';
import { hashId } from './hash-id';
import {
  DEPENDENCY_TYPES,
  KNOWN_STATUSES,
  KNOWN_TYPES,
  freshRecord,
  patchRecord,
  recordComments,
  recordDependencies,
  recordLabels,
  type Comment,
  type Dependency,
} from './issue-record';
import { IssueNotFoundError, ValidationError } from './store-errors';

/** A write that went through the store (the daemon's `mutation$` is built from these). */
export interface StoreMutation {
  op: string;
  id: string;
  at: number;
}

export interface CreateInput {
  title: string;
  description?: string;
  design?: string;
  acceptance_criteria?: string;
  notes?: string;
  issue_type?: string;
  priority?: number;
  assignee?: string;
  external_ref?: string;
  estimated_minutes?: number;
  labels?: string[];
  /** "type:id" or "id" (blocks). */
  dependencies?: string[];
  id?: string;
}

export interface UpdateInput {
  title?: string;
  description?: string;
  design?: string;
  acceptance_criteria?: string;
  notes?: string;
  status?: string;
  priority?: number;
  assignee?: string;
  external_ref?: string;
  estimated_minutes?: number;
  add_labels?: string[];
  remove_labels?: string[];
  set_labels?: string[];
}

export interface ListFilter {
  status?: string;
  priority?: number;
  issue_type?: string;
  assignee?: string;
  /** All of these labels. */
  labels?: string[];
  /** Any of these labels. */
  labels_any?: string[];
  ids?: string[];
  /** Substring of title or id. */
  query?: string;
  limit?: number;
}

export interface IssueSummary {
  id: string;
  title: unknown;
  status: unknown;
  priority: unknown;
  issue_type: unknown;
  dependency_type: string;
}

export interface IssueDetails extends IssueRecord {
  labels: string[];
  dependencies: IssueSummary[];
  dependents: IssueSummary[];
  comments: Comment[];
}

export interface Stats {
  total_issues: number;
  open_issues: number;
  in_progress_issues: number;
  blocked_issues: number;
  closed_issues: number;
  ready_issues: number;
  deferred_issues: number;
  tombstone_issues: number;
}

/** How one job of a `batch` ended. */
export type BatchOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface WriteFlags {
  dirty: boolean;
  synced: boolean;
}

interface IssueRow {
  id: string;
  line: string;
  dirty: number;
  synced: number;
  updated_at: string | null;
}

const STRICT_STATUSES = KNOWN_STATUSES;
const OPEN_BLOCKER = `b.status NOT IN ('closed', 'tombstone')`;
/** `i` is ready: open, with no open `blocks` dependency (shared by ready() and stats()). */
const READY = `i.status = 'open' AND NOT EXISTS (SELECT 1 FROM dependencies d JOIN issues b ON b.id = d.depends_on_id
  WHERE d.issue_id = i.id AND d.type = 'blocks' AND ${OPEN_BLOCKER})`;
/** `i` is blocked: not closed, with an open `blocks` dependency (shared by blocked() and stats()). */
const BLOCKED = `i.status NOT IN ('closed', 'tombstone') AND EXISTS (SELECT 1 FROM dependencies d
  JOIN issues b ON b.id = d.depends_on_id WHERE d.issue_id = i.id AND d.type = 'blocks' AND ${OPEN_BLOCKER})`;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * The SQLite working copy (better-sqlite3: synchronous, one connection). Every write emits a
 * mutation to the listeners after it commits.
 */
export class BeadsStore {
  readonly db: Database.Database;
  private readonly listeners = new Set<(m: StoreMutation) => void>();
  private readonly stmts;
  /** Mutations of a `batch` in progress, reported once it commits; null = report at once. */
  private held: StoreMutation[] | null = null;
  /** Ids whose line this connection wrote or removed since the last drain; null = not tracked. */
  private touched: Set<string> | null = null;
  /**
   * One transaction wrapper for every write: `db.transaction(fn)` builds four wrapped functions
   * each call (~12 µs), a noticeable share of an RPC create. Nested calls become savepoints.
   */
  private readonly transactionRunner: (fn: () => unknown) => unknown;

  constructor(
    readonly dbPath: string,
    private readonly options: { prefix?: string; clock?: () => Date } = {},
  ) {
    this.db = new Database(dbPath, { timeout: 10_000 });
    this.db.pragma('busy_timeout = 10000');
    applySchema(this.db);
    this.transactionRunner = this.db.transaction((fn: () => unknown) => fn());
    this.stmts = {
      get: this.db.prepare<[string], IssueRow>(
        'SELECT id, line, dirty, synced, updated_at FROM issues WHERE id = ?',
      ),
      exists: this.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM issues WHERE id = ?'),
      upsert: this.db.prepare(
        `INSERT INTO issues (id, line, title, status, priority, issue_type, assignee, created_at, updated_at, dirty, synced)
         VALUES (?, CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET line = excluded.line, title = excluded.title, status = excluded.status,
           priority = excluded.priority, issue_type = excluded.issue_type, assignee = excluded.assignee,
           created_at = excluded.created_at, updated_at = excluded.updated_at, dirty = excluded.dirty,
           synced = excluded.synced`,
      ),
      delLabels: this.db.prepare('DELETE FROM labels WHERE issue_id = ?'),
      delDeps: this.db.prepare('DELETE FROM dependencies WHERE issue_id = ?'),
      insLabel: this.db.prepare('INSERT OR IGNORE INTO labels (issue_id, label) VALUES (?, ?)'),
      insDep: this.db.prepare('INSERT OR IGNORE INTO dependencies (issue_id, depends_on_id, type) VALUES (?, ?, ?)'),
      delIssue: this.db.prepare('DELETE FROM issues WHERE id = ?'),
      getMeta: this.db.prepare<[string], { value: string }>('SELECT value FROM metadata WHERE key = ?'),
      setMeta: this.db.prepare('INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      // Prepared once: every create runs the first, every RPC health/ping the second.
      undelete: this.db.prepare<[string]>('DELETE FROM deletions WHERE id = ?'),
      count: this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM issues'),
    };
  }

  /**
   * Stops this connection's commits from copying the WAL back into the database file every
   * ~1,000 pages (SQLite's default): that copy and its fsync then land on whichever write
   * happens to cross the threshold (about one create in 200, taking 5–20 ms). The daemon calls
   * this and runs `checkpoint()` after each export instead, off the request path.
   */
  deferCheckpoints(): void {
    this.db.pragma('wal_autocheckpoint = 0');
  }

  /** Copies committed WAL pages into the database file, without waiting on readers. */
  checkpoint(): { walPages: number; copied: number } {
    const [row] = this.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    return { walPages: row?.log ?? 0, copied: row?.checkpointed ?? 0 };
  }

  /** Lets SQLite's page cache grow to `kib` KiB until the returned function restores it. */
  withCacheSize(kib: number): () => void {
    const before = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma(`cache_size = ${-Math.round(kib)}`);
    return () => {
      if (this.db.open) this.db.pragma(`cache_size = ${before}`);
    };
  }

  /** Closes the SQLite connection (idempotent). */
  dispose(): void {
    if (this.db.open) this.db.close();
  }

  onMutation(listener: (m: StoreMutation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reports a change made outside the write methods (e.g. an import that kept local edits). */
  notifyMutation(op: string, id: string): void {
    this.emit(op, id);
  }

  private emit(op: string, id: string): void {
    const m = { op, id, at: this.now().getTime() };
    if (this.held) this.held.push(m);
    else for (const l of this.listeners) l(m);
  }

  /**
   * Group commit: runs each job in its own savepoint inside one transaction, so N writes cost
   * one commit instead of N. A job that throws is rolled back alone (and its mutations are not
   * reported); the others stand. Listeners hear of the mutations only after the commit. If the
   * commit itself fails, nothing of the batch is kept and this throws.
   */
  batch(jobs: ReadonlyArray<() => unknown>): BatchOutcome[] {
    if (this.held) throw new Error('BeadsStore.batch cannot be nested');
    const held: StoreMutation[] = [];
    this.held = held;
    let outcomes: BatchOutcome[];
    try {
      // One job: its own transaction does what the savepoint would (a rollback drops it alone).
      outcomes = jobs.length === 1 ? [this.runAlone(jobs[0], held)] : this.runTogether(jobs, held);
    } finally {
      this.held = null;
    }
    for (const m of held) for (const l of this.listeners) l(m);
    return outcomes;
  }

  private runTogether(jobs: ReadonlyArray<() => unknown>, held: StoreMutation[]): BatchOutcome[] {
    return this.inTransaction(() =>
      jobs.map((job) => {
        const mark = held.length;
        try {
          return { ok: true as const, value: this.inTransaction(job) };
        } catch (error) {
          held.length = mark;
          return { ok: false as const, error };
        }
      }),
    );
  }

  /** Runs `fn` in a transaction (a savepoint inside one), rolled back if it throws. */
  inTransaction<T>(fn: () => T): T {
    return this.transactionRunner(fn) as T;
  }

  private runAlone(job: () => unknown, held: StoreMutation[]): BatchOutcome {
    try {
      return { ok: true, value: this.inTransaction(job) };
    } catch (error) {
      held.length = 0;
      return { ok: false, error };
    }
  }

  private now(): Date {
    return this.options.clock ? this.options.clock() : new Date();
  }

  /**
   * Starts (or continues) recording which issue lines this connection changes, for a consumer
   * that keeps rendered lines (the daemon's export). Returns the ids changed since the last
   * call. Writes by other connections are not seen here: compare `PRAGMA data_version`.
   */
  drainTouched(): Set<string> {
    const touched = this.touched ?? new Set<string>();
    this.touched = new Set();
    return touched;
  }

  /** SQLite's `PRAGMA data_version`: moves whenever another connection commits to the file. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }


  // ---- metadata -------------------------------------------------------------------------

  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  get prefix(): string {
    return this.getMeta('issue_prefix') ?? this.options.prefix ?? 'bd';
  }

  // ---- low-level rows (also used by import/export) --------------------------------------

  getRow(id: string): IssueRow | undefined {
    return this.stmts.get.get(id);
  }

  exists(id: string): boolean {
    return this.stmts.exists.get(id) !== undefined;
  }

  /**
   * Writes one record (its exact line) and its derived label/dependency rows. The line may be
   * the file's own UTF-8 bytes (an import), stored as text without a round trip through JS.
   */
  writeIssue(record: IssueRecord, line: string | Buffer, flags: WriteFlags, isNew = false): void {
    this.touched?.add(record.id);
    const priority = record.priority;
    // Positional, not named, parameters: binding by name costs ~15% of a bulk import's inserts.
    this.stmts.upsert.run(
      record.id,
      line,
      str(record.title),
      str(record.status),
      typeof priority === 'number' && Number.isFinite(priority) ? priority : null,
      str(record.issue_type),
      str(record.assignee),
      str(record.created_at),
      str(record.updated_at),
      flags.dirty ? 1 : 0,
      flags.synced ? 1 : 0,
    );
    if (!isNew) {
      this.stmts.delLabels.run(record.id);
      this.stmts.delDeps.run(record.id);
    }
    for (const label of recordLabels(record)) this.stmts.insLabel.run(record.id, label);
    for (const dep of recordDependencies(record)) {
      this.stmts.insDep.run(record.id, dep.depends_on_id, typeof dep.type === 'string' ? dep.type : 'blocks');
    }
  }

  removeIssue(id: string): void {
    this.touched?.add(id);
    this.stmts.delIssue.run(id);
    this.stmts.delLabels.run(id);
    this.stmts.delDeps.run(id);
  }

  // ---- reads ----------------------------------------------------------------------------

  get(id: string): IssueRecord | null {
    const row = this.getRow(id);
    return row ? (JSON.parse(row.line) as IssueRecord) : null;
  }

  require(id: string): IssueRecord {
    const rec = this.get(id);
    if (!rec) throw new IssueNotFoundError(id);
    return rec;
  }

  list(filter: ListFilter = {}): IssueRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      where.push('i.status = ?');
      params.push(filter.status);
    } else {
      where.push(`(i.status IS NULL OR i.status != 'tombstone')`);
    }
    if (filter.priority !== undefined) {
      where.push('i.priority = ?');
      params.push(filter.priority);
    }
    if (filter.issue_type) {
      where.push('i.issue_type = ?');
      params.push(filter.issue_type);
    }
    if (filter.assignee) {
      where.push('i.assignee = ?');
      params.push(filter.assignee);
    }
    for (const label of filter.labels ?? []) {
      where.push('EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label = ?)');
      params.push(label);
    }
    if (filter.labels_any && filter.labels_any.length > 0) {
      where.push(
        `EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label IN (${filter.labels_any.map(() => '?').join(',')}))`,
      );
      params.push(...filter.labels_any);
    }
    if (filter.ids && filter.ids.length > 0) {
      where.push(`i.id IN (${filter.ids.map(() => '?').join(',')})`);
      params.push(...filter.ids);
    }
    if (filter.query) {
      where.push(`(instr(lower(i.title), lower(?)) > 0 OR instr(lower(i.id), lower(?)) > 0)`);
      params.push(filter.query, filter.query);
    }
    return this.selectRecords(where, params, filter.limit);
  }

  /** Open issues with no open `blocks` dependency. */
  ready(filter: { assignee?: string; priority?: number; limit?: number } = {}): IssueRecord[] {
    const where = [READY];
    const params: unknown[] = [];
    if (filter.assignee) {
      where.push('i.assignee = ?');
      params.push(filter.assignee);
    }
    if (filter.priority !== undefined) {
      where.push('i.priority = ?');
      params.push(filter.priority);
    }
    return this.selectRecords(where, params, filter.limit);
  }

  /** Not-closed issues waiting on at least one open `blocks` dependency, with their blockers. */
  blocked(): Array<IssueRecord & { blocked_by_count: number; blocked_by: string[] }> {
    const rows = this.db
      .prepare<[], { line: string; blockers: string }>(
        `SELECT i.line AS line, group_concat(b.id, char(31)) AS blockers
         FROM issues i JOIN dependencies d ON d.issue_id = i.id AND d.type = 'blocks'
         JOIN issues b ON b.id = d.depends_on_id AND ${OPEN_BLOCKER}
         WHERE i.status NOT IN ('closed', 'tombstone')
         GROUP BY i.id ORDER BY i.priority, i.created_at, i.id`,
      )
      .all();
    return rows.map((r) => {
      const blockedBy = r.blockers.split('\u001f').sort();
      return { ...(JSON.parse(r.line) as IssueRecord), blocked_by_count: blockedBy.length, blocked_by: blockedBy };
    });
  }

  show(id: string): IssueDetails {
    const rec = this.require(id);
    const summaries = (sql: string): IssueSummary[] =>
      this.db
        .prepare<[string], { line: string; dependency_type: string }>(sql)
        .all(id)
        .map((r) => {
          const o = JSON.parse(r.line) as IssueRecord;
          return {
            id: o.id,
            title: o.title,
            status: o.status,
            priority: o.priority,
            issue_type: o.issue_type,
            dependency_type: r.dependency_type,
          };
        });
    return {
      ...rec,
      labels: recordLabels(rec),
      dependencies: summaries(
        `SELECT t.line AS line, d.type AS dependency_type FROM dependencies d
         JOIN issues t ON t.id = d.depends_on_id WHERE d.issue_id = ? ORDER BY t.id`,
      ),
      dependents: summaries(
        `SELECT s.line AS line, d.type AS dependency_type FROM dependencies d
         JOIN issues s ON s.id = d.issue_id WHERE d.depends_on_id = ? ORDER BY s.id`,
      ),
      comments: recordComments(rec),
    };
  }

  stats(): Stats {
    const counts = this.db
      .prepare<[], { status: string | null; n: number }>('SELECT status, count(*) AS n FROM issues GROUP BY status')
      .all();
    const by = (s: string) => counts.find((c) => c.status === s)?.n ?? 0;
    const total = counts.reduce((a, c) => a + c.n, 0) - by('tombstone');
    return {
      total_issues: total,
      open_issues: by('open'),
      in_progress_issues: by('in_progress'),
      blocked_issues: this.countWhere(BLOCKED),
      closed_issues: by('closed'),
      ready_issues: this.countWhere(READY),
      deferred_issues: by('deferred'),
      tombstone_issues: by('tombstone'),
    };
  }

  private countWhere(condition: string): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM issues i WHERE ${condition}`).get() as { n: number }).n;
  }

  count(): number {
    return (this.stmts.count.get() as { n: number }).n;
  }

  /** Local changes not yet in the JSONL: dirty issues plus deletions. */
  pendingExportCount(): number {
    const dirty = this.db.prepare('SELECT count(*) AS n FROM issues WHERE dirty = 1').get() as { n: number };
    const deleted = this.db.prepare('SELECT count(*) AS n FROM deletions').get() as { n: number };
    return dirty.n + deleted.n;
  }

  private selectRecords(where: string[], params: unknown[], limit?: number): IssueRecord[] {
    let sql = `SELECT i.line AS line FROM issues i`;
    if (where.length) sql += ` WHERE ${where.join(' AND ')}`;
    sql += ' ORDER BY i.priority, i.created_at, i.id';
    if (limit !== undefined && limit > 0) {
      sql += ' LIMIT ?';
      params = [...params, limit];
    }
    return this.db
      .prepare<unknown[], { line: string }>(sql)
      .all(...params)
      .map((r) => JSON.parse(r.line) as IssueRecord);
  }

  // ---- writes ---------------------------------------------------------------------------

  create(input: CreateInput, actor: string): IssueRecord {
    const title = input.title?.trim();
    if (!title) throw new ValidationError('title is required: give the issue a non-empty title');
    const issueType = input.issue_type ?? 'task';
    validateType(issueType);
    const priority = input.priority ?? 2;
    validatePriority(priority);
    const at = nowRfc3339(this.now());
    const deps = (input.dependencies ?? []).map(parseDepSpec);
    const record = this.inTransaction((): IssueRecord => {
      let id = input.id;
      if (id !== undefined) {
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*-[A-Za-z0-9._-]+$/.test(id)) {
          throw new ValidationError(`id "${id}" is not a valid issue id: expected PREFIX-SUFFIX, e.g. ${this.prefix}-a1b2`);
        }
        if (this.exists(id)) throw new ValidationError(`issue "${id}" already exists: choose another --id`);
      } else {
        id = hashId(
          { prefix: this.prefix, title, description: input.description ?? '', creator: actor, createdAt: at },
          (candidate) => this.exists(candidate),
        );
      }
      for (const d of deps) if (!this.exists(d.target)) throw new IssueNotFoundError(d.target);
      const record = freshRecord({
        id,
        title,
        description: input.description,
        design: input.design,
        acceptance_criteria: input.acceptance_criteria,
        notes: input.notes,
        status: 'open',
        priority,
        issue_type: issueType,
        assignee: input.assignee,
        estimated_minutes: input.estimated_minutes,
        created_at: at,
        created_by: actor,
        updated_at: at,
        external_ref: input.external_ref,
        labels: dedupe(input.labels ?? []),
        dependencies: deps.map(
          (d): Dependency => ({ issue_id: id!, depends_on_id: d.target, type: d.type, created_at: at, created_by: actor }),
        ),
      });
      this.writeIssue(record, serializeRecord(record), { dirty: true, synced: false }, true);
      this.stmts.undelete.run(id);
      return record;
    });
    this.emit('create', record.id);
    return record;
  }

  update(id: string, input: UpdateInput, actor: string): IssueRecord {
    void actor;
    if (input.status !== undefined) validateStatus(input.status);
    if (input.priority !== undefined) validatePriority(input.priority);
    if (input.title !== undefined && !input.title.trim()) {
      throw new ValidationError('title cannot be empty: give a non-empty --title');
    }
    const record = this.mutate(id, 'update', (rec, at) => {
      const changes: Record<string, unknown> = {};
      for (const key of ['title', 'description', 'design', 'acceptance_criteria', 'notes', 'priority',
        'assignee', 'external_ref', 'estimated_minutes'] as const) {
        if (input[key] !== undefined) changes[key] = input[key];
      }
      if (input.status !== undefined && input.status !== rec.status) {
        changes.status = input.status;
        if (input.status === 'closed') changes.closed_at = at;
        else if (rec.status === 'closed') {
          changes.closed_at = '';
          changes.close_reason = '';
        }
      }
      if (input.set_labels || input.add_labels || input.remove_labels) {
        let labels = input.set_labels ? dedupe(input.set_labels) : recordLabels(rec);
        for (const l of input.add_labels ?? []) if (!labels.includes(l)) labels = [...labels, l];
        labels = labels.filter((l) => !(input.remove_labels ?? []).includes(l));
        changes.labels = labels;
      }
      return changes;
    });
    return record;
  }

  close(id: string, reason: string | undefined, actor: string): IssueRecord {
    void actor;
    return this.mutate(id, 'close', (_rec, at) => ({
      status: 'closed',
      closed_at: at,
      close_reason: reason ?? 'Closed',
    }));
  }

  reopen(id: string, actor: string): IssueRecord {
    void actor;
    return this.mutate(id, 'reopen', () => ({ status: 'open', closed_at: '', close_reason: '' }));
  }

  delete(id: string, actor: string): { id: string; deleted: true } {
    void actor;
    const at = nowRfc3339(this.now());
    const touched: string[] = [];
    this.inTransaction(() => {
      this.require(id);
      this.removeIssue(id);
      this.db.prepare('INSERT OR REPLACE INTO deletions (id, deleted_at) VALUES (?, ?)').run(id, at);
      const referrers = this.db
        .prepare<[string], { issue_id: string }>('SELECT DISTINCT issue_id FROM dependencies WHERE depends_on_id = ?')
        .all(id);
      for (const { issue_id } of referrers) {
        const rec = this.require(issue_id);
        const deps = recordDependencies(rec).filter((d) => d.depends_on_id !== id);
        this.rewrite(patchRecord(rec, { dependencies: deps, updated_at: at }));
        touched.push(issue_id);
      }
    });
    this.emit('delete', id);
    for (const t of touched) this.emit('update', t);
    return { id, deleted: true };
  }

  addDependency(issueId: string, dependsOnId: string, type: string, actor: string): IssueRecord {
    if (!DEPENDENCY_TYPES.includes(type)) {
      throw new ValidationError(`dependency type "${type}" is not one of ${DEPENDENCY_TYPES.join(', ')}`);
    }
    if (issueId === dependsOnId) throw new ValidationError(`an issue cannot depend on itself (${issueId})`);
    return this.mutate(issueId, 'dep_add', (rec, at) => {
      this.require(dependsOnId);
      const deps = recordDependencies(rec);
      if (deps.some((d) => d.depends_on_id === dependsOnId && d.type === type)) return {};
      if (type === 'blocks' && this.reachable(dependsOnId, issueId)) {
        throw new ValidationError(
          `adding ${issueId} → ${dependsOnId} (blocks) would create a cycle: ${dependsOnId} already depends on ${issueId}`,
        );
      }
      const dep: Dependency = { issue_id: issueId, depends_on_id: dependsOnId, type, created_at: at, created_by: actor };
      return { dependencies: [...deps, dep] };
    });
  }

  removeDependency(issueId: string, dependsOnId: string, actor: string): IssueRecord {
    void actor;
    return this.mutate(issueId, 'dep_remove', (rec) => {
      const deps = recordDependencies(rec);
      const kept = deps.filter((d) => d.depends_on_id !== dependsOnId);
      if (kept.length === deps.length) {
        throw new ValidationError(`${issueId} has no dependency on ${dependsOnId}: see \`bd-rx show ${issueId}\``);
      }
      return { dependencies: kept };
    });
  }

  addLabel(id: string, label: string, actor: string): IssueRecord {
    void actor;
    if (!label.trim()) throw new ValidationError('label cannot be empty');
    return this.mutate(id, 'label_add', (rec) => {
      const labels = recordLabels(rec);
      return labels.includes(label) ? {} : { labels: [...labels, label] };
    });
  }

  removeLabel(id: string, label: string, actor: string): IssueRecord {
    void actor;
    return this.mutate(id, 'label_remove', (rec) => {
      const labels = recordLabels(rec);
      return labels.includes(label) ? { labels: labels.filter((l) => l !== label) } : {};
    });
  }

  addComment(id: string, author: string, text: string): Comment {
    if (!text.trim()) throw new ValidationError('comment text cannot be empty');
    let added: Comment | undefined;
    this.mutate(id, 'comment_add', (rec, at) => {
      const comments = recordComments(rec);
      const nextId = comments.reduce((m, c) => (typeof c.id === 'number' && c.id > m ? c.id : m), 0) + 1;
      added = { id: nextId, issue_id: id, author, text, created_at: at };
      return { comments: [...comments, added] };
    });
    return added!;
  }

  comments(id: string): Comment[] {
    return recordComments(this.require(id));
  }

  /** Is `to` reachable from `from` along `blocks` edges? */
  private reachable(from: string, to: string): boolean {
    const row = this.db
      .prepare(
        `WITH RECURSIVE r(id) AS (SELECT ? UNION SELECT d.depends_on_id FROM dependencies d JOIN r ON d.issue_id = r.id
           WHERE d.type = 'blocks') SELECT 1 AS one FROM r WHERE id = ? LIMIT 1`,
      )
      .get(from, to);
    return row !== undefined;
  }

  private rewrite(record: IssueRecord): void {
    const row = this.getRow(record.id);
    this.writeIssue(record, serializeRecord(record), { dirty: true, synced: row ? row.synced === 1 : false });
  }

  /** Read-modify-write of one record in a transaction; a no-op change writes nothing. */
  private mutate(
    id: string,
    op: string,
    change: (rec: IssueRecord, at: string) => Record<string, unknown>,
  ): IssueRecord {
    let changed = false;
    const result = this.inTransaction((): IssueRecord => {
      const rec = this.require(id);
      const at = nowRfc3339(this.now());
      const changes = change(rec, at);
      if (Object.keys(changes).length === 0) return rec;
      const next = patchRecord(rec, { ...changes, updated_at: at });
      this.rewrite(next);
      changed = true;
      return next;
    });
    if (changed) this.emit(op, id);
    return result;
  }
}

function dedupe(items: string[]): string[] {
  return [...new Set(items.map((s) => s.trim()).filter(Boolean))];
}

function validateStatus(status: string): void {
  if (!STRICT_STATUSES.includes(status)) {
    throw new ValidationError(`status "${status}" is not one of ${STRICT_STATUSES.join(', ')}`);
  }
}

function validateType(type: string): void {
  if (!KNOWN_TYPES.includes(type)) {
    throw new ValidationError(`issue type "${type}" is not one of ${KNOWN_TYPES.join(', ')}`);
  }
}

function validatePriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < 0 || priority > 4) {
    throw new ValidationError(`priority ${JSON.stringify(priority)} is not an integer from 0 (highest) to 4`);
  }
}

function parseDepSpec(spec: string): { type: string; target: string } {
  const i = spec.indexOf(':');
  const type = i === -1 ? 'blocks' : spec.slice(0, i);
  const target = i === -1 ? spec : spec.slice(i + 1);
  if (!DEPENDENCY_TYPES.includes(type)) {
    throw new ValidationError(`dependency "${spec}": type "${type}" is not one of ${DEPENDENCY_TYPES.join(', ')}`);
  }
  if (!target) throw new ValidationError(`dependency "${spec}" names no issue: use TYPE:ID or ID`);
  return { type, target };
}
