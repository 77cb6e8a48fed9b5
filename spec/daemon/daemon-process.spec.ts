import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoggedEvent } from '../../src/events/daemon-event';
import {
  CLI_BIN,
  cleanEnv,
  type DaemonProcess,
  issueLine,
  readDbIssues,
  runCliOk,
  runGit,
  useDaemons,
  type Workspace,
} from '../helpers/daemon-process';
import { waitFor } from '../helpers/wait-for';

/**
 * `bd-rx daemon` as users run it: the compiled CLI in its own process, in a temp workspace, with
 * real files, real chokidar, real timers and real signals. Every wait is on an event in the
 * daemon's NDJSON log, with a timeout; "exactly one" is counted only after a quiet period longer
 * than debounce + max wait.
 */

jest.setTimeout(90_000);

const WAIT = 20_000;

/**
 * A real inotify failure without touching the machine: in a new user namespace the
 * `/proc/sys/user/max_inotify_*` limits are the namespace's own (see
 * spec/sources/watcher-failure.spec.ts). Needs unprivileged user namespaces, or root.
 */
function canLowerInotifyLimits(): boolean {
  if (process.platform !== 'linux') return false;
  const probe = spawnSync('unshare', ['-Ur', 'sh', '-c', 'echo 0 > /proc/sys/user/max_inotify_watches'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return probe.status === 0;
}
/** BD_RX_SPEC_NO_UNSHARE=1 runs the fallback path even where unshare works (to check it). */
const REAL_ENOSPC = !process.env.BD_RX_SPEC_NO_UNSHARE && canLowerInotifyLimits();
/** exec, not fork: the child's pid stays the daemon's, so signals sent to it reach the daemon. */
const NO_INOTIFY_WATCHES = ['unshare', '-Ur', 'sh', '-c', 'echo 0 > /proc/sys/user/max_inotify_watches && exec "$@"', 'sh'];

const isImport = (e: LoggedEvent): boolean => e.type.startsWith('import/');
const isEffect = (e: LoggedEvent): boolean => e.type.startsWith('import/') || e.type.startsWith('export/');

/** Replaces the JSONL the way git and editors do: a whole new file renamed over it. */
function replaceJsonl(ws: Workspace, lines: string[]): void {
  const tmp = path.join(ws.beadsDir, 'issues.jsonl.tmp');
  fs.writeFileSync(tmp, lines.map((l) => l + '\n').join(''));
  fs.renameSync(tmp, ws.jsonlPath);
}

function dbIds(ws: Workspace): string[] {
  return readDbIssues(ws.dbPath).map((r) => r.id);
}

function typesOf(events: LoggedEvent[]): string[] {
  return events.map((e) => e.type);
}

describe('bd-rx daemon (a real process)', () => {
  const { workspace, start } = useDaemons();

  describe('outside changes to the JSONL', () => {
    it('should import 100 appends made by another process within a second as exactly one import/done', async () => {
      const ws = workspace();
      const debounceMs = 500;
      const maxWaitMs = 2000;
      const d = start({ cwd: ws.root, args: ['--debounce-ms', String(debounceMs), '--max-wait-ms', String(maxWaitMs)] });
      await d.waitUntilWatching();
      const from = d.mark();

      const ids = Array.from({ length: 100 }, (_, i) => `t-${String(i).padStart(3, '0')}`);
      const source = path.join(ws.root, 'incoming.txt');
      fs.writeFileSync(source, ids.map((id) => issueLine(id) + '\n').join(''));
      // 100 separate appends, ~3 ms apart, from a process of its own (like a teammate's bd).
      const appender = spawnSync(
        process.execPath,
        [
          '-e',
          `const fs = require('fs');
           const [file, src] = process.argv.slice(1);
           const lines = fs.readFileSync(src, 'utf8').split('\\n').filter(Boolean);
           const nap = new Int32Array(new SharedArrayBuffer(4));
           const t0 = Date.now();
           for (const l of lines) { fs.appendFileSync(file, l + '\\n'); Atomics.wait(nap, 0, 0, 3); }
           process.stdout.write(String(Date.now() - t0));`,
          ws.jsonlPath,
          source,
        ],
        { encoding: 'utf8', timeout: WAIT },
      );
      expect(appender.status).toBe(0);
      expect(Number(appender.stdout)).toBeLessThan(1000);

      await d.waitForEvent('import/done', WAIT, from);
      await d.waitForQuiet(isImport, debounceMs + maxWaitMs + 500, 30_000);

      // One import does the work; a later look that finds the file unchanged (a late fs event,
      // the recheck after an export) costs a stat and is no second import.
      const imports = d.all(isImport, from).filter((e) => !(e.type === 'import/skipped' && e.reason === 'unchanged'));
      expect(imports).toEqual([expect.objectContaining({ type: 'import/done', created: 100, updated: 0, deleted: 0 })]);
      expect((imports[0] as Extract<LoggedEvent, { type: 'import/done' }>).batched).toBeGreaterThanOrEqual(1);
      expect(d.count('fs/changed', from)).toBeGreaterThanOrEqual(1);
      // Straight from SQLite: a CLI call would import on its own and hide a daemon miss.
      expect(dbIds(ws)).toEqual(ids);
      expect(await d.stop()).toEqual({ code: 0, signal: null });
    });

    it('should import a JSONL replaced by temp file + rename exactly once', async () => {
      const ws = workspace({ lines: [issueLine('t-1')] });
      const d = start({ cwd: ws.root, args: ['--debounce-ms', '200', '--max-wait-ms', '1000'] });
      await d.waitUntilWatching();
      const from = d.mark();

      replaceJsonl(ws, [issueLine('t-1'), issueLine('t-2'), issueLine('t-3', { title: 'Renamed in' })]);

      await d.waitForEvent('import/done', WAIT, from);
      await d.waitForQuiet(isImport, 200 + 1000 + 500, 30_000);
      expect(d.all(isImport, from)).toEqual([
        expect.objectContaining({ type: 'import/done', created: 2, updated: 0, deleted: 0, unchanged: 1 }),
      ]);
      expect(readDbIssues(ws.dbPath).map((r) => [r.id, r.title])).toEqual([
        ['t-1', 'Issue t-1'],
        ['t-2', 'Issue t-2'],
        ['t-3', 'Renamed in'],
      ]);
      expect(await d.stop()).toEqual({ code: 0, signal: null });
    });

    it('should import a JSONL deleted and then re-created, and keep watching it afterwards', async () => {
      const ws = workspace({ lines: [issueLine('t-1')] });
      const d = start({ cwd: ws.root, args: ['--debounce-ms', '100', '--max-wait-ms', '1000'] });
      await d.waitUntilWatching();

      let from = d.mark();
      fs.unlinkSync(ws.jsonlPath);
      expect(await d.waitForEvent(isImport, WAIT, from)).toMatchObject({ type: 'import/skipped', reason: 'jsonl missing' });
      // A missing file deletes nothing: it may be mid-checkout.
      expect(dbIds(ws)).toEqual(['t-1']);

      from = d.mark();
      fs.writeFileSync(ws.jsonlPath, [issueLine('t-1'), issueLine('t-2')].map((l) => l + '\n').join(''));
      expect(await d.waitForEvent('import/done', WAIT, from)).toMatchObject({ created: 1, deleted: 0, unchanged: 1 });
      expect(dbIds(ws)).toEqual(['t-1', 't-2']);

      // The watch survived the new inode: a later append is seen too.
      from = d.mark();
      fs.appendFileSync(ws.jsonlPath, issueLine('t-3') + '\n');
      expect(await d.waitForEvent('import/done', WAIT, from)).toMatchObject({ created: 1, deleted: 0, unchanged: 2 });
      expect(dbIds(ws)).toEqual(['t-1', 't-2', 't-3']);
      expect(await d.stop()).toEqual({ code: 0, signal: null });
    });

    it('should import a JSONL deleted and re-created at once, and an append to the new file, from the watcher alone', async () => {
      const ws = workspace({ lines: [issueLine('t-1')] });
      // No safety tick: a change the watcher missed would never be imported, and the wait fails.
      const d = start({ cwd: ws.root, args: ['--debounce-ms', '100', '--max-wait-ms', '1000', '--safety-interval', '0'] });
      await d.waitUntilWatching();
      const ids = ['t-1'];

      for (let round = 1; round <= 5; round++) {
        let from = d.mark();
        // Deleted and written again at once (an editor, a checkout), with one issue more.
        fs.unlinkSync(ws.jsonlPath);
        ids.push(`t-r${round}`);
        fs.writeFileSync(ws.jsonlPath, ids.map((id) => issueLine(id) + '\n').join(''));
        const recreated = await d.waitForEvent('import/done', WAIT, from, `round ${round}: the import of the re-created file`);
        expect(recreated).toMatchObject({ deleted: 0 });
        await waitFor(() => dbIds(ws).length === ids.length, WAIT, `round ${round}: the DB to hold the re-created file`);
        expect(dbIds(ws)).toEqual([...ids].sort());

        // In place, same inode: seen only while the watch follows the new file.
        from = d.mark();
        ids.push(`t-a${round}`);
        fs.appendFileSync(ws.jsonlPath, issueLine(`t-a${round}`) + '\n');
        expect(await d.waitForEvent('import/done', WAIT, from, `round ${round}: the import of the append`)).toMatchObject({ created: 1, deleted: 0 });
        expect(dbIds(ws)).toEqual([...ids].sort());
      }
      expect(await d.stop()).toEqual({ code: 0, signal: null });
    });

    it('should import the JSONL of a branch checked out with git, once per checkout', async () => {
      const ws = workspace({ git: true, lines: [issueLine('t-a1'), issueLine('t-a2')] });
      runGit(ws.root, ['add', '.beads']);
      runGit(ws.root, ['commit', '-q', '-m', 'issues on main']);
      // Only the JSONL and .gitignore are committed: the DB is ignored.
      expect(runGit(ws.root, ['ls-files']).split('\n').filter(Boolean).sort()).toEqual([
        '.beads/.gitignore',
        '.beads/issues.jsonl',
      ]);
      runGit(ws.root, ['checkout', '-q', '-b', 'b']);
      fs.writeFileSync(ws.jsonlPath, [issueLine('t-a1'), issueLine('t-b1'), issueLine('t-b2')].map((l) => l + '\n').join(''));
      runGit(ws.root, ['commit', '-q', '-am', 'issues on b']);
      runGit(ws.root, ['checkout', '-q', 'main']);

      const d = start({ cwd: ws.root, args: ['--debounce-ms', '500', '--max-wait-ms', '2000'] });
      await d.waitUntilWatching();
      expect(dbIds(ws)).toEqual(['t-a1', 't-a2']);

      // git rewrites the JSONL, then the index, then HEAD: one debounce window normally holds all
      // of it; a HEAD change landing after the import finds the file unchanged (import/skipped).
      let from = d.mark();
      runGit(ws.root, ['checkout', '-q', 'b']);
      await d.waitForEvent('import/done', WAIT, from);
      await d.waitForQuiet(isImport, 500 + 2000 + 500, 30_000);
      expect(d.all('import/done', from)).toEqual([
        expect.objectContaining({ type: 'import/done', created: 2, deleted: 1, unchanged: 1 }),
      ]);
      expect(d.count('import/failed', from)).toBe(0);
      expect(dbIds(ws)).toEqual(['t-a1', 't-b1', 't-b2']);

      from = d.mark();
      runGit(ws.root, ['checkout', '-q', 'main']);
      await d.waitForEvent('import/done', WAIT, from);
      await d.waitForQuiet(isImport, 500 + 2000 + 500, 30_000);
      expect(d.all('import/done', from)).toEqual([
        expect.objectContaining({ type: 'import/done', created: 1, deleted: 2, unchanged: 1 }),
      ]);
      expect(d.count('import/failed', from)).toBe(0);
      expect(dbIds(ws)).toEqual(['t-a1', 't-a2']);
      expect(await d.stop()).toEqual({ code: 0, signal: null });
    });
  });

  describe('when the watcher fails', () => {
    const how = REAL_ENOSPC
      ? 'real ENOSPC: unshare -Ur with max_inotify_watches=0 in the namespace'
      : `real ENOENT: .beads/ removed under the watcher (${
          process.env.BD_RX_SPEC_NO_UNSHARE ? 'BD_RX_SPEC_NO_UNSHARE is set' : 'unshare -Ur is not available here'
        })`;

    /** Starts a daemon whose watcher fails, and the failure code to expect. */
    async function daemonWithFailingWatcher(ws: Workspace, args: string[]): Promise<{ d: DaemonProcess; code: string }> {
      if (REAL_ENOSPC) return { d: start({ cwd: ws.root, args, wrap: NO_INOTIFY_WATCHES }), code: 'ENOSPC' };
      const d = start({ cwd: ws.root, args });
      await d.waitUntilWatching();
      // Nothing watches the parent of .beads/: once it is gone, changes in it go unseen.
      const jsonl = fs.readFileSync(ws.jsonlPath);
      fs.rmSync(ws.beadsDir, { recursive: true, force: true });
      await d.waitForEvent('watcher/failed', WAIT);
      fs.mkdirSync(ws.beadsDir);
      fs.writeFileSync(ws.jsonlPath, jsonl);
      return { d, code: 'ENOENT' };
    }

    it(`should fall back to polling and still import a later change (${how})`, async () => {
      const ws = workspace({ lines: [issueLine('t-1')] });
      const { d, code } = await daemonWithFailingWatcher(ws, ['--debounce-ms', '50', '--max-wait-ms', '1000', '--poll-interval', '200ms']);

      expect(await d.waitForEvent('watcher/failed', WAIT)).toMatchObject({ code, fatal: false });
      expect(await d.waitForEvent('mode/poll', WAIT)).toMatchObject({ reason: code, intervalMs: 200 });
      // The first poll has run: what is on disk now is known.
      const polled = d.mark();
      await d.waitForEvent(isImport, WAIT, polled);

      const from = d.mark();
      fs.appendFileSync(ws.jsonlPath, issueLine('t-2') + '\n');
      expect(await d.waitForEvent('import/done', WAIT, from)).toMatchObject({ created: 1, deleted: 0, unchanged: 1 });
      if (REAL_ENOSPC) expect(dbIds(ws)).toEqual(['t-1', 't-2']);
      expect(d.count('mode/poll')).toBe(1);
      expect(d.count((e) => e.type === 'watcher/failed' && e.fatal)).toBe(0);
      expect(await d.stop()).toEqual({ code: 0, signal: null });
    });

    it(`should stop with a fatal watcher/failed and a non-zero exit code under --no-watcher-fallback (${how})`, async () => {
      const ws = workspace({ lines: [issueLine('t-1')] });
      const { d, code } = await daemonWithFailingWatcher(ws, ['--debounce-ms', '50', '--no-watcher-fallback']);

      // It stops by itself: no signal is sent.
      const exit = await d.waitForExit(WAIT);
      expect(exit.code).not.toBe(0);
      expect(exit).toEqual({ code: 1, signal: null });
      expect(d.all('watcher/failed')[0]).toMatchObject({ code, fatal: true });
      expect(d.count('mode/poll')).toBe(0);
      expect(d.count('daemon/stopping')).toBe(0);
      expect(d.events[d.events.length - 1].type).toBe('daemon/stopped');
      expect(d.badLines).toEqual([]);
    });
  });

  describe('stopping', () => {
    it('should flush a create sent over RPC that is still in its export debounce window at SIGTERM: JSONL holds it, exit 0', async () => {
      const ws = workspace();
      const debounceMs = 3000;
      const d = start({ cwd: ws.root, args: ['--debounce-ms', String(debounceMs), '--max-wait-ms', '10000'] });
      await d.waitUntilWatching();

      const from = d.mark();
      // The CLI finds the daemon's socket and sends the write there (store/mutated proves it).
      const created = JSON.parse(runCliOk(ws.root, ['create', 'Written just before SIGTERM', '--json'])) as { id: string };
      const mutated = await d.waitForEvent((e) => e.type === 'store/mutated' && e.id === created.id, WAIT, from);
      expect(mutated).toMatchObject({ op: 'create' });
      expect(d.count(isEffect, from)).toBe(0);
      expect(fs.readFileSync(ws.jsonlPath, 'utf8')).toBe('');

      const exit = await d.stop('SIGTERM');

      expect(exit).toEqual({ code: 0, signal: null });
      const after = d.events.slice(d.events.indexOf(mutated) + 1);
      expect(typesOf(after)).toEqual(['daemon/stopping', 'export/done', 'daemon/stopped']);
      expect(after[1]).toMatchObject({ issues: 1, batched: 1 });
      expect(Date.parse(after[1].ts) - Date.parse(mutated.ts)).toBeLessThan(debounceMs);
      const records = fs
        .readFileSync(ws.jsonlPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: string; title: string });
      expect(records).toEqual([expect.objectContaining({ id: created.id, title: 'Written just before SIGTERM' })]);
    });

    it('should flush an export pending after an import merge kept a newer local copy, at SIGTERM: JSONL holds it, exit 0', async () => {
      // The daemon's own store write, without RPC: an outside file brings an older copy of t-1,
      // the merge keeps the newer local one and says it needs an export (import/done needs_export),
      // which the pipeline turns into export work, debounced like a mutation.
      const newer = issueLine('t-1', { title: 'Newer local title', updated_at: '2025-03-01T00:00:00Z' });
      const older = issueLine('t-1', { title: 'Older outside title', updated_at: '2025-01-01T00:00:00Z' });
      const ws = workspace({ lines: [newer] });
      const debounceMs = 3000;
      const d = start({ cwd: ws.root, args: ['--debounce-ms', String(debounceMs), '--max-wait-ms', '10000'] });
      await d.waitUntilWatching();

      const from = d.mark();
      replaceJsonl(ws, [older]);
      const merged = await d.waitForEvent('import/done', WAIT, from);
      expect(merged).toMatchObject({ kept_local: ['t-1'], needs_export: true });
      const pendingFrom = d.events.indexOf(merged) + 1;
      // The export is now waiting out its debounce: nothing has run, the file still has the old copy.
      expect(d.count(isEffect, pendingFrom)).toBe(0);
      expect(fs.readFileSync(ws.jsonlPath, 'utf8')).toBe(older + '\n');

      const exit = await d.stop('SIGTERM');

      expect(exit).toEqual({ code: 0, signal: null });
      expect(fs.readFileSync(ws.jsonlPath, 'utf8')).toBe(newer + '\n');
      const after = d.events.slice(pendingFrom);
      expect(typesOf(after)).toEqual(['daemon/stopping', 'export/done', 'daemon/stopped']);
      expect(after[0]).toMatchObject({ signal: 'SIGTERM' });
      expect(after[1]).toMatchObject({ issues: 1, batched: 1 });
      // Flushed by the stop, not by the timer running out.
      expect(Date.parse(after[1].ts) - Date.parse(merged.ts)).toBeLessThan(debounceMs);
      expect(readDbIssues(ws.dbPath)).toEqual([{ id: 't-1', title: 'Newer local title', dirty: 0 }]);
    });

    it('should lose nothing when SIGTERM lands in the import debounce window: the next start imports it', async () => {
      const ws = workspace({ lines: [issueLine('t-1')] });
      const args = ['--debounce-ms', '3000', '--max-wait-ms', '10000'];
      const d = start({ cwd: ws.root, args });
      await d.waitUntilWatching();

      const from = d.mark();
      fs.appendFileSync(ws.jsonlPath, issueLine('t-2') + '\n');
      await d.waitForEvent('fs/changed', WAIT, from);
      const exit = await d.stop('SIGTERM');

      expect(exit).toEqual({ code: 0, signal: null });
      // The pending import is dropped (not waited for), the change stays on disk.
      expect(typesOf(d.events.slice(from)).filter((t) => t !== 'fs/changed')).toEqual(['daemon/stopping', 'daemon/stopped']);
      expect(dbIds(ws)).toEqual(['t-1']);

      const again = start({ cwd: ws.root, args });
      // Start-up sync done (export, import, and the import once the watcher is ready).
      await again.waitUntilWatching();
      expect(dbIds(ws)).toEqual(['t-1', 't-2']);
      expect(again.count((e) => e.type.endsWith('/failed'))).toBe(0);
      expect(await again.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    });
  });

  it('should recognise the file change caused by its own export as own-write, and not import it', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--debounce-ms', '100', '--max-wait-ms', '1000'] });
    await d.waitUntilWatching();

    const from = d.mark();
    const created = JSON.parse(runCliOk(ws.root, ['create', 'Exported by the daemon', '--json'])) as { id: string };
    await d.waitForEvent((e) => e.type === 'store/mutated' && e.id === created.id, WAIT, from);
    const exported = await d.waitForEvent('export/done', WAIT, from);
    const at = d.events.indexOf(exported);
    // The export's rename is a change like any other to the watcher ...
    await d.waitForEvent('fs/changed', WAIT, at);
    // ... and the import it triggers knows the bytes are its own.
    expect(await d.waitForEvent(isImport, WAIT, at)).toMatchObject({ type: 'import/skipped', reason: 'own-write' });
    await d.waitForQuiet(isEffect, 100 + 1000 + 500, 30_000);
    expect(d.count('import/done', from)).toBe(0);
    expect(d.count('export/done', from)).toBe(1);
    expect(fs.readFileSync(ws.jsonlPath, 'utf8')).toContain(`"id":"${created.id}"`);
    expect(await d.stop()).toEqual({ code: 0, signal: null });
  });

  describe('invalid settings', () => {
    const cases: Array<[string, { env?: NodeJS.ProcessEnv; args?: string[] }, RegExp]> = [
      [
        'BEADS_DEBOUNCE_MS=abc',
        { env: { BEADS_DEBOUNCE_MS: 'abc' } },
        /^Error: BEADS_DEBOUNCE_MS="abc" is not valid: expected a whole number of milliseconds ≥ 0, e\.g\. 500\n$/,
      ],
      ['--mode fast', { args: ['--mode', 'fast'] }, /^Error: --mode="fast" is not valid: expected "events" or "poll"\n$/],
      [
        'BEADS_POLL_INTERVAL=soon',
        { env: { BEADS_POLL_INTERVAL: 'soon' } },
        /^Error: BEADS_POLL_INTERVAL="soon" is not valid: expected a duration like 5s, 500ms, 1m or a number of milliseconds\n$/,
      ],
      [
        '--debounce-ms abc',
        { args: ['--debounce-ms', 'abc'] },
        /^Error: --debounce-ms="abc" is not valid: expected a whole number of milliseconds ≥ 0, e\.g\. 500\n$/,
      ],
      [
        'BEADS_DAEMON_MODE=fast',
        { env: { BEADS_DAEMON_MODE: 'fast' } },
        /^Error: BEADS_DAEMON_MODE="fast" is not valid: expected "events" or "poll"\n$/,
      ],
      [
        'BEADS_WATCHER_FALLBACK=maybe',
        { env: { BEADS_WATCHER_FALLBACK: 'maybe' } },
        /^Error: BEADS_WATCHER_FALLBACK="maybe" is not valid: expected true or false\n$/,
      ],
    ];

    it.each(cases)('should refuse %s at start with one line naming it and the accepted form', (_, given, message) => {
      const ws = workspace();
      const r = spawnSync(process.execPath, [CLI_BIN, 'daemon', ...(given.args ?? [])], {
        cwd: ws.root,
        env: cleanEnv(given.env),
        encoding: 'utf8',
        timeout: WAIT,
      });
      expect(r.status).not.toBe(0);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      // Refused before starting: no event log at all.
      expect(r.stdout).toBe('');
    });
  });

  it('should write only NDJSON on stdout, each line an object with ts and type (`bd-rx daemon | jq .type` works)', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--debounce-ms', '50'] });
    await d.waitUntilWatching();
    let from = d.mark();
    fs.appendFileSync(ws.jsonlPath, issueLine('t-1', { title: 'Quotes " and <tags> & newlines\nin a title' }) + '\n');
    await d.waitForEvent('import/done', WAIT, from);
    from = d.mark();
    d.child.kill('SIGHUP');
    await d.waitForEvent('signal/ignored', WAIT, from);
    const exit = await d.stop('SIGINT');

    expect(exit).toEqual({ code: 0, signal: null });
    expect(d.badLines).toEqual([]);
    expect(d.lines.length).toBe(d.events.length);
    expect(d.lines.length).toBeGreaterThanOrEqual(8);
    expect(d.stderr).toBe('');
    expect(d.events[0]).toMatchObject({ type: 'daemon/started', mode: 'events', debounceMs: 50, pid: d.pid, workspace: ws.root });
    expect(d.events[d.events.length - 1].type).toBe('daemon/stopped');
    expect(d.all('signal/ignored')).toEqual([expect.objectContaining({ signal: 'SIGHUP' })]);
    expect(d.all('daemon/stopping')).toEqual([expect.objectContaining({ signal: 'SIGINT' })]);
    // `ts` first, then `type`: the line sorts and greps by time.
    for (const line of d.lines) expect(line).toMatch(/^\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","type":"[a-z]+\/[a-z]+"/);
    const times = d.events.map((e) => Date.parse(e.ts));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('should still remove its socket, lock and pid files when ^C arrives twice (terminal and npm start both signal)', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--debounce-ms', '50'] });
    await d.waitUntilWatching();
    const beads = path.dirname(ws.jsonlPath);
    expect(fs.existsSync(path.join(beads, 'daemon.lock'))).toBe(true);
    const from = d.mark();
    d.child.kill('SIGINT');
    // More land after the pipeline has finished: while the files are being removed, and up to
    // the exit itself (each window once let a ^C kill the process). Fire until it is gone.
    await d.waitForEvent('daemon/stopped', WAIT, from);
    const again = setInterval(() => d.child.exitCode === null && d.child.signalCode === null && d.child.kill('SIGINT'), 1);
    const exit = await d.exited.finally(() => clearInterval(again));

    expect(exit).toEqual({ code: 0, signal: null });
    expect(fs.readdirSync(beads).filter((f) => /^(bd\.sock|daemon\.lock|daemon\.pid)$/.test(f))).toEqual([]);
    expect(d.events[d.events.length - 1].type).toBe('daemon/stopped');
  });
});
