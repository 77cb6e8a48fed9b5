import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { LoggedEvent } from '../../src/events/daemon-event';
import { OPERATIONS, PROTOCOL_VERSION } from '../../src/rpc/protocol';
import { RpcClient } from '../../src/rpc/rpc-client';
import { RpcConnectionError, RpcError } from '../../src/rpc/rpc-errors';
import { type DaemonProcess, issueLine, useDaemons, type Workspace } from '../helpers/daemon-process';
import {
  daemonFiles,
  jsonlIds,
  loggedTwin,
  NO_FILES,
  socketOf,
  WAIT,
  waitForJsonlIds,
  withClient,
} from '../helpers/real-daemon';
import { waitFor } from '../helpers/wait-for';
import { oneShot, RawClient } from '../rpc/rpc-test-helpers';

/**
 * bd's RPC operations against a real `bd-rx daemon` process over its real Unix socket: every
 * operation, both client styles, malformed input, and 500 clients at once. The transport alone
 * (framing, limits, timeouts against a stub handler) is covered in spec/rpc/.
 */

jest.setTimeout(120_000);

const DEBOUNCE_MS = 100;

type Issue = Record<string, any> & { id: string };
type Mutation = { Type: string; IssueID: string; Timestamp: string };

describe('bd-rx daemon RPC (a real daemon, its real socket)', () => {
  const { workspace, start } = useDaemons();

  /** A daemon in a fresh workspace, past its start-up sync, answering on its socket. */
  async function daemon(args: string[] = []): Promise<{ ws: Workspace; d: DaemonProcess }> {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--debounce-ms', String(DEBOUNCE_MS), ...args] });
    await d.waitUntilWatching();
    return { ws, d };
  }

  /**
   * `active_connections` as a one-shot health request sees it (itself included), asked until it
   * is `expected` or WAIT runs out: a connection the client closed is released when the daemon
   * reads the hang-up.
   */
  async function activeConnectionsSettle(ws: Workspace, expected: number): Promise<number> {
    let active = -1;
    for (const deadline = Date.now() + WAIT; Date.now() < deadline; ) {
      active = ((await oneShot(socketOf(ws), { operation: 'health' })).data as { active_connections: number }).active_connections;
      if (active === expected) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return active;
  }

  const ids = (issues: unknown): string[] => (issues as Issue[]).map((i) => i.id).sort();

  /** The error message a request fails with (the test fails if it succeeds). */
  async function failureOf(p: Promise<unknown>): Promise<string> {
    const outcome = await p.then(
      (data) => ({ ok: true as const, data }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.data)}`);
    expect(outcome.err).toBeInstanceOf(RpcError);
    return (outcome.err as Error).message;
  }

  describe('operations', () => {
    it('should answer ping and health with status, versions, uptime, DB time and connection counts', async () => {
      const { ws } = await daemon();
      await withClient(ws, async (c) => {
        const ping = (await c.request('ping')) as Record<string, unknown>;
        expect(ping).toMatchObject({ status: 'healthy', version: PROTOCOL_VERSION, compatible: true });

        const health = (await c.request('health')) as Record<string, any>;
        expect(Object.keys(health).sort()).toEqual(
          [
            'active_connections',
            'compatible',
            'daemon_version',
            'db_response_ms',
            'max_connections',
            // bd's HealthResponse field (Go's heap in bd; Node's heap here).
            'memory_alloc_mb',
            'status',
            'uptime_seconds',
            'version',
          ].sort(),
        );
        expect(['healthy', 'degraded', 'unhealthy']).toContain(health.status);
        expect(health).toMatchObject({ status: 'healthy', version: PROTOCOL_VERSION, compatible: true, max_connections: 100 });
        expect(Number.isInteger(health.uptime_seconds) && health.uptime_seconds >= 0).toBe(true);
        expect(typeof health.db_response_ms).toBe('number');
        expect(health.db_response_ms).toBeGreaterThanOrEqual(0);
        // This connection is the only one.
        expect(health.active_connections).toBe(1);

        await withClient(ws, async (second) => {
          expect(((await second.request('health')) as Record<string, unknown>).active_connections).toBe(2);
        });
      });
    });

    it('should report status: version, paths, pid, uptime, mode and the event statistics', async () => {
      const { ws, d } = await daemon();
      await withClient(ws, async (c) => {
        const before = (await c.request('status')) as Record<string, any>;
        expect(before).toMatchObject({
          version: PROTOCOL_VERSION,
          workspace_path: ws.root,
          database_path: ws.dbPath,
          socket_path: socketOf(ws),
          pid: d.pid,
          daemon_mode: 'events',
          debounce_ms: DEBOUNCE_MS,
          mutations: 0,
          errors: 0,
          watcher_status: 'active',
        });
        expect(before.uptime_seconds).toBeGreaterThanOrEqual(0);
        for (const key of ['file_changes', 'exports', 'exports_batched_from', 'imports', 'events_received']) {
          expect(typeof before[key]).toBe('number');
        }
        expect(before.watching).toEqual([ws.jsonlPath]);

        await c.request('create', { title: 'Counted' });
        await d.waitForEvent('export/done', WAIT);
        const after = (await c.request('status')) as Record<string, any>;
        expect(after).toMatchObject({ mutations: 1, exports: 1, exports_batched_from: 1 });
        expect(after.events_received).toBeGreaterThan(before.events_received);
        expect(after.latency_ms.samples).toBe(1);
      });
    });

    it('should create an issue with every argument, and show it with labels, dependencies and dependents', async () => {
      const { ws } = await daemon();
      await withClient(ws, async (c) => {
        for (const id of ['t-a', 't-b', 't-c']) await c.request('create', { id, title: `Target ${id}` });
        const created = (await c.request('create', {
          id: 't-full',
          title: 'Every field',
          description: 'What it is',
          issue_type: 'feature',
          priority: 1,
          design: 'How',
          acceptance_criteria: 'Done when',
          notes: 'Notes',
          assignee: 'alice',
          external_ref: 'gh-42',
          estimated_minutes: 90,
          labels: ['ui', 'backend', 'ui'],
          dependencies: ['t-a', 'related:t-b', 'discovered-from:t-c'],
        })) as Issue;
        expect(created).toMatchObject({
          id: 't-full',
          title: 'Every field',
          description: 'What it is',
          issue_type: 'feature',
          priority: 1,
          status: 'open',
          design: 'How',
          acceptance_criteria: 'Done when',
          notes: 'Notes',
          assignee: 'alice',
          external_ref: 'gh-42',
          estimated_minutes: 90,
          created_by: 'tester',
        });
        expect([...created.labels].sort()).toEqual(['backend', 'ui']);
        // bd's create answers the issue without its raw dependency records: they show on `show`.
        expect(created.dependencies).toBeUndefined();

        const generated = (await c.request('create', { title: 'No id given' })) as Issue;
        expect(generated.id).toMatch(/^t-[0-9a-z]+$/);

        // bd's IssueDetails: the linked issues in full, each with its dependency_type; none = no key.
        const shown = (await c.request('show', { id: 't-full' })) as Issue;
        expect([...shown.labels].sort()).toEqual(['backend', 'ui']);
        const linked = (id: string, title: string, priority: number, issue_type: string, dependency_type: string) =>
          expect.objectContaining({ id, title, status: 'open', priority, issue_type, dependency_type, created_at: expect.any(String) });
        expect(shown.dependencies).toEqual([
          linked('t-a', 'Target t-a', 2, 'task', 'blocks'),
          linked('t-b', 'Target t-b', 2, 'task', 'related'),
          linked('t-c', 'Target t-c', 2, 'task', 'discovered-from'),
        ]);
        expect(shown.dependents).toBeUndefined();
        expect(((await c.request('show', { id: 't-a' })) as Issue).dependents).toEqual([
          expect.objectContaining({ id: 't-full', title: 'Every field', status: 'open', priority: 1, issue_type: 'feature', dependency_type: 'blocks', description: 'What it is' }),
        ]);

        expect(await failureOf(c.request('create', { title: 'Dup', id: 't-full' }))).toMatch(/t-full.*already exists/);
        expect(await failureOf(c.request('create', { title: 'Dangling', dependencies: ['t-nope'] }))).toMatch(/t-nope/);
      });
    });

    it('should update fields, and labels through add_labels, remove_labels and set_labels', async () => {
      const { ws } = await daemon();
      await withClient(ws, async (c) => {
        await c.request('create', { id: 't-u', title: 'Before', labels: ['a', 'b'] });
        const updated = (await c.request('update', {
          id: 't-u',
          title: 'After',
          status: 'in_progress',
          priority: 0,
          assignee: 'bob',
          notes: 'n',
          add_labels: ['c'],
          remove_labels: ['a'],
        })) as Issue;
        expect(updated).toMatchObject({ id: 't-u', title: 'After', status: 'in_progress', priority: 0, assignee: 'bob', notes: 'n' });
        expect([...updated.labels].sort()).toEqual(['b', 'c']);

        const replaced = (await c.request('update', { id: 't-u', set_labels: ['x', 'y'] })) as Issue;
        expect([...replaced.labels].sort()).toEqual(['x', 'y']);
        expect([...((await c.request('show', { id: 't-u' })) as Issue).labels].sort()).toEqual(['x', 'y']);
        expect(await failureOf(c.request('update', { id: 't-missing', title: 'x' }))).toMatch(/t-missing/);
      });
    });

    it('should close with a reason, reopen, and delete', async () => {
      const { ws } = await daemon();
      await withClient(ws, async (c) => {
        await c.request('create', { id: 't-c1', title: 'Lifecycle' });
        const closed = (await c.request('close', { id: 't-c1', reason: 'Fixed upstream' })) as Issue;
        expect(closed).toMatchObject({ status: 'closed', close_reason: 'Fixed upstream' });
        expect(typeof closed.closed_at).toBe('string');

        const reopened = (await c.request('reopen', { id: 't-c1' })) as Issue;
        expect(reopened.status).toBe('open');
        expect(reopened.closed_at).toBeUndefined();

        // bd's (direct-mode) single delete answer.
        expect(await c.request('delete', { id: 't-c1' })).toEqual({ deleted: 't-c1', dependencies_removed: 0, references_updated: 0 });
        expect(ids(await c.request('list'))).toEqual([]);
        expect(await failureOf(c.request('show', { id: 't-c1' }))).toMatch(/t-c1/);
      });
    });

    it('should list with every filter: status, priority, issue_type, assignee, labels (all), labels_any, ids, query, limit', async () => {
      const { ws } = await daemon();
      await withClient(ws, async (c) => {
        await c.request('create', { id: 't-1', title: 'Login bug', issue_type: 'bug', priority: 0, assignee: 'ann', labels: ['ui', 'auth'] });
        await c.request('create', { id: 't-2', title: 'Signup flow', issue_type: 'feature', priority: 1, assignee: 'ben', labels: ['ui'] });
        await c.request('create', { id: 't-3', title: 'Refactor store', issue_type: 'task', priority: 2, labels: ['db'] });
        await c.request('create', { id: 't-4', title: 'Old chore', issue_type: 'chore', priority: 3 });
        await c.request('close', { id: 't-4' });

        const list = async (args: object) => ids(await c.request('list', args as never));
        expect(await list({})).toEqual(['t-1', 't-2', 't-3', 't-4']);
        expect(await list({ status: 'closed' })).toEqual(['t-4']);
        expect(await list({ status: 'open' })).toEqual(['t-1', 't-2', 't-3']);
        expect(await list({ priority: 1 })).toEqual(['t-2']);
        expect(await list({ issue_type: 'bug' })).toEqual(['t-1']);
        expect(await list({ assignee: 'ben' })).toEqual(['t-2']);
        expect(await list({ labels: ['ui', 'auth'] })).toEqual(['t-1']);
        expect(await list({ labels: ['ui'] })).toEqual(['t-1', 't-2']);
        expect(await list({ labels_any: ['auth', 'db'] })).toEqual(['t-1', 't-3']);
        expect(await list({ ids: ['t-2', 't-3', 't-9'] })).toEqual(['t-2', 't-3']);
        expect(await list({ query: 'SIGNUP' })).toEqual(['t-2']);
        expect(await list({ status: 'open', labels_any: ['ui'], priority: 1 })).toEqual(['t-2']);
        // Ordered by priority: the limit keeps the most urgent.
        expect(((await c.request('list', { limit: 2 })) as Issue[]).map((i) => i.id)).toEqual(['t-1', 't-2']);
      });
    });

    it('should answer ready, blocked and stats, and follow dep_add / dep_remove', async () => {
      const { ws } = await daemon();
      await withClient(ws, async (c) => {
        await c.request('create', { id: 't-blocker', title: 'Blocker', priority: 1 });
        await c.request('create', { id: 't-waiting', title: 'Waiting', priority: 2 });
        await c.request('create', { id: 't-free', title: 'Free', priority: 3 });

        // bd's answer: a status object; the dependency itself shows on the issue.
        expect(await c.request('dep_add', { from_id: 't-waiting', to_id: 't-blocker', dep_type: 'blocks' })).toEqual({ status: 'added', issue_id: 't-waiting', depends_on_id: 't-blocker', type: 'blocks' });
        expect(((await c.request('show', { id: 't-waiting' })) as unknown as Issue).dependencies).toEqual([expect.objectContaining({ id: 't-blocker', dependency_type: 'blocks' })]);
        expect(ids(await c.request('ready'))).toEqual(['t-blocker', 't-free']);
        expect(await c.request('blocked')).toEqual([
          expect.objectContaining({ id: 't-waiting', blocked_by: ['t-blocker'], blocked_by_count: 1 }),
        ]);
        // bd's Statistics, every field, and a `summary` copy for clients of the CLI's shape.
        const statistics = {
          total_issues: 3,
          open_issues: 3,
          in_progress_issues: 0,
          blocked_issues: 1,
          closed_issues: 0,
          ready_issues: 2,
          deferred_issues: 0,
          tombstone_issues: 0,
          pinned_issues: 0,
          epics_eligible_for_closure: 0,
          average_lead_time_hours: 0,
        };
        expect(await c.request('stats')).toEqual({ ...statistics, summary: statistics });
        expect(ids(await c.request('ready', { priority: 3 }))).toEqual(['t-free']);
        expect(((await c.request('ready', { limit: 1 })) as Issue[]).map((i) => i.id)).toEqual(['t-blocker']);

        // A related link does not block.
        await c.request('dep_add', { from_id: 't-free', to_id: 't-blocker', dep_type: 'related' });
        expect(ids(await c.request('ready'))).toEqual(['t-blocker', 't-free']);

        expect(await c.request('dep_remove', { from_id: 't-waiting', to_id: 't-blocker' })).toEqual({ status: 'removed', issue_id: 't-waiting', depends_on_id: 't-blocker' });
        expect(((await c.request('show', { id: 't-waiting' })) as unknown as Issue).dependencies ?? []).toEqual([]);
        expect(await c.request('blocked')).toEqual([]);
        expect(ids(await c.request('ready'))).toEqual(['t-blocker', 't-free', 't-waiting']);
        expect(await failureOf(c.request('dep_add', { from_id: 't-blocker', to_id: 't-blocker' }))).not.toBe('');
      });
    });

    it('should add and remove labels with label_add / label_remove', async () => {
      const { ws } = await daemon();
      await withClient(ws, async (c) => {
        await c.request('create', { id: 't-l', title: 'Labelled' });
        // bd's daemon answers label writes with no data; the labels show on the issue.
        expect(await c.request('label_add', { id: 't-l', label: 'urgent' })).toBeUndefined();
        await c.request('label_add', { id: 't-l', label: 'api' });
        expect([...((await c.request('show', { id: 't-l' })) as unknown as Issue).labels].sort()).toEqual(['api', 'urgent']);
        expect(ids(await c.request('list', { labels: ['urgent'] }))).toEqual(['t-l']);
        await c.request('label_remove', { id: 't-l', label: 'urgent' });
        expect(((await c.request('show', { id: 't-l' })) as unknown as Issue).labels).toEqual(['api']);
        expect(ids(await c.request('list', { labels: ['urgent'] }))).toEqual([]);
      });
    });

    it('should add comments with comment_add {id, author, text} and list them with comment_list', async () => {
      const { ws } = await daemon();
      await withClient(ws, async (c) => {
        await c.request('create', { id: 't-m', title: 'Discussed' });
        const first = await c.request('comment_add', { id: 't-m', author: 'carol', text: 'First <b>&' });
        expect(first).toMatchObject({ issue_id: 't-m', author: 'carol', text: 'First <b>&' });
        // Without an author, the request's actor writes it.
        await c.request('comment_add', { id: 't-m', text: 'Second' });
        const comments = await c.request('comment_list', { id: 't-m' });
        expect(comments.map((x) => [x.author, x.text])).toEqual([
          ['carol', 'First <b>&'],
          ['tester', 'Second'],
        ]);
        expect(((await c.request('show', { id: 't-m' })) as Issue).comments).toHaveLength(2);
      });
    });

    it('should return mutations as {Type, IssueID, Timestamp} from get_mutations: the last 1,000, oldest dropped', async () => {
      const { ws, d } = await daemon();
      await withClient(ws, async (c) => {
        // Two batches: one batch holds at most 1,000 operations.
        const results: Array<{ success: boolean; data: Issue }> = [];
        for (const [from, to] of [[0, 1000], [1000, 1005]]) {
          const batch = (await c.request('batch', {
            operations: Array.from({ length: to - from }, (_, i) => ({ operation: 'create', args: { title: `Ring ${from + i}` } })),
          })) as { results: Array<{ success: boolean; data: Issue }> };
          results.push(...batch.results);
        }
        expect(results).toHaveLength(1005);
        expect(results.every((r) => r.success)).toBe(true);
        const created = results.map((r) => r.data.id);

        const all = (await c.request('get_mutations', { since: 0 })) as Mutation[];
        expect(all).toHaveLength(1000);
        expect(Object.keys(all[0]).sort()).toEqual(['IssueID', 'Timestamp', 'Type']);
        expect(all.every((m) => m.Type === 'create')).toBe(true);
        expect(all.map((m) => m.IssueID)).toEqual(created.slice(5));
        for (const gone of created.slice(0, 5)) expect(all.map((m) => m.IssueID)).not.toContain(gone);
        expect(all.every((m) => new Date(m.Timestamp).toISOString() === m.Timestamp)).toBe(true);

        // `since` is a Unix time in ms: only later mutations come back.
        const since = Date.parse(all[500].Timestamp);
        const later = (await c.request('get_mutations', { since })) as Mutation[];
        expect(later.length).toBeGreaterThan(0);
        expect(later.length).toBeLessThan(1000);
        expect(later.every((m) => Date.parse(m.Timestamp) > since)).toBe(true);
        expect(later).toEqual(all.filter((m) => Date.parse(m.Timestamp) > since));
        expect(await c.request('get_mutations', { since: Date.now() + 60_000 })).toEqual([]);

        // The same writes went through mutation$: one store/mutated each, and all reach the JSONL.
        await waitForJsonlIds(ws.jsonlPath, created);
        expect(d.count((e) => e.type === 'store/mutated' && e.op === 'create')).toBe(1005);
      });
    });

    it('should run a batch in order and stop at the first failure', async () => {
      const { ws } = await daemon();
      await withClient(ws, async (c) => {
        const r = (await c.request('batch', {
          operations: [
            { operation: 'create', args: { id: 't-b1', title: 'First' } },
            { operation: 'label_add', args: { id: 't-b1', label: 'batched' } },
            { operation: 'update', args: { id: 't-missing', title: 'Fails' } },
            { operation: 'create', args: { id: 't-b3', title: 'Never runs' } },
          ],
        })) as { results: Array<{ success: boolean; data?: Issue; error?: string }> };
        expect(r.results).toHaveLength(3);
        expect(r.results.slice(0, 2).map((x) => x.success)).toEqual([true, true]);
        // bd's label_add answers no data: the label shows on the issue.
        expect(r.results[1].data).toBeUndefined();
        expect(((await c.request('show', { id: 't-b1' })) as Issue).labels).toEqual(['batched']);
        expect(r.results[2]).toEqual({ success: false, error: expect.stringMatching(/t-missing/) });
        // Not a transaction: what ran before the failure stays.
        expect(ids(await c.request('list'))).toEqual(['t-b1']);

        // An invalid call anywhere refuses the whole batch before anything runs.
        const invalid = await failureOf(
          c.request('batch', {
            operations: [
              { operation: 'create', args: { id: 't-b4', title: 'Valid' } },
              { operation: 'create', args: { title: 7 } },
            ],
          }),
        );
        expect(invalid).toMatch(/operations\.1.*title/);
        expect(ids(await c.request('list'))).toEqual(['t-b1']);
      });
    });

    it("should run export and import through the serial lane and answer with the lane's result event", async () => {
      const { ws, d } = await daemon();
      await withClient(ws, async (c) => {
        // Pipelined: the export request joins the create's pending export.
        const [, exported] = (await Promise.all([
          c.request('create', { id: 't-x', title: 'Exported' }),
          c.request('export'),
        ])) as [Issue, LoggedEvent];
        expect(exported).toMatchObject({ type: 'export/done', issues: 1 });
        expect((exported as { batched: number }).batched).toBeGreaterThanOrEqual(1);
        // Answered once the lane has written the file.
        expect(jsonlIds(ws.jsonlPath)).toEqual(['t-x']);
        // The very event the log shows.
        expect(await waitFor(() => loggedTwin(d, exported), WAIT, 'the export in the log')).toEqual(exported);

        // The watcher saw that write too, and the import it asked for knew the bytes as ours.
        const at = d.events.indexOf(loggedTwin(d, exported)!);
        await d.waitForEvent((e) => e.type === 'import/skipped' && e.reason === 'own-write', WAIT, at);
        // Nothing changed since: the lane reports it skipped.
        expect(await c.request('export')).toMatchObject({ type: 'export/skipped', reason: 'no local changes' });

        // A teammate's line lands in the file; the watcher's change and the request fall in one
        // debounce window, and the one import they cost is the answer.
        fs.appendFileSync(ws.jsonlPath, `${issueLine('t-out', { title: 'From outside' })}\n`);
        const imported = (await c.request('import')) as LoggedEvent;
        expect(imported).toMatchObject({ type: 'import/done', created: 1, deleted: 0 });
        expect(await waitFor(() => loggedTwin(d, imported), WAIT, 'the import in the log')).toEqual(imported);
        expect(((await c.request('show', { id: 't-out' })) as Issue).title).toBe('From outside');
        expect(d.all((e) => e.type === 'sync/requested' && e.reason === 'rpc').map((e) => (e as { kind: string }).kind)).toEqual([
          'export',
          'export',
          'import',
        ]);
      });
    });

    it('should stop on shutdown: exit code 0, socket, lock and pid files removed', async () => {
      const { ws, d } = await daemon();
      expect(daemonFiles(ws)).toEqual({ socket: true, lock: true, pid: true });
      expect(await oneShot(socketOf(ws), { operation: 'shutdown' })).toEqual({ success: true, data: { message: 'shutting down' } });
      expect(await d.waitForExit(WAIT)).toEqual({ code: 0, signal: null });
      expect(daemonFiles(ws)).toEqual(NO_FILES);
      expect(d.events[d.events.length - 1].type).toBe('daemon/stopped');
    });

    it('should stream events on subscribe, the same objects as the log, until the client hangs up', async () => {
      const { ws, d } = await daemon();
      const received: LoggedEvent[] = [];
      const subscriber = await RpcClient.connect(socketOf(ws), { expectedDb: ws.dbPath });
      const sub = subscriber.subscribe((e) => received.push(e as LoggedEvent));
      try {
        await withClient(ws, async (c) => {
          // The subscribe line and the first create travel on different connections: create
          // until one is seen, so the stream is known to be live.
          let n = 0;
          await waitFor(
            () => {
              if (received.some((e) => e.type === 'store/mutated')) return true;
              void c.request('create', { title: `Probe ${n++}` });
              return false;
            },
            WAIT,
            'the subscription to see a write',
            200,
          );
          const from = received.length;
          await c.request('create', { id: 't-live', title: 'Seen live' });
          await waitFor(() => received.find((e, i) => i >= from && e.type === 'export/done'), WAIT, 'the export on the stream');
          expect(received.slice(from).map((e) => e.type)).toEqual(
            expect.arrayContaining(['store/mutated', 'export/done']),
          );
          expect(received.slice(from).find((e) => e.type === 'store/mutated')).toMatchObject({ op: 'create', id: 't-live' });
          expect((await c.request('health')) as Record<string, unknown>).toMatchObject({ active_connections: 2 });
        });
        // Every streamed event is one the log shows, field for field.
        await waitFor(() => received.every((e) => loggedTwin(d, e)), WAIT, 'every streamed event in the log');
        for (const e of received) expect(e).toEqual(loggedTwin(d, e));
        const first = d.events.findIndex((e) => e.ts === received[0].ts && e.type === received[0].type);
        expect(d.events.slice(first, first + received.length)).toEqual(received);
      } finally {
        sub.close();
      }
      await sub.done;
      // Hung up: the daemon dropped the stream and its connection.
      expect(await activeConnectionsSettle(ws, 1)).toBe(1);
      expect(d.exit).toBeUndefined();
    });
  });

  describe('writes and the JSONL', () => {
    it('should export each RPC write to the JSONL one debounce window after it, in one export', async () => {
      const { ws, d } = await daemon();
      for (let i = 0; i < 5; i++) {
        const id = `t-w${i}`;
        const from = d.mark();
        const r = await oneShot(socketOf(ws), { operation: 'create', args: { id, title: `Write ${i}` } });
        expect(r).toMatchObject({ success: true, data: { id } });
        await waitForJsonlIds(ws.jsonlPath, [id]);
        const mutated = await d.waitForEvent((e) => e.type === 'store/mutated' && e.id === id, WAIT, from);
        const at = d.events.indexOf(mutated);
        const exported = await d.waitForEvent('export/done', WAIT, at);
        // Debounced (not written at once), then written by the first export after it.
        const gap = Date.parse(exported.ts) - Date.parse(mutated.ts);
        expect(gap).toBeGreaterThanOrEqual(DEBOUNCE_MS - 5);
        expect(gap).toBeLessThan(DEBOUNCE_MS + 1000);
        expect(exported).toMatchObject({ batched: 1, issues: i + 1 });
        expect(d.count((e) => e.type.startsWith('export/'), at)).toBe(1);
      }
      expect(jsonlIds(ws.jsonlPath)).toEqual(['t-w0', 't-w1', 't-w2', 't-w3', 't-w4']);
    });
  });

  describe('client styles', () => {
    it('should serve many requests on one persistent connection, pipelined and sequential, in order', async () => {
      const { ws } = await daemon();
      await withClient(ws, async (c) => {
        const pipelined = (await Promise.all(
          Array.from({ length: 200 }, (_, i) => c.request('create', { title: `Pipelined ${i}` })),
        )) as Issue[];
        expect(pipelined.map((x) => x.title)).toEqual(Array.from({ length: 200 }, (_, i) => `Pipelined ${i}`));
        for (let i = 0; i < 50; i++) {
          const shown = (await c.request('show', { id: pipelined[i].id })) as Issue;
          expect(shown.title).toBe(`Pipelined ${i}`);
        }
        expect((await c.request('list')) as Issue[]).toHaveLength(200);
        expect(((await c.request('health')) as { active_connections: number }).active_connections).toBe(1);
      });
    });

    it('should let a read sent right behind writes in one packet see them (pipelined writes share a commit)', async () => {
      const { ws } = await daemon();
      const client = await RawClient.open(socketOf(ws));
      try {
        const since = Date.now() - 1;
        // One write() of the socket: the daemon reads these lines together, and dispatches the
        // show, update, list and get_mutations while the creates still wait for their commit.
        const lines = [
          { operation: 'create', args: { title: 'First', id: 'bd-first' } },
          { operation: 'create', args: { title: 'Second', id: 'bd-second' } },
          { operation: 'show', args: { id: 'bd-first' } },
          { operation: 'update', args: { id: 'bd-second', status: 'in_progress' } },
          { operation: 'list', args: { status: 'in_progress' } },
          { operation: 'get_mutations', args: { since } },
        ];
        client.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
        const answers: Array<{ success: boolean; data?: unknown; error?: string }> = [];
        for (let i = 0; i < lines.length; i++) answers.push((await client.next()) as (typeof answers)[number]);

        expect(answers.map((a) => a.success)).toEqual([true, true, true, true, true, true]);
        expect(answers[2].data).toMatchObject({ id: 'bd-first', title: 'First' });
        expect(ids(answers[4].data)).toEqual(['bd-second']);
        expect((answers[5].data as Array<{ Type: string; IssueID: string }>).map((m) => [m.Type, m.IssueID])).toEqual([
          ['create', 'bd-first'],
          ['create', 'bd-second'],
          ['update', 'bd-second'],
        ]);
      } finally {
        client.destroy();
      }
    });

    it('should serve one-shot clients: connect, write one line, read one line, hang up', async () => {
      const { ws } = await daemon();
      const socket = socketOf(ws);
      for (let i = 0; i < 20; i++) {
        expect(await oneShot(socket, { operation: 'create', args: { id: `t-s${i}`, title: `Sequential ${i}` } })).toMatchObject({
          success: true,
          data: { id: `t-s${i}` },
        });
      }
      const parallel = await Promise.all(
        Array.from({ length: 50 }, (_, i) => oneShot(socket, { operation: 'create', args: { id: `t-p${i}`, title: `Parallel ${i}` } })),
      );
      expect(parallel.every((r) => r.success)).toBe(true);
      const listed = await oneShot(socket, { operation: 'list', args: null });
      expect(listed.success).toBe(true);
      expect((listed.data as Issue[]).length).toBe(70);
      // Every one-shot connection was released.
      expect(await activeConnectionsSettle(ws, 1)).toBe(1);
    });
  });

  describe('malformed input (the daemon answers or drops it, and keeps serving)', () => {
    /** A normal request on a fresh connection still works. */
    async function stillServes(ws: Workspace): Promise<void> {
      expect(await oneShot(socketOf(ws), { operation: 'ping' })).toMatchObject({ success: true, data: { status: 'healthy' } });
    }

    it('should answer garbage bytes with an error and serve the next request on the same connection', async () => {
      const { ws, d } = await daemon();
      const raw = await RawClient.open(socketOf(ws));
      try {
        const garbage = Buffer.from([...randomBytes(4096)].filter((b) => b !== 0x0a));
        raw.write(Buffer.concat([garbage, Buffer.from('\n')]));
        // Random bytes are (almost always) invalid UTF-8, refused as such; else not JSON.
        expect(await raw.next()).toEqual({ success: false, error: expect.stringMatching(/not JSON|not valid UTF-8/) });
        raw.write('{"operation": 42}\n');
        expect(await raw.next()).toEqual({ success: false, error: expect.stringMatching(/operation/) });
        raw.send({ operation: 'ping' });
        expect(await raw.next()).toMatchObject({ success: true });
      } finally {
        raw.destroy();
      }
      await stillServes(ws);
      expect(d.exit).toBeUndefined();
    });

    it('should drop half a line followed by a hang-up without running it', async () => {
      const { ws, d } = await daemon();
      const raw = await RawClient.open(socketOf(ws));
      raw.write('{"operation":"create","args":{"id":"t-half","title":"Half');
      raw.socket.end();
      await raw.waitClosed(WAIT);
      expect(raw.lines).toEqual([]);
      await stillServes(ws);
      expect((await oneShot(socketOf(ws), { operation: 'list', args: { query: 'half' } })).data).toEqual([]);
      expect(d.exit).toBeUndefined();
    });

    it('should answer a 20 MB line with "request too large", close that connection, and keep serving', async () => {
      const { ws, d } = await daemon();
      const raw = await RawClient.open(socketOf(ws));
      raw.write(`{"operation":"create","args":{"id":"t-huge","title":"${'x'.repeat(20 * 1024 * 1024)}"}}\n`);
      expect(await raw.next(WAIT)).toEqual({ success: false, error: expect.stringMatching(/request too large/) });
      await raw.waitClosed(WAIT);
      raw.destroy();
      await stillServes(ws);
      expect((await oneShot(socketOf(ws), { operation: 'list', args: {} })).data).toEqual([]);
      expect(d.exit).toBeUndefined();
    });

    it('should answer an unknown operation with the list of known ones', async () => {
      const { ws } = await daemon();
      const r = await oneShot(socketOf(ws), { operation: 'frobnicate', args: {} });
      expect(r.success).toBe(false);
      expect(r.error).toMatch(/unknown operation "frobnicate"/);
      for (const op of OPERATIONS) expect(r.error).toContain(op);
      await stillServes(ws);
    });

    it('should answer wrong argument types with an error naming the field, and run nothing', async () => {
      const { ws } = await daemon();
      const socket = socketOf(ws);
      const cases: Array<[object, RegExp]> = [
        [{ operation: 'create', args: { title: 42 } }, /invalid args for create: title: expected a non-empty title, got 42/],
        [{ operation: 'create', args: { title: 'ok', priority: 'high' } }, /priority: expected an integer 0-4, got "high"/],
        [{ operation: 'create', args: { title: 'ok', labels: 'ui' } }, /labels: expected a list of labels/],
        [{ operation: 'create', args: { title: 'ok', dependencies: ['blocks:'] } }, /dependencies\.0/],
        [{ operation: 'update', args: { id: 't-1', status: 'done' } }, /status: expected one of open\|/],
        // bd's limit 0 means no limit, so only a negative one is refused.
        [{ operation: 'list', args: { limit: -1 } }, /limit: expected a whole number ≥ 0 \(0 = no limit\), got -1/],
        [{ operation: 'dep_add', args: { from_id: 't-1' } }, /to_id: missing/],
        [{ operation: 'get_mutations', args: { since: 'yesterday' } }, /since: expected a Unix time/],
        [{ operation: 'comment_add', args: { id: 't-1', text: ['a'] } }, /text: expected a non-empty text/],
        [{ operation: 'create', args: 'a string' }, /invalid args for create/],
      ];
      for (const [request, message] of cases) {
        const r = await oneShot(socket, request);
        expect({ request, ...r }).toEqual({ request, success: false, error: expect.stringMatching(message) });
      }
      expect((await oneShot(socket, { operation: 'list', args: {} })).data).toEqual([]);
      await stillServes(ws);
    });
  });

  describe('under load', () => {
    it('should keep all 5,000 issues of 500 concurrent clients creating 10 each, in the DB and the JSONL', async () => {
      const { ws, d } = await daemon();
      const socket = socketOf(ws);
      const CLIENTS = 500;
      const EACH = 10;
      let refusals = 0;

      /**
       * One client: connect, create its issues one after another, hang up. The daemon serves
       * 100 connections at once and refuses more with "too many connections": such a client
       * backs off briefly and tries again (a refused connection never runs a request).
       */
      async function client(n: number): Promise<string[]> {
        for (let attempt = 1; attempt <= 1000; attempt++) {
          let c: RpcClient | undefined;
          const created: string[] = [];
          try {
            c = await RpcClient.connect(socket, { timeoutMs: 60_000, expectedDb: ws.dbPath });
            for (let i = 0; i < EACH; i++) {
              created.push(((await c.request('create', { title: `Client ${n} issue ${i}` })) as Issue).id);
            }
            return created;
          } catch (err) {
            const refused =
              (err instanceof RpcError && /too many connections/.test(err.message)) ||
              (err instanceof RpcConnectionError && err.code === 'EBUSY');
            const notConnected = !c && err instanceof RpcConnectionError && ['EAGAIN', 'ECONNREFUSED'].includes(err.code ?? '');
            if (created.length > 0 || !(refused || notConnected)) throw err;
            refusals++;
            await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * Math.min(attempt, 10)));
          } finally {
            c?.close();
          }
        }
        throw new Error(`client ${n} was refused 1000 times`);
      }

      const created = (await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)))).flat();
      expect(created).toHaveLength(CLIENTS * EACH);
      expect(new Set(created).size).toBe(CLIENTS * EACH);
      // The limit was really hit, and clients that retried got through.
      expect(refusals).toBeGreaterThan(0);

      const listed = await withClient(ws, async (c) => ids(await c.request('list')));
      expect(listed).toEqual([...created].sort());
      await waitForJsonlIds(ws.jsonlPath, created, 60_000);
      const inFile = jsonlIds(ws.jsonlPath);
      expect(inFile).toHaveLength(CLIENTS * EACH);
      expect([...inFile].sort()).toEqual([...created].sort());
      expect(d.count((e) => e.type === 'store/mutated' && e.op === 'create')).toBe(CLIENTS * EACH);
      expect(d.count((e) => e.type.endsWith('/failed'))).toBe(0);
      expect(d.exit).toBeUndefined();
    });
  });
});
